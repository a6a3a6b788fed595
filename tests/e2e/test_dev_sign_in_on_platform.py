"""The dev sign-in is refused on the platform: a host where WEBSITE_INSTANCE_ID or
WEBSITE_SITE_NAME is present at all, even empty, answers 404 however the flag is set."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.support.auth import key_pair
from tests.support.hosts import running_host


@pytest.mark.parametrize("marker", ["WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME"])
def test_an_empty_platform_marker_still_refuses_the_dev_sign_in(
    app_env: dict[str, str], tmp_path: Path, marker: str
) -> None:
    env = {
        **app_env,
        "DEV_SIGN_IN_ENABLED": "true",
        "DEV_SIGNING_KEY": key_pair().private_pem.decode(),
        marker: "",
    }
    with running_host(env, tmp_path) as host, requests.Session() as http:
        api = f"{host.base_url}/api"
        body = {"partnerId": "contoso", "roles": ["Referrals.Admin"]}
        refused = http.post(f"{api}/dev-sign-in", json=body, timeout=10)
        assert refused.status_code == 404
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert "accessToken" not in refused.text
        assert http.get(f"{api}/ui-config", timeout=10).json()["devSignIn"] is False
