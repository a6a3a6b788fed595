"""Routing requests to HTTP functions, as the Functions host does.

The host registers one ASP.NET route per function, in function order, each with an HTTP-method
constraint, and takes the first route that matches: it does not apply ASP.NET Core's route
precedence, so which of two overlapping routes wins depends on the function names, not on how
specific the templates are (GitHub: Azure/azure-functions-host#9876, #6062, #3153; the fix,
Azure/azure-webjobs-sdk-extensions#842, is still open). The local host therefore
refuses an app whose routes overlap (`route_overlap`), and then the order cannot matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

from tools.localhost.route_templates import RouteTemplate, RouteTemplateError

__all__ = ["RouteMatch", "RouteTemplate", "RouteTemplateError", "Router", "split_path"]

T = TypeVar("T")
_ENCODED_SLASH = re.compile(r"(%2[fF])")


def _decode_segment(segment: str) -> str:
    """Percent-decode one segment except `%2F`, which stays as sent: Kestrel decodes the path
    but never an encoded slash (dotnet/aspnetcore#53480), so route values see `a%2Fb`."""
    return "".join(
        part if index % 2 else unquote(part)
        for index, part in enumerate(_ENCODED_SLASH.split(segment))
    )


def split_path(path: str) -> list[str]:
    """Decoded, non-empty path segments; a trailing slash does not matter."""
    return [_decode_segment(part) for part in path.split("/") if part]


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
    """Routes (method, path) to a target: the first route, in the order added, that matches."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix.strip("/")
        self._routes: list[_Route[T]] = []

    def add(self, route: str, methods: Iterable[str] | None, target: T) -> None:
        template = RouteTemplate(f"{self.prefix}/{route.strip('/')}")
        allowed = frozenset(method.upper() for method in methods) if methods else None
        self._routes.append(_Route(template, allowed, target))

    def match(self, method: str, path: str) -> RouteMatch[T] | None:
        """The route for this method and path; None means 404, method mismatch included.

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
