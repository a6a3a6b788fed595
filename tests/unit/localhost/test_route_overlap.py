"""Start-up refusal of overlapping routes: the Functions host would pick one by function name."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shared.domain.lead_ids import new_lead_id
from tests.unit.localhost.test_validation import http, noop
from tools.localhost.app_loader import FunctionDescription
from tools.localhost.process import REPO_ROOT
from tools.localhost.route_overlap import templates_overlap
from tools.localhost.routing import RouteTemplate, split_path
from tools.localhost.validation import validate_functions

LEAD = "leads/{leadId:regex(^[0-9a-f]{{32}}$)}"
# `get_functions()` runs once per app object and other tests index `function_app.app`: index a
# fresh import in a child process.
_INDEX = (
    "import json, function_app; print(json.dumps([[f.get_function_name(), f.get_function_json()]"
    " for f in function_app.app.get_functions()]))"
)


def app_functions() -> list[FunctionDescription]:
    indexed = subprocess.run(
        [sys.executable, "-c", _INDEX], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    pairs = json.loads(indexed.stdout.splitlines()[-1])
    return [FunctionDescription(name, json.loads(text)["bindings"], noop) for name, text in pairs]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("leads/{leadId}", "leads/export"),
        ("leads/{leadId}", "LEADS/{id:int}"),
        ("items/{id:minlength(10)}", "items/recent-items"),
        ("files/{*path}", "files/a/b/c"),
        ("files/{*path}", "files"),
        ("g/{name}/{suffix?}", "g/{name}"),
        ("g/{name}/{suffix?}", "g/x/y"),
        ("a/{x:regex(^1)}", "a/{y:regex(^2)}"),  # two regexes: assumed to overlap
        ("a/{x}.{y}", "a/{z}"),
        ("{*all}", ""),
    ],
)
def test_overlapping_templates(first: str, second: str) -> None:
    assert templates_overlap(RouteTemplate(first), RouteTemplate(second))
    assert templates_overlap(RouteTemplate(second), RouteTemplate(first))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (LEAD, "leads/export"),
        (LEAD, "leads"),
        (f"{LEAD}/accept", f"{LEAD}/decline"),
        ("items/{id:minlength(10)}", "items/recent"),
        ("a/{x:int}", "a/{y:alpha}"),
        ("a/{x:bool}", "a/{y:guid}"),
        ("a/{x:length(3)}", "a/{y:maxlength(2)}"),
        ("ui/{*path}", "ui-config"),
        ("g/{name}/{suffix?}", "g/{name}/x/y"),
        ("a/{x}.pdf", "a/report.txt"),
    ],
)
def test_disjoint_templates(first: str, second: str) -> None:
    assert not templates_overlap(RouteTemplate(first), RouteTemplate(second))
    assert not templates_overlap(RouteTemplate(second), RouteTemplate(first))


def test_an_app_with_overlapping_routes_of_one_method_is_refused_naming_both() -> None:
    functions = [
        http("get_lead", "leads/{leadId}", ["GET", "PATCH"]),
        http("export_leads", "leads/export", ["GET"]),
        http("accept", "leads/{leadId}/accept", ["POST"]),
    ]
    errors = validate_functions(functions, {})
    assert len(errors) == 1
    assert errors[0].startswith(
        "Functions 'get_lead' (GET,PATCH leads/{leadId}) and 'export_leads' "
        "(GET leads/export) can both match one URL"
    )


def test_routes_that_overlap_for_different_methods_only_are_served() -> None:
    functions = [http("get_lead", "leads/{leadId}", ["GET"]), http("post", "leads/x", ["POST"])]
    assert validate_functions(functions, {}) == []
    every_method = [http("any", "leads/{leadId}"), http("post", "leads/x", ["POST"])]
    assert "can both match one URL" in validate_functions(every_method, {})[0]


def test_the_apps_routes_are_disjoint_and_keep_ids_outside_the_format_out() -> None:
    functions = app_functions()
    http_functions = [f for f in functions if f.trigger_type == "httptrigger"]
    assert not any("can both match" in error for error in validate_functions(http_functions, {}))
    get_lead = next(f for f in http_functions if f.name == "get_lead")
    template = RouteTemplate(get_lead.route)
    lead_id = new_lead_id()
    assert template.match(["leads", lead_id]) == {"leadId": lead_id}
    for outside in ("export", split_path("/a%2Fb")[0], lead_id[:-1], lead_id + "0"):
        assert template.match(["leads", outside]) is None
