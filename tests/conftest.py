"""Fixtures shared by every test layer: a real Azurite per test worker, unique names per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.azurite import Azurite


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One in-memory Azurite per pytest worker, on free ports; stopped when the worker ends."""
    server = Azurite.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def unique_name() -> str:
    """A short name unique to this test, valid as a table prefix and inside queue names."""
    return "t" + uuid.uuid4().hex[:12]
