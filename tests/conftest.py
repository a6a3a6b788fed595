"""Fixtures shared by every test layer: a real Azurite per test worker, unique names per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.azurite import Azurite
from tests.support.sendgrid_capture import SendGridCapture, running_capture


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One in-memory Azurite per pytest worker, on free ports; stopped when the worker ends."""
    server = Azurite.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sendgrid_capture() -> Iterator[SendGridCapture]:
    """One SendGrid-compatible capture server per pytest worker; tests script it by recipient."""
    with running_capture() as capture:
        yield capture


@pytest.fixture
def unique_name() -> str:
    """A short name unique to this test, valid as a table prefix and inside queue names."""
    return "t" + uuid.uuid4().hex[:12]
