"""Emails from the Jinja2 templates in shared/templates: HTML autoescaped, text and subject not.

Lead fields come from strangers: in the HTML part a company named `<script>` arrives as text.
The templates are found next to this package, so they deploy with the code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.services.notification_ports import RenderedEmail

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_SUBJECT_LIMIT = 200
# Control characters (CR/LF included) have no place in a subject line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class JinjaEmailRenderer:
    def __init__(self, folder: Path = TEMPLATES) -> None:
        self._env = Environment(
            loader=FileSystemLoader(folder),
            # Only .html is markup; escaping plain text would show "&amp;" to the reader.
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,  # a typo in a template fails the test, not the email
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, template: str, context: Mapping[str, Any]) -> RenderedEmail:
        subject = self._env.get_template(f"{template}.subject.txt").render(context)
        return RenderedEmail(
            subject=_one_line(subject),
            text=_tidy(self._env.get_template(f"{template}.txt").render(context)),
            html=self._env.get_template(f"{template}.html").render(context),
        )


def _one_line(text: str) -> str:
    line = " ".join(_CONTROL.sub(" ", text).split())
    return line if len(line) <= _SUBJECT_LIMIT else line[: _SUBJECT_LIMIT - 1].rstrip() + "…"


def _tidy(text: str) -> str:
    """At most one blank line in a row, whatever the optional fields left out."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
