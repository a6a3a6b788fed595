"""Serving the partner UI's files: which file a path means, its headers, and nothing outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.directory_asset_store import DirectoryAssetStore
from shared.services.ui_pages import IMMUTABLE, REVALIDATE, UiPages, safe_parts

BASE = "/api/ui/"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ui = tmp_path / "ui"
    (ui / "js").mkdir(parents=True)
    (ui / "index.html").write_text('<script src="{{assets}}js/app.js"></script><a href="{{base}}">')
    (ui / "js" / "app.js").write_text("export const x = 1;")
    (ui / "notes.md").write_text("not served: unknown type")
    (ui / ".secret.js").write_text("hidden")
    (tmp_path / "outside.js").write_text("outside the ui folder")
    return ui


@pytest.fixture
def pages(root: Path) -> UiPages:
    return UiPages(store=DirectoryAssetStore(root), content_security_policy="default-src 'self'")


def test_pages_of_the_app_are_the_shell_with_its_asset_paths(pages: UiPages, root: Path) -> None:
    version = DirectoryAssetStore(root).version()
    for path in ("", "leads/abc", "insights", "settings/"):
        page = pages.serve(path, base=BASE)
        assert page.status == 200
        assert page.headers["Cache-Control"] == REVALIDATE
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page.body == (
            f'<script src="/api/ui/v/{version}/js/app.js"></script><a href="/api/ui/">'.encode()
        )
        assert page.headers["Content-Security-Policy"] == "default-src 'self'"
        assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_current_versions_are_immutable_and_old_ones_revalidate(pages: UiPages, root: Path) -> None:
    version = DirectoryAssetStore(root).version()
    current = pages.serve(f"v/{version}/js/app.js", base=BASE)
    assert (current.status, current.headers["Cache-Control"]) == (200, IMMUTABLE)
    assert current.headers["Content-Type"] == "text/javascript; charset=utf-8"
    old = pages.serve("v/0123456789abcdef/js/app.js", base=BASE)
    assert (old.status, old.headers["Cache-Control"]) == (200, REVALIDATE)
    again = pages.serve(f"v/{version}/js/app.js", base=BASE, if_none_match=current.headers["ETag"])
    assert (again.status, again.body) == (304, b"")


def test_the_version_follows_the_files(pages: UiPages, root: Path) -> None:
    store = DirectoryAssetStore(root)
    before = store.version()
    (root / "js" / "app.js").write_text("export const x = 2;")
    assert store.version() != before


@pytest.mark.parametrize(
    "path",
    ["../outside.js", "v/x/../../outside.js", "js/../../outside.js", ".secret.js",
     "js//app.js", "js\\app.js", "app.js\x00.html", "C:/windows/win.ini", "notes.md",
     "missing.js", "./js/app.js"],
)  # fmt: skip
def test_nothing_outside_the_folder_hidden_or_unknown_is_served(pages: UiPages, path: str) -> None:
    page = pages.serve(path, base=BASE)
    assert page.status == 404
    assert page.headers["Content-Security-Policy"]


def test_a_symlink_out_of_the_folder_is_not_followed(pages: UiPages, root: Path) -> None:
    (root / "js" / "link.js").symlink_to(root.parent / "outside.js")
    assert pages.serve("js/link.js", base=BASE).status == 404


def test_safe_parts_splits_only_clean_paths() -> None:
    assert safe_parts("") == ()
    assert safe_parts("leads/abc/") == ("leads", "abc")
    assert safe_parts("a/../b") is None
    assert safe_parts("/etc/passwd") is None
