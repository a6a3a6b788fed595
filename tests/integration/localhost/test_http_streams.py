"""HTTP streams through the local host: FastAPI types in, a Starlette response out, chunk by
chunk, as the worker's ASGI server serves them in Azure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.localhost.support import (
    SampleHost,
    SampleNames,
    sample_env,
    serving,
    write_script_root,
)
from tests.support.azurite import Azurite

STREAM_APP = "tests.integration.localhost.stream_app:app"
TIMEOUT = 5


@pytest.fixture(scope="module")
def stream_host(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleHost]:
    names = SampleNames()
    root = write_script_root(tmp_path_factory.mktemp("streams"))
    with serving(azurite, root, sample_env(azurite, names), names, STREAM_APP) as host:
        yield host


def test_the_request_arrives_whole_and_the_response_as_returned(stream_host: SampleHost) -> None:
    response = requests.post(
        f"{stream_host.api}/echo/ada?x=1",
        data="hello",
        headers={"X-Probe": "yes"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert "Date" in response.headers  # the same status line and headers as classic functions
    assert response.json() == {"name": "ada", "query": {"x": "1"}, "probe": "yes", "body": "hello"}


def test_a_streaming_response_reaches_the_client_before_it_is_finished(
    stream_host: SampleHost, tmp_path: Path
) -> None:
    gate = tmp_path / "open"
    with requests.get(
        f"{stream_host.api}/gated", params={"gate": str(gate)}, stream=True, timeout=TIMEOUT
    ) as response:
        assert response.status_code == 200
        assert response.headers.get("Transfer-Encoding") == "chunked"
        assert "Content-Length" not in response.headers
        lines = response.iter_lines()
        assert next(lines) == b"first"  # sent while the function is still waiting
        gate.touch()
        assert list(lines) == [b"second"]


def test_a_stream_that_fails_midway_is_cut_off_not_passed_off_as_whole(
    stream_host: SampleHost,
) -> None:
    with (
        requests.get(f"{stream_host.api}/broken", stream=True, timeout=TIMEOUT) as response,
        pytest.raises(requests.exceptions.ChunkedEncodingError),
    ):
        b"".join(response.iter_content(chunk_size=None))
    # The host keeps serving.
    after = requests.post(f"{stream_host.api}/echo/next", data="", timeout=TIMEOUT)
    assert after.status_code == 201
