"""The house rules (docs/architecture.md, "Layers and their rules"), checked on every import."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from azure import functions` is the same import as `import azure.functions`.
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _sources(package: str) -> list[Path]:
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"no sources under {package}/"
    return files


@pytest.mark.parametrize("path", _sources("shared"), ids=lambda p: str(p.relative_to(REPO)))
def test_shared_never_imports_azure_functions(path: Path) -> None:
    offending = {name for name in _imports(path) if name.startswith("azure.functions")}
    assert not offending, f"{path} imports {offending}"


def _allowed_in_domain(module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    return (
        top in sys.stdlib_module_names
        or top in {"pydantic", "pydantic_core"}
        or module.startswith("shared.domain")
    )


@pytest.mark.parametrize("path", _sources("shared/domain"), ids=lambda p: str(p.relative_to(REPO)))
def test_domain_imports_only_stdlib_pydantic_and_itself(path: Path) -> None:
    offending = {name for name in _imports(path) if not _allowed_in_domain(name)}
    assert not offending, f"{path} imports {offending}"


def test_the_walker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from azure.functions import HttpRequest\nimport azure.data.tables\n")
    assert {"azure.functions", "azure.data.tables"} <= _imports(sample)
    assert not _allowed_in_domain("azure.data.tables")


def test_function_app_is_the_only_function_app() -> None:
    holders = [
        path
        for folder in ("functions", "shared")
        for path in _sources(folder)
        if "FunctionApp(" in path.read_text()
    ]
    assert holders == []
    assert "FunctionApp(" in (REPO / "function_app.py").read_text()
