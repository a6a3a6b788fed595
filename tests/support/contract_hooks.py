"""Schemathesis hooks for the contract fuzz run (loaded through `SCHEMATHESIS_HOOKS`).

Random path parameters only ever meet 404s. Half the time, draw the partner and the lead from
the seeded ones instead (named in `FUZZ_PARTNER_ID` and `FUZZ_LEAD_IDS`), so the generated
bodies, queries and headers reach the code behind the lookup.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

_SEEDED = {
    "partnerId": tuple(filter(None, os.environ.get("FUZZ_PARTNER_ID", "").split(","))),
    "leadId": tuple(filter(None, os.environ.get("FUZZ_LEAD_IDS", "").split(","))),
}


@schemathesis.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    if not path_parameters:  # an operation without path parameters
        return st.just(path_parameters)
    choices = {
        name: st.one_of(st.just(value), st.sampled_from(_SEEDED[name]))
        for name, value in path_parameters.items()
        if _SEEDED.get(name)
    }
    return st.fixed_dictionaries(choices).map(lambda seeded: {**path_parameters, **seeded})
