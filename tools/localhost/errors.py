"""The one exception the local host raises for a start-up it refuses."""

from __future__ import annotations


class StartupError(Exception):
    """The host refuses to start; the message says why, as the real Functions host would."""
