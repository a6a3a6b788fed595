"""local.settings.json loading: Values fill the environment but never overwrite it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.localhost.errors import StartupError
from tools.localhost.settings_file import load_local_settings, local_http_port


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_values_fill_the_environment_without_overwriting_it(tmp_path: Path) -> None:
    path = write(tmp_path, {"IsEncrypted": False, "Values": {"A": "from-file", "B": "from-file"}})
    environ = {"A": "from-env"}
    notices = load_local_settings(path, environ)
    assert environ == {"A": "from-env", "B": "from-file"}
    assert notices == ["Skipping 'A' from local.settings.json: already set in the environment"]


def test_an_empty_environment_value_still_counts_as_set(tmp_path: Path) -> None:
    environ = {"A": ""}
    load_local_settings(write(tmp_path, {"Values": {"A": "x"}}), environ)
    assert environ == {"A": ""}


def test_non_string_values_become_their_json_text(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    load_local_settings(write(tmp_path, {"Values": {"FLAG": True, "COUNT": 3}}), environ)
    assert environ == {"FLAG": "true", "COUNT": "3"}


def test_a_missing_file_changes_nothing(tmp_path: Path) -> None:
    environ = {"A": "1"}
    assert load_local_settings(tmp_path / "local.settings.json", environ) == []
    assert environ == {"A": "1"}


@pytest.mark.parametrize(
    "document", [{"IsEncrypted": True, "Values": {}}, {"Values": ["A"]}, ["not", "an", "object"]]
)
def test_files_the_host_cannot_use_are_refused(tmp_path: Path, document: Any) -> None:
    with pytest.raises(StartupError):
        load_local_settings(write(tmp_path, document), {})


def test_the_local_http_port_comes_from_the_host_section(tmp_path: Path) -> None:
    assert local_http_port(write(tmp_path, {"Values": {}, "Host": {"LocalHttpPort": 7072}})) == 7072
    assert local_http_port(write(tmp_path, {"Values": {}})) is None
    assert local_http_port(tmp_path / "missing.json") is None
