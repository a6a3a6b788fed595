"""Contract fuzzing: schemathesis against `/api/openapi.json`, once per role and anonymously.

Every answer must be no 5xx and conform to the document: status codes, content types, body
schemas, headers. In `make test` three roles that reach every route between them get one
generated case per operation and a few stateful scenarios (15-25 s a role on 2 busy cores);
`make fuzz` fuzzes all six roles and sets `FUZZ_SECONDS_PER_ROLE`
and runs every phase for that long, the coverage phase's boundary values (~2,000 cases, about
100 s) included. A partner with leads in every state is seeded first, and half the generated
lead ids are real ones (tests/support/contract_hooks.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.auth import token
from tests.support.contract_seed import Seed, seed_partner

CONFIG = Path(__file__).with_name("contract_fuzz.toml")
SECONDS_PER_ROLE = os.environ.get("FUZZ_SECONDS_PER_ROLE")
BUDGET = (
    ["--max-time", SECONDS_PER_ROLE]
    if SECONDS_PER_ROLE
    else ["--phases", "fuzzing,stateful", "--max-examples", "1"]
)
ROLES: dict[str, str | None] = {
    "partner-admin": "Referrals.Admin",
    "partner-user": "Referrals.User",
    "profile-admin": "BusinessProfile.Admin",
    "referrer": "Vendor.Referrer",
    "operator": "Leads.Operator",
    "anonymous": None,
}
# `make test` fuzzes the roles that reach every route between them (a partner's admin: every
# partner route; vendor staff: the referrals intake; the operator: the operations routes);
# `make fuzz` also runs the narrower partner roles and no credentials at all, whose requests
# the same handlers answer with their 403s and 401s.
SHORT_RUN_ROLES = ("partner-admin", "referrer", "operator")
FUZZED = {name: role for name, role in ROLES.items()
          if SECONDS_PER_ROLE or name in SHORT_RUN_ROLES}  # fmt: skip


@pytest.fixture(scope="module")
def seed(dev_api: str) -> Seed:
    with requests.Session() as http:
        return seed_partner(http, dev_api, "p-fuzz")


def _config(tmp_path: Path, seed: Seed, role: str | None) -> Path:
    """The shared settings plus this role's credentials: its bearer token (partner roles for
    the seeded partner), and the partner's intake key for the marketplace webhook."""
    auth = f'\n[auth.openapi.intakeKey]\napi_key = "{seed.intake_key}"\n'
    if role:
        bearer = token(role, partner=seed.partner_id, user=f"fuzz-{role}", ttl_seconds=3600)
        auth += f'\n[auth.openapi.bearer]\nbearer = "{bearer}"\n'
    path = tmp_path / "schemathesis.toml"
    path.write_text(CONFIG.read_text(encoding="utf-8") + auth, encoding="utf-8")
    return path


def _report(directory: Path) -> dict[str, Any]:
    (report,) = directory.glob("*.json")
    loaded: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("role", FUZZED.values(), ids=FUZZED.keys())
def test_every_answer_keeps_the_documented_contract(
    dev_api: str, seed: Seed, tmp_path: Path, role: str | None
) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(_config(tmp_path, seed, role)),
        "--no-color",
        "run", f"{dev_api}/openapi.json",  # every check, less those the config turns off
        *BUDGET,
        "--report", "json", "--report-dir", str(tmp_path / "report"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.support.contract_hooks",
        "PYTHONPATH": str(Path(__file__).parents[2]),
        "FUZZ_PARTNER_ID": seed.partner_id,
        "FUZZ_LEAD_IDS": ",".join(seed.lead_ids),
        "FUZZ_SUBSCRIPTION_IDS": ",".join(seed.subscription_ids),
    }
    # Its working directory is the test's own: schemathesis keeps a cache there.
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,  # its failures are in the report, asserted on below
        timeout=float(SECONDS_PER_ROLE or 60) * 3 + 60,
    )
    report = _report(tmp_path / "report")
    cases, operations = report["test_cases"], report["operations"]
    failures = sum(failure["count"] for failure in report["failures"])
    print(  # the totals, for `pytest -s` and `make fuzz`
        f"schemathesis {role or 'anonymous'}: {operations['tested']} operations,"
        f" {cases['generated']} test cases, {failures} failures, {len(report['errors'])} errors"
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    if report["stop_reason"] != "max_time":  # a long run may be stopped mid-phase, by design
        assert operations["tested"] == operations["total"]
