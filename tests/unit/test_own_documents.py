"""The product's documents live in the repo: code and docs cite docs/, never a folder outside the
repository, and never an issue tracker's numbers (issues close; the docs stay true)."""

from __future__ import annotations

import re
import subprocess

from tests.support.azurite import REPO_ROOT

DOCS = (
    "docs/behaviour.md",
    "docs/http-contract.md",
    "docs/architecture.md",
    "docs/operations.md",
)
OUTSIDE = re.compile(
    r"SPEC\.md|API\.md|DESIGN\.md|PLATFORM-NOTES|\.\./shared|/work/shared|\bissue \d"
)
CITED = re.compile(r"docs/([a-z-]+\.md)")


def _tracked() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    own = ("functions/", "shared/", "tools/", "infra/", "ui/", "bench/", "tests/", "docs/")
    return [
        name
        for name in listed.stdout.split()
        if (name.startswith(own) or name in ("README.md", "Makefile", "function_app.py"))
        and not name.startswith("ui/vendor/")
        and (REPO_ROOT / name).is_file()
    ]


def test_nothing_cites_documents_outside_the_repo_or_issue_numbers() -> None:
    found = []
    for name in _tracked():
        if name == "tests/unit/test_own_documents.py":
            continue
        text = (REPO_ROOT / name).read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {match.group(0)}" for match in OUTSIDE.finditer(text)]
    assert found == []


def test_the_documents_cited_exist() -> None:
    for doc in DOCS:
        assert (REPO_ROOT / doc).is_file(), doc
    cited = {
        match.group(1)
        for name in _tracked()
        for match in CITED.finditer(
            (REPO_ROOT / name).read_text(encoding="utf-8", errors="replace")
        )
    }
    assert {"behaviour.md", "http-contract.md"} <= cited
    assert {f"docs/{name}" for name in cited} <= set(DOCS)
