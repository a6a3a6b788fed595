"""docs/operations.md stays true: every alert in the Bicep has its section naming the data it
reads, every route a command there calls is one the app serves, every link inside it lands."""

from __future__ import annotations

import re
import shlex
from functools import cache

import pytest

from functions.openapi import openapi_document
from tests.support.azurite import REPO_ROOT

RUNBOOK = REPO_ROOT / "docs" / "operations.md"
ALERTS_BICEP = REPO_ROOT / "infra" / "modules" / "alerts.bicep"


@cache
def _runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


@cache
def _bicep() -> str:
    return ALERTS_BICEP.read_text(encoding="utf-8")


def _log_alerts() -> dict[str, str]:
    """Each log alert's name and query, from the `logAlerts` list of the Bicep."""
    block = _bicep().split("var logAlerts = [", 1)[1].split("\n]\n", 1)[0]
    names = re.findall(r"^    name: '([a-z0-9-]+)'$", block, re.M)
    queries = re.findall(r"^    query: '(.+)'$", block, re.M)
    assert len(names) == len(queries) > 0
    return dict(zip(names, queries, strict=True))


def _metric_alerts() -> list[str]:
    found = re.findall(
        r"'Microsoft\.Insights/metricAlerts@[0-9-]+' = \{\n  name: '\$\{namePrefix\}-([a-z0-9-]+)'",
        _bicep(),
    )
    assert found
    return found


def _names(query: str) -> list[str]:
    """The metric and event names a query matches on, e.g. "leads.deliveries.quarantined"."""
    return re.findall(r'"([a-z_]+(?:\.[a-z_]+)+)"', query)


def _section(alert: str) -> str:
    heading = f"### `{alert}`\n"
    assert heading in _runbook(), f"docs/operations.md has no section {heading.strip()}"
    return _runbook().split(heading, 1)[1].split("\n#", 1)[0]


@pytest.mark.parametrize("alert", sorted(_log_alerts()))
def test_each_log_alert_has_a_section_naming_the_data_it_reads(alert: str) -> None:
    section = _section(alert)
    query = _log_alerts()[alert]
    # The tables it reads and the metric and event names it matches on.
    tables = set(re.findall(r"\b(traces|requests|customMetrics|exceptions)\b", query))
    names = _names(query)
    assert tables
    for name in [*tables, *names]:
        assert name in section, f"{alert}: its runbook section does not name {name}"
    assert "**Reads**" in section
    assert "**Means**" in section


@pytest.mark.parametrize("alert", _metric_alerts())
def test_each_metric_alert_has_a_section(alert: str) -> None:
    section = _section(alert)
    assert "**Reads**" in section
    assert "availabilityResults" in section


def test_the_alert_table_lists_exactly_the_alerts_of_the_bicep() -> None:
    table = re.findall(r"^\| `([a-z0-9-]+)` \|", _runbook(), re.M)
    assert sorted(table) == sorted([*_log_alerts(), *_metric_alerts()])


def test_every_alert_description_points_at_its_section() -> None:
    cited = re.findall(r'Runbook: docs/operations\.md, "([^"]+)"', _bicep())
    assert "${alert.name}" in cited  # the log alerts, one description for all
    assert sorted(c for c in cited if not c.startswith("$")) == sorted(_metric_alerts())


def _curl_calls() -> list[tuple[str, str]]:
    """(method, path) of every curl in the runbook (shell blocks and inline), under $BASE."""
    blocks = re.findall(r"```bash\n(.*?)```", _runbook(), re.S)
    blocks += re.findall(r"(?<!`)`(curl [^`]+)`", _runbook())
    calls = []
    for block in blocks:
        for command in block.replace("\\\n", " ").splitlines():
            if "curl " not in command or "$BASE/" not in command:
                continue
            words = shlex.split(command.split("#", 1)[0], posix=True)
            method = words[words.index("-X") + 1].lower() if "-X" in words else "get"
            url = next(w for w in words if w.startswith("$BASE/"))
            calls.append((method, url.removeprefix("$BASE").split("?", 1)[0]))
    return calls


def _matches(template: str, path: str) -> bool:
    """A documented path (`/ops/partners/$PARTNER/intake-key`) against a route template."""
    parts, segments = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(segments) and all(
        part == segment or (part.startswith("{") and segment != "")
        for part, segment in zip(parts, segments, strict=True)
    )


def _served(method: str, path: str) -> bool:
    paths = openapi_document()["paths"].items()
    return any(method in operations and _matches(t, path) for t, operations in paths)


def test_the_runbook_calls_routes_the_app_serves() -> None:
    calls = _curl_calls()
    assert len(calls) >= 25  # the parser found the commands
    unknown = [(m, p) for m, p in calls if not _served(m, p)]
    assert unknown == []


def test_a_route_the_app_does_not_serve_is_caught() -> None:
    assert not _served("post", "/ops/queues/notifications/poison/empty")
    assert _served("post", "/ops/deliveries/replay")
    assert _served("post", "/ops/partners/$PARTNER/intake-key")
    assert not _served("get", "/ops/partners/$PARTNER/intake-key")


def test_every_link_inside_the_runbook_lands_on_a_heading() -> None:
    headings = re.findall(r"^#+ (.+)$", _runbook(), re.M)
    slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
    anchors = re.findall(r"\]\(#([^)]+)\)", _runbook())
    assert anchors
    assert sorted(set(anchors) - slugs) == []


def test_every_metric_and_event_an_alert_matches_is_one_the_code_emits() -> None:
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("shared", "functions")
        for path in (REPO_ROOT / folder).rglob("*.py")
    )
    matched = {name for query in _log_alerts().values() for name in _names(query)}
    assert "queue.poison" in matched
    silent = {name for name in matched if f'"{name}"' not in code}
    assert silent == set()
