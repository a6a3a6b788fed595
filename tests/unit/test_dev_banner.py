"""`make run`'s banner tells a newcomer with their own token issuer what its tokens must carry."""

from __future__ import annotations

import pytest

from tools.dev import _banner


def test_with_an_own_issuer_the_banner_names_the_issuer_and_audience_to_sign_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUTH_ISSUER", "https://issuer.example/v2.0")
    monkeypatch.setenv("AUTH_AUDIENCE", "api://leads-test")
    text = _banner("http://localhost:1", "http://localhost:1/api/intake/x", own_issuer=True)
    assert "iss https://issuer.example/v2.0 (AUTH_ISSUER)" in text
    assert "aud api://leads-test" in text
    assert "$OPERATOR_TOKEN" in text


def test_with_the_dev_key_the_banner_points_at_make_token() -> None:
    text = _banner("http://localhost:1", "http://localhost:1/api/intake/x", own_issuer=False)
    assert "make token" in text
    assert "AUTH_ISSUER" not in text
