"""Serving the partner UI (`/api/ui/...`): which file a path means, and the headers it goes with.

- `v/<version>/<file>`: an asset under the version of the whole asset set. When the version is
  current the URL can never change meaning, so browsers keep it for a year (`immutable`).
- `<file>.<ext>` (e.g. `auth-redirect.html`, `favicon.svg`): the file, revalidated on every use.
- anything else (`''`, `leads/<id>`, `insights`...): a page of the single-page app, i.e.
  `index.html`, revalidated on every use, so a deployment shows at once.

HTML files are templates: `{{base}}` becomes the UI's base path and `{{assets}}` the current
versioned asset path. Every answer carries the security headers, 404s included.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

INDEX = "index.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class AssetStore(Protocol):
    def read(self, parts: tuple[str, ...]) -> bytes | None: ...

    def version(self) -> str: ...


@dataclass(frozen=True)
class UiResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class UiPages:
    def __init__(self, *, store: AssetStore, content_security_policy: str) -> None:
        self._store = store
        self._security = {
            "Content-Security-Policy": content_security_policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }

    def serve(self, path: str, *, base: str, if_none_match: str | None = None) -> UiResponse:
        """`path` is the part after the base (route-decoded); `base` ends with a slash."""
        parts = safe_parts(path)
        if parts is None:
            return self._not_found()
        version = self._store.version()
        if len(parts) >= 3 and parts[0] == "v":
            file, cache = parts[2:], IMMUTABLE if parts[1] == version else REVALIDATE
        elif parts and "." in parts[-1]:
            file, cache = parts, REVALIDATE
        else:
            file, cache = (INDEX,), REVALIDATE
        content_type = CONTENT_TYPES.get(_extension(file[-1]))
        body = self._store.read(file) if content_type else None
        if content_type is None or body is None:
            return self._not_found()
        if file[-1].endswith(".html"):
            body = body.replace(b"{{assets}}", f"{base}v/{version}/".encode()).replace(
                b"{{base}}", base.encode()
            )
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {
            **self._security,
            "Content-Type": content_type,
            "Cache-Control": cache,
            "ETag": etag,
        }
        if if_none_match and etag in (tag.strip() for tag in if_none_match.split(",")):
            return UiResponse(304, b"", headers)
        return UiResponse(200, body, headers)

    def _not_found(self) -> UiResponse:
        headers = {
            **self._security,
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-store",
        }
        return UiResponse(404, b"Not found", headers)


def safe_parts(path: str) -> tuple[str, ...] | None:
    """The path's segments, or None when any could step outside the UI folder or name a hidden
    file: `..`, `.`, empty segments, dotfiles, backslashes, NULs, drive letters."""
    path = path.removesuffix("/")
    if not path:
        return ()
    if any(char in path for char in ("\\", "\x00", ":")):
        return None
    parts = tuple(path.split("/"))
    if any(not part or part.startswith(".") for part in parts):
        return None
    return parts


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""
