"""ASP.NET Core style route templates and matching, as the Functions host applies them.

Precedence follows ASP.NET Core's inbound route precedence: segment by segment, a literal beats
a complex segment, which beats a constrained parameter, which beats a plain one, and catch-alls
come last. So `leads/export` wins over `leads/{leadId}` whatever the registration order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

from tools.localhost.route_constraints import CONSTRAINTS

T = TypeVar("T")

_PARAM = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RouteTemplateError(ValueError):
    """A route template the local host cannot serve (the message says what is wrong)."""


@dataclass(frozen=True)
class _Parameter:
    name: str
    constraints: tuple[str, ...]
    optional: bool
    catch_all: bool

    def accepts(self, value: str) -> bool:
        return all(CONSTRAINTS[name](value) for name in self.constraints)


@dataclass(frozen=True)
class _Segment:
    """One `/`-separated part: a literal, a single parameter, or literal text mixed with params."""

    literal: str | None = None
    parameter: _Parameter | None = None
    pattern: re.Pattern[str] | None = None
    parts: tuple[_Parameter, ...] = ()

    @property
    def rank(self) -> int:
        """ASP.NET Core's per-segment precedence digit: lower is more specific."""
        if self.literal is not None:
            return 1
        if self.parameter is None:
            return 2
        return (5 if self.parameter.catch_all else 3) + (0 if self.parameter.constraints else 1)


def _parse_parameter(body: str, template: str) -> _Parameter:
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    name, *constraints = body.split(":")
    optional = name.endswith("?") or (bool(constraints) and constraints[-1].endswith("?"))
    name = name.rstrip("?")
    constraints = [constraint.rstrip("?") for constraint in constraints]
    if not _NAME.match(name):
        raise RouteTemplateError(f"route '{template}': bad parameter name '{name}'")
    for constraint in constraints:
        if constraint.lower() not in CONSTRAINTS:
            raise RouteTemplateError(
                f"route '{template}': constraint '{constraint}' is not supported by the local "
                f"host (supported: {', '.join(CONSTRAINTS)})"
            )
    lowered = tuple(constraint.lower() for constraint in constraints)
    return _Parameter(name, lowered, optional or catch_all, catch_all)


def _parse_segment(text: str, template: str) -> _Segment:
    if "{" not in text and "}" not in text:
        return _Segment(literal=text)
    whole = _PARAM.fullmatch(text)
    if whole is not None:
        return _Segment(parameter=_parse_parameter(whole.group(1), template))
    parts = tuple(_parse_parameter(body, template) for body in _PARAM.findall(text))
    literals = _PARAM.split(text)[::2]
    if any("{" in literal or "}" in literal for literal in literals) or any(
        part.optional for part in parts
    ):
        raise RouteTemplateError(f"route '{template}': unsupported segment '{text}'")
    regex = "".join(
        re.escape(literal) + ("(.+)" if index < len(parts) else "")
        for index, literal in enumerate(literals)
    )
    return _Segment(pattern=re.compile(regex, re.IGNORECASE), parts=parts)


class RouteTemplate:
    """A parsed route template such as `leads/{leadId:guid}/notes/{*rest}`."""

    def __init__(self, template: str) -> None:
        texts = template.strip("/").split("/") if template.strip("/") else []
        if any(text == "" for text in texts):
            raise RouteTemplateError(f"route '{template}': empty segment")
        self.segments = tuple(_parse_segment(text, template) for text in texts)
        for index, segment in enumerate(self.segments):
            parameter = segment.parameter
            rest = self.segments[index + 1 :]
            if parameter and parameter.catch_all and rest:
                raise RouteTemplateError(f"route '{template}': a catch-all must be last")
            optional_after = all(later.parameter and later.parameter.optional for later in rest)
            if parameter and parameter.optional and not optional_after:
                raise RouteTemplateError(f"route '{template}': only trailing params are optional")
        self.precedence = tuple(segment.rank for segment in self.segments)

    def match(self, path_segments: list[str]) -> dict[str, str] | None:
        """Route values when the decoded path segments fit this template, else None."""
        values: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            parameter = segment.parameter
            if parameter is not None and parameter.catch_all:
                return _bind_rest(parameter, "/".join(path_segments[index:]), values)
            if index >= len(path_segments):
                # Only trailing optional parameters may be missing (checked at parse time).
                return values if parameter is not None and parameter.optional else None
            if not _bind(segment, path_segments[index], values):
                return None
        return values if len(path_segments) == len(self.segments) else None


def _bind_rest(parameter: _Parameter, rest: str, values: dict[str, str]) -> dict[str, str] | None:
    """A catch-all takes the rest of the path, possibly nothing (then it is left out)."""
    if rest and not parameter.accepts(rest):
        return None
    if rest:
        values[parameter.name] = rest
    return values


def _bind(segment: _Segment, value: str, values: dict[str, str]) -> bool:
    """Match one path segment, recording route values; literals compare case-insensitively."""
    if segment.literal is not None:
        return value.casefold() == segment.literal.casefold()
    if segment.parameter is not None:
        values[segment.parameter.name] = value
        return segment.parameter.accepts(value)
    found = segment.pattern.fullmatch(value) if segment.pattern else None
    if found is None:
        return False
    for parameter, text in zip(segment.parts, found.groups(), strict=True):
        values[parameter.name] = text
    return all(parameter.accepts(values[parameter.name]) for parameter in segment.parts)


def split_path(path: str) -> list[str]:
    """Percent-decoded, non-empty path segments; a trailing slash does not matter."""
    return [unquote(part) for part in path.split("/") if part]


@dataclass(frozen=True)
class RouteMatch(Generic[T]):
    target: T
    route_params: dict[str, str]


@dataclass(frozen=True)
class _Route(Generic[T]):
    template: RouteTemplate
    methods: frozenset[str] | None
    target: T


class Router(Generic[T]):
    """Routes (method, path) to a target; most specific template first."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix.strip("/")
        self._routes: list[_Route[T]] = []

    def add(self, route: str, methods: Iterable[str] | None, target: T) -> None:
        template = RouteTemplate(f"{self.prefix}/{route.strip('/')}")
        allowed = frozenset(method.upper() for method in methods) if methods else None
        self._routes.append(_Route(template, allowed, target))
        # A stable sort keeps registration order between equally specific templates.
        self._routes.sort(key=lambda entry: entry.template.precedence)

    def match(self, method: str, path: str) -> RouteMatch[T] | None:
        """The best route for this method and path; None means 404, method mismatch included.

        The Functions host answers 404, not 405, when only the method differs.
        """
        segments = split_path(path)
        for route in self._routes:
            if route.methods is not None and method.upper() not in route.methods:
                continue
            values = route.template.match(segments)
            if values is not None:
                return RouteMatch(route.target, values)
        return None
