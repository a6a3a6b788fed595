"""Route templates and precedence, as the Functions host (ASP.NET Core routing) applies them."""

from __future__ import annotations

import pytest

from tools.localhost.routing import Router, RouteTemplate, RouteTemplateError


def router(*routes: tuple[str, list[str] | None], prefix: str = "api") -> Router[str]:
    built: Router[str] = Router(prefix)
    for route, methods in routes:
        built.add(route, methods, route)
    return built


def target(found: Router[str], method: str, path: str) -> str | None:
    match = found.match(method, path)
    return None if match is None else match.target


def test_the_first_route_added_that_matches_wins_as_in_the_functions_host() -> None:
    # The host does not apply ASP.NET precedence; start-up refuses such overlaps instead.
    assert (
        target(
            router(("leads/{leadId}", ["GET"]), ("leads/export", ["GET"])),
            "GET",
            "/api/leads/export",
        )
        == "leads/{leadId}"
    )
    assert (
        target(
            router(("leads/export", ["GET"]), ("leads/{leadId}", ["GET"])),
            "GET",
            "/api/leads/export",
        )
        == "leads/export"
    )


def test_a_literal_for_another_method_falls_through_to_the_parameter_route() -> None:
    found = router(("leads/export", ["POST"]), ("leads/{leadId}", ["GET"]))
    match = found.match("GET", "/api/leads/export")
    assert match is not None
    assert (match.target, match.route_params) == ("leads/{leadId}", {"leadId": "export"})


@pytest.mark.parametrize(
    ("constraint", "accepted", "refused"),
    [
        ("int", ["0", "-5", "2147483647"], ["2147483648", "1.5", "x"]),
        ("long", ["2147483648"], ["9223372036854775808"]),
        ("alpha", ["abcXYZ"], ["abc1", "a-b"]),
        (
            "guid",
            ["0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5bd9cb469fa16570867728950e"],
            ["0f8fad5b-d9cb", "zz"],
        ),
        ("bool", ["true", "False"], ["yes"]),
        ("regex(^[0-9a-f]{{4}}$)", ["00ff", "00FF"], ["00ff0", "0g00", "00f"]),
        ("regex(b|c)", ["abc", "xcx"], ["xyz"]),  # not anchored: IsMatch anywhere
        ("regex(^a(b|c)d$)", ["abd", "ACD"], ["ad", "abdx"]),
        ("length(3)", ["abc"], ["ab", "abcd"]),
        ("length(2,3)", ["ab", "abc"], ["a", "abcd"]),
        ("minlength(2):maxlength(3)", ["ab", "abc"], ["a", "abcd"]),
        ("min(10)", ["10", "99999"], ["9", "x"]),
        ("max(10)", ["10", "-5"], ["11"]),
        ("range(1,3)", ["1", "3"], ["0", "4"]),
    ],
)
def test_constraints(constraint: str, accepted: list[str], refused: list[str]) -> None:
    template = RouteTemplate(f"x/{{value:{constraint}}}")
    for value in accepted:
        assert template.match(["x", value]) == {"value": value}
    for value in refused:
        assert template.match(["x", value]) is None


def test_literals_match_case_insensitively_and_values_keep_their_case() -> None:
    found = router(("Leads/{leadId}", ["get"]))
    match = found.match("GET", "/API/leads/AbC")
    assert match is not None
    assert match.route_params == {"leadId": "AbC"}


def test_an_optional_parameter_may_be_missing_and_is_then_left_out() -> None:
    found = router(("greetings/{name}/{suffix?}", None))
    with_suffix = found.match("GET", "/api/greetings/bob/jr")
    without = found.match("GET", "/api/greetings/bob")
    assert with_suffix is not None
    assert with_suffix.route_params == {"name": "bob", "suffix": "jr"}
    assert without is not None
    assert without.route_params == {"name": "bob"}
    assert found.match("GET", "/api/greetings") is None


def test_a_catch_all_takes_the_rest() -> None:
    found = router(("files", ["GET"]), ("files/{*path}", ["GET"]))
    deep = found.match("GET", "/api/files/a/b%20c/d.txt")
    assert deep is not None
    assert (deep.target, deep.route_params) == ("files/{*path}", {"path": "a/b c/d.txt"})
    assert target(found, "GET", "/api/files/one") == "files/{*path}"
    assert target(found, "GET", "/api/files") == "files"
    only_catch_all = router(("files/{*path}", ["GET"]))
    empty = only_catch_all.match("GET", "/api/files/")
    assert empty is not None
    assert empty.route_params == {}


def test_a_method_mismatch_is_no_match_and_no_methods_means_all() -> None:
    found = router(("things/{id}", ["GET", "POST"]), ("any", None))
    assert target(found, "DELETE", "/api/things/1") is None
    assert target(found, "post", "/api/things/1") == "things/{id}"
    assert target(found, "PATCH", "/api/any") == "any"


def test_unknown_paths_and_the_wrong_prefix_do_not_match() -> None:
    found = router(("things/{id}", None))
    assert target(found, "GET", "/api/things") is None
    assert target(found, "GET", "/api/things/1/2") is None
    assert target(found, "GET", "/things/1") is None
    assert target(found, "GET", "/api/things/1/") == "things/{id}"


def test_an_empty_prefix_serves_routes_at_the_root() -> None:
    assert target(router(("ping", None), prefix=""), "GET", "/ping") == "ping"


def test_a_segment_mixing_text_and_parameters() -> None:
    template = RouteTemplate("files/{name}.{ext:alpha}")
    assert template.match(["files", "report.final.PDF"]) == {"name": "report.final", "ext": "PDF"}
    assert template.match(["files", "report.7z"]) is None


@pytest.mark.parametrize(
    "template",
    [
        "a/{*rest}/b",
        "a/{id?}/b",
        "a//b",
        "a/{bad-name}",
        "a/{x}{y?}",
        "a/{x",
        "a/x}",
        "a/{id:nope}",
        "a/{id:int(3)}",
        "a/{id:regex}",
        "a/{id:regex(()}",
        "a/{id:regex(^a$}",
        "a/{id:length(x)}",
        "a/{id=5}",
    ],
)
def test_templates_the_host_cannot_serve_are_refused(template: str) -> None:
    with pytest.raises(RouteTemplateError):
        RouteTemplate(template)


def test_an_encoded_slash_is_not_decoded_and_other_escapes_are() -> None:
    found = router(("leads/{leadId}", ["GET"]))
    match = found.match("GET", "/api/leads/a%2Fb%20c%2f")
    assert match is not None
    assert match.route_params == {"leadId": "a%2Fb c%2f"}


def test_doubled_braces_are_literal_braces_in_literals_and_constraints() -> None:
    assert RouteTemplate("x{{y}}/{v}").match(["x{y}", "1"]) == {"v": "1"}
    template = RouteTemplate("leads/{leadId:regex(^[0-9a-f]{{32}}$)}")
    assert template.match(["leads", "0" * 32]) == {"leadId": "0" * 32}
    assert template.match(["leads", "export"]) is None
    assert template.match(["leads", "0" * 31]) is None
