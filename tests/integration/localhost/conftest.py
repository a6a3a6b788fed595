"""A local host on the sample app, shared by the tests of a module, against the session Azurite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.localhost.support import (
    SampleHost,
    SampleNames,
    sample_env,
    serving,
    write_script_root,
)
from tests.support.azurite import Azurite


@pytest.fixture(scope="module")
def sample_host(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleHost]:
    """The host on the sample app. The timer schedule comes from local.settings.json; the
    queue name set there must lose to the environment."""
    names = SampleNames()
    root = write_script_root(
        tmp_path_factory.mktemp("localhost"),
        local_values={
            "SAMPLE_TIMER_SCHEDULE": "*/1 * * * * *",
            "SAMPLE_OK_QUEUE": "must-not-win",
        },
    )
    env = sample_env(azurite, names)
    del env["SAMPLE_TIMER_SCHEDULE"]
    with serving(azurite, root, env, names) as host:
        yield host
