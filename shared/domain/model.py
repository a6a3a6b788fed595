"""Base models for what crosses the API boundary: camelCase on the wire, strict on input."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.field_messages import human_message

ModelT = TypeVar("ModelT", bound=BaseModel)


class ApiModel(BaseModel):
    """A request or response body: camelCase JSON, unknown fields refused so typos surface."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )


def parse_model(model: type[ModelT], data: Any) -> ModelT:
    """Validate `data` as `model`, turning pydantic's error into our 400 with one entry a field.

    Input values are deliberately left out of the messages: they may be personal data.
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = field_errors(error)
        raise InvalidInput(_summary(errors), errors) from None


def _summary(errors: list[FieldError]) -> str:
    """The detail: the one problem, or which fields have one. It names no "body", since most
    models parsed here are query strings, and an operator reading only `detail` must see what
    to change (e.g. an `asOf` without its UTC offset)."""
    if len(errors) == 1:
        only = errors[0]
        return only.message if only.field == "body" else f"{only.field}: {only.message}"
    return f"Invalid fields: {', '.join(dict.fromkeys(e.field for e in errors))}."


def field_errors(error: ValidationError) -> list[FieldError]:
    found = []
    for item in error.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "body"
        found.append(FieldError(field=path, message=human_message(item)))
    return found
