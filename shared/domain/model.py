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
        raise InvalidInput("The request body has invalid fields.", field_errors(error)) from None


def field_errors(error: ValidationError) -> list[FieldError]:
    found = []
    for item in error.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "body"
        found.append(FieldError(field=path, message=human_message(item)))
    return found
