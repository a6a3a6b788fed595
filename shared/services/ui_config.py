"""What the partner UI needs to know before anyone signs in (`GET /api/ui-config`), and the
Content-Security-Policy its pages are served with: both follow from the same settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from shared.domain.model import ApiModel

# The page that receives Entra ID's answer (MSAL's redirect bridge), under the UI's base path.
MSAL_REDIRECT_PAGE = "auth-redirect.html"


class MsalConfig(ApiModel):
    client_id: str
    authority: str
    scopes: list[str]
    redirect_page: str = MSAL_REDIRECT_PAGE


class UiConfig(ApiModel):
    msal: MsalConfig | None
    dev_sign_in: bool
    hot_window_hours: int
    respond_window_days: int


def dev_sign_in_allowed(*, enabled: bool, has_key: bool, on_platform: bool) -> bool:
    """The dev sign-in works only when asked for, with a key, and never on the platform."""
    return enabled and has_key and not on_platform


def msal_config(
    *, client_id: str | None, authority: str | None, scopes: str, issuer: str, audience: str
) -> MsalConfig | None:
    """MSAL's settings, or None without a client id. The authority defaults to the token issuer
    (Entra ID's `https://login.microsoftonline.com/<tenant>/v2.0` less its version), the scope to
    the API's `access_as_user`."""
    if not client_id:
        return None
    return MsalConfig(
        client_id=client_id,
        authority=authority or issuer.removesuffix("/v2.0"),
        scopes=scopes.split() or [_default_scope(audience)],
    )


class UiSetup:
    def __init__(
        self,
        *,
        msal: MsalConfig | None,
        dev_sign_in: bool,
        hot_window_hours: int,
        respond_window_days: int,
    ) -> None:
        self._config = UiConfig(
            msal=msal,
            dev_sign_in=dev_sign_in,
            hot_window_hours=hot_window_hours,
            respond_window_days=respond_window_days,
        )

    def config(self) -> UiConfig:
        return self._config

    def content_security_policy(self) -> str:
        """Everything from this origin only; the sign-in origin is added only when MSAL is used
        (its token requests, and the hidden frame of a silent renewal)."""
        msal = self._config.msal
        login = _origin(msal.authority) if msal else None
        return "; ".join(
            (
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self'",
                "font-src 'self'",
                f"connect-src 'self' {login}" if login else "connect-src 'self'",
                f"frame-src {login}" if login else "frame-src 'none'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            )
        )


def _default_scope(audience: str) -> str:
    resource = audience if "://" in audience else f"api://{audience}"
    return f"{resource.rstrip('/')}/access_as_user"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        return None
    return f"https://{parts.netloc}"
