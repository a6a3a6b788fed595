"""In Azure the UI signs in with Entra ID through MSAL, shipped with the app. Entra ID is out of
reach here, so its endpoints are answered by the test: what is checked is that the library loads
under the CSP and starts the authorization-code flow with the configured client, scopes and
redirect page."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Route, expect

from tests.support.azurite import free_port
from tools.localhost.process import start_host_process

LOGIN = "https://login.microsoftonline.com"
TENANT = "contoso-tenant"
CLIENT_ID = "11111111-aaaa-bbbb-cccc-222222222222"
SCOPE = "api://leads-test/access_as_user"


@pytest.fixture(scope="module")
def msal_ui_url(ui_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    settings = {
        **ui_env,
        "UI_CLIENT_ID": CLIENT_ID,
        "UI_AUTHORITY": f"{LOGIN}/{TENANT}",
        "UI_SCOPES": SCOPE,
        "DEV_SIGN_IN_ENABLED": "false",
    }
    host = start_host_process(
        port=free_port(),
        log_path=tmp_path_factory.mktemp("msal-host") / "host.log",
        env={**runtime, **settings},
    )
    try:
        yield f"{host.base_url}/api/ui/"
    finally:
        host.stop()


def _entra(route: Route) -> None:
    """Entra ID's discovery documents, as the real service answers them (trimmed)."""
    url = route.request.url
    if "/discovery/instance" in url:
        body = {
            "tenant_discovery_endpoint": f"{LOGIN}/{TENANT}/v2.0/.well-known/openid-configuration",
            "metadata": [{"preferred_network": "login.microsoftonline.com",
                          "preferred_cache": "login.windows.net",
                          "aliases": ["login.microsoftonline.com", "login.windows.net"]}],
        }  # fmt: skip
    elif "openid-configuration" in url:
        body = {
            "issuer": f"{LOGIN}/{TENANT}/v2.0",
            "authorization_endpoint": f"{LOGIN}/{TENANT}/oauth2/v2.0/authorize",
            "token_endpoint": f"{LOGIN}/{TENANT}/oauth2/v2.0/token",
            "end_session_endpoint": f"{LOGIN}/{TENANT}/oauth2/v2.0/logout",
            "jwks_uri": f"{LOGIN}/{TENANT}/discovery/v2.0/keys",
        }
    else:  # the sign-in page itself: a stand-in
        route.fulfill(status=200, content_type="text/html", body="<title>Entra ID</title>")
        return
    route.fulfill(
        status=200,
        content_type="application/json",
        headers={"Access-Control-Allow-Origin": "*"},
        body=json.dumps(body),
    )


def test_sign_in_with_microsoft_starts_msals_code_flow(
    context: BrowserContext, msal_ui_url: str
) -> None:
    context.route(f"{LOGIN}/**", _entra)
    page = context.new_page()
    response = page.goto(msal_ui_url)
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert f"connect-src 'self' {LOGIN}" in policy
    expect(page.get_by_role("heading", name="Sign in to Partner leads")).to_be_visible()
    expect(page.get_by_role("heading", name="Dev sign-in")).to_have_count(0)
    with page.expect_request(lambda request: "/oauth2/v2.0/authorize" in request.url) as sent:
        page.get_by_role("button", name="Sign in with Microsoft").click()
    query = parse_qs(urlsplit(sent.value.url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"{msal_ui_url}auth-redirect.html"]
    assert SCOPE in query["scope"][0].split()
