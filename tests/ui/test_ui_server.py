"""How the host serves the UI (no browser): content types, caching, security headers, path
traversal, the start-up config and the dev sign-in."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.auth import bearer

SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _assets(index: str) -> str:
    found = re.search(r'name="ui-assets" content="([^"]+)"', index)
    assert found, index
    return found[1]


def test_the_shell_is_served_fresh_with_a_strict_policy(ui_url: str) -> None:
    for path in ("", "leads/abc123", "insights", "settings"):
        response = requests.get(ui_url + path, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-cache"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "connect-src 'self'" in policy
        assert "unsafe" not in policy
        assert "http" not in policy
        assert SECURITY.items() <= response.headers.items()
        assert "<script>" not in response.text
        assert " style=" not in response.text
        assert "{{" not in response.text


def test_versioned_assets_are_immutable_and_typed(ui_url: str) -> None:
    index = requests.get(ui_url, timeout=10).text
    assets = _assets(index)
    assert re.fullmatch(r"/api/ui/v/[0-9a-f]{16}/", assets)
    origin = ui_url.split("/api/", maxsplit=1)[0]
    expected = {
        "js/app.js": "text/javascript; charset=utf-8",
        "app.css": "text/css; charset=utf-8",
        "icons.svg": "image/svg+xml",
        "vendor/msal-browser.min.js": "text/javascript; charset=utf-8",
    }
    for file, content_type in expected.items():
        response = requests.get(f"{origin}{assets}{file}", timeout=10)
        assert response.status_code == 200, file
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert SECURITY.items() <= response.headers.items()
    stale = requests.get(f"{ui_url}v/0000000000000000/app.css", timeout=10)
    assert (stale.status_code, stale.headers["Cache-Control"]) == (200, "no-cache")
    again = requests.get(
        f"{origin}{assets}app.css", headers={"If-None-Match": stale.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "..%2F..%2Ffunction_app.py",
        "%2e%2e/%2e%2e/host.json",
        "v/x/..%2F..%2F..%2Fshared%2Fconfig.py",
        "vendor/..%2F..%2Flocal.settings.json",
        ".funcignore",
        "js/.hidden.js",
        "..\\..\\host.json",
        "app.css%00.js",
        "missing.js",
        "index.py",
    ],
)
def test_paths_outside_the_ui_or_unknown_files_are_404(api_url: str, path: str) -> None:
    response = requests.get(f"{api_url}/ui/{path}", timeout=10)
    assert response.status_code == 404, path
    assert "Content-Security-Policy" in response.headers


def test_ui_config_tells_the_page_how_to_sign_in(api_url: str) -> None:
    response = requests.get(f"{api_url}/ui-config", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "msal": None, "devSignIn": True, "hotWindowHours": 72, "respondWindowDays": 14,
    }  # fmt: skip


def test_the_dev_sign_in_mints_a_token_the_api_accepts(api_url: str, desk_partner: str) -> None:
    response = requests.post(
        f"{api_url}/dev-sign-in",
        json={
            "partnerId": desk_partner,
            "roles": ["Referrals.User"],
            "name": "Ana",
            "email": "ana@x.example",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    token = response.json()["accessToken"]
    listed = requests.get(
        f"{api_url}/leads", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert listed.status_code == 200
    refused = requests.post(
        f"{api_url}/dev-sign-in",
        json={"partnerId": desk_partner, "roles": ["Leads.Operator"]},
        timeout=10,
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "roles"


def test_the_ui_routes_are_anonymous_but_the_data_is_not(api_url: str) -> None:
    assert requests.get(f"{api_url}/leads", timeout=10).status_code == 401
    assert (
        requests.get(f"{api_url}/leads", headers=bearer("Referrals.Admin"), timeout=10).status_code
        == 403
    )


def test_the_msal_redirect_page_and_its_bridge_are_served(ui_url: str) -> None:
    page = requests.get(f"{ui_url}auth-redirect.html", timeout=10)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-cache"
    origin = ui_url.split("/api/", maxsplit=1)[0]
    scripts = re.findall(r'src="([^"]+)"', page.text)
    assert any(src.endswith("vendor/msal-redirect-bridge.min.js") for src in scripts)
    for src in scripts:
        assert requests.get(origin + src, timeout=10).status_code == 200, src
