"""Schemathesis hooks for the contract fuzz run (loaded through `SCHEMATHESIS_HOOKS`).

Random path parameters only ever meet 404s. Half the time, draw the partner and the lead from
the seeded ones instead (named in `FUZZ_PARTNER_ID` and `FUZZ_LEAD_IDS`), so the generated
bodies, queries and headers reach the code behind the lookup.

A lead id outside its documented pattern matches no route: the Functions host answers its own
empty 404 and no function of ours runs (docs/architecture.md, "The local host against Azure").
That answer is the platform's, not the app's, so such ids are swapped for well-formed ones
(`tests/e2e/test_http_errors.py` covers ids outside the format).
"""

from __future__ import annotations

import os
import re
from typing import Any

import schemathesis
from hypothesis import strategies as st

from shared.domain.lead_ids import LEAD_ID_PATTERN, is_lead_id

_SEEDED = {
    "partnerId": tuple(filter(None, os.environ.get("FUZZ_PARTNER_ID", "").split(","))),
    "leadId": tuple(filter(None, os.environ.get("FUZZ_LEAD_IDS", "").split(","))),
    "subscriptionId": tuple(filter(None, os.environ.get("FUZZ_SUBSCRIPTION_IDS", "").split(","))),
}


@schemathesis.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    if not path_parameters:  # an operation without path parameters
        return st.just(path_parameters)
    choices = {
        name: st.one_of(_routable(name, value), st.sampled_from(_SEEDED[name]))
        for name, value in path_parameters.items()
        if _SEEDED.get(name)
    }
    return st.fixed_dictionaries(choices).map(lambda seeded: {**path_parameters, **seeded})


_SUBSCRIPTION_ID = re.compile(r"[0-9a-f]{32}")


def _routable(name: str, value: Any) -> st.SearchStrategy[Any]:
    if name == "leadId" and not (isinstance(value, str) and is_lead_id(value)):
        return st.from_regex(re.compile(LEAD_ID_PATTERN), fullmatch=True)
    # A webhook subscription id outside its route's pattern: the host's own 404, as above.
    if name == "subscriptionId" and not _SUBSCRIPTION_ID.fullmatch(str(value)):
        return st.from_regex(_SUBSCRIPTION_ID, fullmatch=True)
    return st.just(value)
