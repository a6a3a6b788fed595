"""Start-up check: can two HTTP routes of one method match the same URL?

The Functions host takes the first matching route in function-name order, not the most
specific one (see `routing`), so an app whose routes overlap works by luck of its names: on
Azure `leads/{leadId}` may well answer `leads/export`. Every such pair is refused, naming both.

The check errs on the side of refusing: two parameter segments are taken to share a value
unless their constraints provably exclude each other (kinds such as `int` against `alpha`, or
length bounds that do not meet); two regexes are assumed to overlap. Keep routes apart with a
literal segment, or by testing a literal against a constraint (`export` fails `[0-9a-f]{32}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from tools.localhost.route_constraints import EXCLUSIVE_KINDS, UNBOUNDED
from tools.localhost.route_templates import Parameter, RouteTemplate, Segment


@dataclass(frozen=True)
class HttpRoute:
    function: str
    template: RouteTemplate
    methods: frozenset[str] | None  # None: every method

    def describe(self) -> str:
        methods = ",".join(sorted(self.methods)) if self.methods else "every method"
        return f"'{self.function}' ({methods} {self.template.text or '/'})"


def overlap_errors(routes: Sequence[HttpRoute]) -> list[str]:
    """One message per pair of routes that share a method and can match one URL."""
    return [
        f"Functions {first.describe()} and {second.describe()} can both match one URL: the "
        "Functions host picks by function name, not by route precedence, so make the routes "
        "disjoint (e.g. constrain the parameter: {id:guid}, {id:regex(^...$)})"
        for first, second in combinations(routes, 2)
        if _share_a_method(first, second) and templates_overlap(first.template, second.template)
    ]


def _share_a_method(first: HttpRoute, second: HttpRoute) -> bool:
    if first.methods is None or second.methods is None:
        return True
    return bool(first.methods & second.methods)


def _lengths(template: RouteTemplate) -> tuple[int, int]:
    """How many path segments the template can match: (fewest, most)."""
    segments = template.segments
    required = sum(1 for s in segments if not (s.parameter and s.parameter.optional))
    catch_all = bool(segments) and bool(segments[-1].parameter and segments[-1].parameter.catch_all)
    return required, UNBOUNDED if catch_all else len(segments)


def _segment_at(template: RouteTemplate, index: int) -> Segment:
    segments = template.segments
    return segments[index] if index < len(segments) else segments[-1]  # a catch-all's share


def templates_overlap(first: RouteTemplate, second: RouteTemplate) -> bool:
    """Whether some path could match both templates (see the module note on what is assumed)."""
    low = max(_lengths(first)[0], _lengths(second)[0])
    high = min(_lengths(first)[1], _lengths(second)[1])
    # Past the longer template, only catch-alls take more segments: one more length covers it.
    high = min(high, max(len(first.segments), len(second.segments)) + 1)
    return any(
        all(
            _segments_overlap(_segment_at(first, index), _segment_at(second, index))
            for index in range(count)
        )
        for count in range(low, high + 1)
    )


def _segments_overlap(first: Segment, second: Segment) -> bool:
    if first.literal is not None and second.literal is not None:
        return first.literal.casefold() == second.literal.casefold()
    if first.literal is not None or second.literal is not None:
        literal, other = (first, second) if first.literal is not None else (second, first)
        return _is_catch_all(other) or other.bind(literal.literal or "", {})
    if first.parameter is not None and second.parameter is not None:
        return _parameters_overlap(first.parameter, second.parameter)
    return True  # a segment mixing text and parameters: assumed to overlap


def _is_catch_all(segment: Segment) -> bool:
    # Its constraints apply to the whole rest of the path, not to one segment: assume a match.
    return segment.parameter is not None and segment.parameter.catch_all


def _parameters_overlap(first: Parameter, second: Parameter) -> bool:
    if first.catch_all or second.catch_all:
        return True
    kinds = {c.kind for c in first.constraints}, {c.kind for c in second.constraints}
    if any(frozenset({a, b}) in EXCLUSIVE_KINDS for a in kinds[0] for b in kinds[1]):
        return False
    bounds = [c.lengths for c in (*first.constraints, *second.constraints)]
    shortest = max([1, *(low for low, _ in bounds)])  # a path segment is never empty
    longest = min([UNBOUNDED, *(high for _, high in bounds)])
    return shortest <= longest
