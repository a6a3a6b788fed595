"""HTTP triggers through the local host: routing, requests, responses and failures."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator

import requests

from tests.integration.localhost.support import SampleHost

TIMEOUT = 5


def test_route_params_and_the_first_value_of_each_query_param_arrive(
    sample_host: SampleHost,
) -> None:
    response = requests.get(f"{sample_host.api}/things/t-42?x=1&x=2&y=", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"route": "param", "thingId": "t-42", "params": {"x": "1", "y": ""}}


def test_a_literal_route_matches_case_insensitively(sample_host: SampleHost) -> None:
    for path in ("special/things", "SPECIAL/Things"):
        response = requests.get(f"{sample_host.api}/{path}", timeout=TIMEOUT)
        assert response.status_code == 200
        assert response.json() == {"route": "literal", "url": f"{sample_host.api}/{path}"}


def test_an_encoded_slash_stays_encoded_in_a_route_value(sample_host: SampleHost) -> None:
    # As Kestrel: the path is decoded, but %2F would change its segments, so it is kept.
    response = requests.get(f"{sample_host.api}/things/a%2Fb%20c", timeout=TIMEOUT)
    assert response.json()["thingId"] == "a%2Fb c"


def test_a_catch_all_receives_the_rest_of_the_path(sample_host: SampleHost) -> None:
    deep = requests.get(f"{sample_host.api}/files/a/b%20c/report.pdf", timeout=TIMEOUT)
    bare = requests.get(f"{sample_host.api}/files", timeout=TIMEOUT)
    assert deep.json() == {"path": "a/b c/report.pdf"}
    assert bare.json() == {"path": None}


def test_post_body_headers_constraint_and_status_code(sample_host: SampleHost) -> None:
    response = requests.post(
        f"{sample_host.api}/things/7/parts",
        data="a body",
        headers={"X-Sample": "header value"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201
    assert response.json() == {"thingId": "7", "body": "a body", "header": "header value"}
    refused = requests.post(f"{sample_host.api}/things/seven/parts", data="x", timeout=TIMEOUT)
    assert refused.status_code == 404


def test_a_method_mismatch_and_an_unknown_route_are_404(sample_host: SampleHost) -> None:
    mismatches = [("DELETE", "things/1"), ("TRACE", "things/1"), ("QUERY", "things/1")]
    mismatches.append(("POST", "special/things"))
    for method, path in [*mismatches, ("GET", "nope")]:
        response = requests.request(method, f"{sample_host.api}/{path}", timeout=TIMEOUT)
        assert response.status_code == 404, (method, path)
        assert response.content == b""
    outside_prefix = requests.get(f"{sample_host.process.base_url}/things/1", timeout=TIMEOUT)
    assert outside_prefix.status_code == 404


def test_an_async_function_with_an_optional_parameter(sample_host: SampleHost) -> None:
    plain = requests.get(f"{sample_host.api}/greetings/Ann", timeout=TIMEOUT)
    suffixed = requests.put(f"{sample_host.api}/greetings/Ann/!", timeout=TIMEOUT)
    assert (plain.status_code, plain.text, plain.headers["X-Async"]) == (200, "hello Ann", "yes")
    assert plain.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert suffixed.text == "hello Ann!"
    assert requests.get(f"{sample_host.api}/greetings/4nn", timeout=TIMEOUT).status_code == 404


def test_a_raising_function_is_an_empty_500_logged_on_stderr(sample_host: SampleHost) -> None:
    response = requests.get(f"{sample_host.api}/boom", timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.content == b""
    logs = sample_host.process.logs()
    assert "Executed 'Functions.boom' (Failed" in logs
    assert "RuntimeError: this function always fails" in logs
    # The host keeps serving after a failure.
    assert requests.get(f"{sample_host.api}/things/1", timeout=TIMEOUT).status_code == 200


def test_keep_alive_and_a_chunked_request_body(sample_host: SampleHost) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", sample_host.process.port, timeout=5)

    def chunks() -> Iterator[bytes]:
        yield b"chunked "
        yield b"body"

    try:
        connection.request("GET", "/api/things/1")
        first = connection.getresponse()
        assert first.status == 200
        first.read()
        socket_before = connection.sock
        connection.request(
            "POST",
            "/api/things/2/parts",
            body=chunks(),
            encode_chunked=True,
            headers={"Transfer-Encoding": "chunked"},
        )
        second = connection.getresponse()
        assert second.status == 201
        assert b'"body": "chunked body"' in second.read()
        assert connection.sock is socket_before  # the same connection served both requests
    finally:
        connection.close()


def test_request_bodies_are_never_logged(sample_host: SampleHost) -> None:
    secret = "jane.doe@example.com-personal-data"
    response = requests.post(f"{sample_host.api}/things/3/parts", data=secret, timeout=TIMEOUT)
    assert response.status_code == 201
    assert "Executed 'Functions.post_part' (Succeeded" in sample_host.process.logs()
    assert secret not in sample_host.process.logs()


def test_keep_alive_requests_do_not_stall_on_delayed_acks(sample_host: SampleHost) -> None:
    """A response written in two sends without TCP_NODELAY waits ~40 ms for the client's
    delayed ACK (Nagle): 20 requests on one connection would take about 800 ms."""
    connection = http.client.HTTPConnection("127.0.0.1", sample_host.process.port, timeout=5)
    try:
        connection.request("GET", "/api/things/warm-up")
        connection.getresponse().read()
        started = time.perf_counter()
        for number in range(20):
            connection.request("GET", f"/api/things/{number}")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    assert elapsed < 0.3, f"20 keep-alive requests took {elapsed * 1000:.0f} ms"
