"""ASP.NET Core route templates as the Functions host parses them: literals, `{name}`,
`{name:constraint(argument)}`, `{name?}`, `{*rest}`, and `{{` / `}}` for a literal brace (also
inside a constraint's argument, e.g. `{id:regex(^[0-9a-f]{{32}}$)}`)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from tools.localhost.route_constraints import Constraint, build_constraint

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RouteTemplateError(ValueError):
    """A route template the local host cannot serve (the message says what is wrong)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    constraints: tuple[Constraint, ...]
    optional: bool
    catch_all: bool

    def accepts(self, value: str) -> bool:
        return all(constraint.accepts(value) for constraint in self.constraints)


@dataclass(frozen=True)
class Segment:
    """One `/`-separated part: a literal, a single parameter, or literal text mixed with params."""

    literal: str | None = None
    parameter: Parameter | None = None
    pattern: re.Pattern[str] | None = None
    parts: tuple[Parameter, ...] = ()

    def bind(self, value: str, values: dict[str, str]) -> bool:
        """Match one path segment, recording route values; literals compare case-insensitively."""
        if self.literal is not None:
            return value.casefold() == self.literal.casefold()
        if self.parameter is not None:
            values[self.parameter.name] = value
            return self.parameter.accepts(value)
        found = self.pattern.fullmatch(value) if self.pattern else None
        if found is None:
            return False
        for parameter, text in zip(self.parts, found.groups(), strict=True):
            values[parameter.name] = text
        return all(parameter.accepts(values[parameter.name]) for parameter in self.parts)


def _tokens(text: str, template: str) -> list[tuple[bool, str]]:
    """(is_parameter, text) runs of one segment, with `{{` and `}}` read as literal braces."""
    tokens: list[tuple[bool, str]] = []
    literal, index = "", 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in ("{{", "}}"):
            literal, index = literal + pair[0], index + 2
        elif text[index] == "}":
            raise RouteTemplateError(f"route '{template}': unbalanced '}}' in '{text}'")
        elif text[index] == "{":
            if literal:
                tokens.append((False, literal))
            body, index = _parameter_body(text, index + 1, template)
            tokens.append((True, body))
            literal = ""
        else:
            literal, index = literal + text[index], index + 1
    return [*tokens, (False, literal)] if literal else tokens


def _parameter_body(text: str, index: int, template: str) -> tuple[str, int]:
    body = ""
    while index < len(text):
        pair = text[index : index + 2]
        if pair in ("{{", "}}"):
            body, index = body + pair[0], index + 2
        elif text[index] == "}":
            return body, index + 1
        elif text[index] == "{":
            break
        else:
            body, index = body + text[index], index + 1
    raise RouteTemplateError(f"route '{template}': unbalanced '{{' in '{text}'")


def _until(text: str, stops: str) -> str:
    """The start of `text` up to the first of the `stops` characters."""
    for index, char in enumerate(text):
        if char in stops:
            return text[:index]
    return text


def _split_constraints(text: str) -> list[tuple[str, str | None]]:
    """`:int:regex(^a(b|c)$)` → [("int", None), ("regex", "^a(b|c)$")]. As in ASP.NET, an
    argument ends at the `)` followed by `:`, `?` or the end, so it may hold `(`, `)` and `:`."""
    found: list[tuple[str, str | None]] = []
    while text.startswith(":"):
        name = _until(text[1:], ":(?")
        rest = text[1 + len(name) :]
        argument = None
        if rest.startswith("("):
            ends = [i for i, c in enumerate(rest) if c == ")" and rest[i + 1 : i + 2] in ":?"]
            if not ends:
                raise ValueError(f"constraint '{name}' has an unclosed '('")
            argument, rest = rest[1 : ends[0]], rest[ends[0] + 1 :]
        found.append((name, argument))
        text = rest
    if text not in ("", "?"):
        raise ValueError(f"cannot read '{text}' (default values are not supported)")
    return found


def _parse_parameter(body: str, template: str) -> Parameter:
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    name = _until(body, ":?=")
    rest = body[len(name) :]
    try:
        pairs = _split_constraints(rest)
        constraints = tuple(build_constraint(key, argument) for key, argument in pairs)
    except ValueError as error:
        raise RouteTemplateError(f"route '{template}': {error}") from None
    if not _NAME.match(name):
        raise RouteTemplateError(f"route '{template}': bad parameter name '{name}'")
    optional = rest.endswith("?") or catch_all
    return Parameter(name, constraints, optional, catch_all)


def _parse_segment(text: str, template: str) -> Segment:
    tokens = _tokens(text, template)
    if not any(is_parameter for is_parameter, _ in tokens):
        return Segment(literal="".join(part for _, part in tokens))
    if len(tokens) == 1:
        return Segment(parameter=_parse_parameter(tokens[0][1], template))
    parts = tuple(_parse_parameter(body, template) for is_param, body in tokens if is_param)
    adjacent = any(a[0] and b[0] for a, b in itertools.pairwise(tokens))
    if adjacent or any(part.optional for part in parts):
        raise RouteTemplateError(f"route '{template}': unsupported segment '{text}'")
    regex = "".join("(.+)" if is_param else re.escape(part) for is_param, part in tokens)
    return Segment(pattern=re.compile(regex, re.IGNORECASE), parts=parts)


class RouteTemplate:
    """A parsed route template such as `leads/{leadId:guid}/notes/{*rest}`."""

    def __init__(self, template: str) -> None:
        self.text = template.strip("/")
        texts = self.text.split("/") if self.text else []
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

    def match(self, path_segments: list[str]) -> dict[str, str] | None:
        """Route values when the decoded path segments fit this template, else None."""
        values: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            parameter = segment.parameter
            if parameter is not None and parameter.catch_all:
                rest = "/".join(path_segments[index:])
                if rest and not parameter.accepts(rest):
                    return None
                return {**values, parameter.name: rest} if rest else values
            if index >= len(path_segments):
                # Only trailing optional parameters may be missing (checked at parse time).
                return values if parameter is not None and parameter.optional else None
            if not segment.bind(path_segments[index], values):
                return None
        return values if len(path_segments) == len(self.segments) else None
