"""The change feed's operation and the CloudEvent it serves, for OpenAPI (webhooks reuse it).

The event's `data` is `LeadView` without `etag` and `favorite`, plus `version`: built from
LeadView's own fields, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model

from functions.openapi_operation import Operation, query_params
from shared.domain.model import ApiModel
from shared.services.change_feed import EventQuery
from shared.services.event_ports import LEAD_EVENT_TYPES
from shared.services.lead_view import LeadView

_NOT_IN_EVENTS = ("etag", "favorite")

LeadEventData: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "LeadEventData",
    __base__=ApiModel,
    __doc__="The lead as GET /api/leads/{leadId} shows it to an admin at the change, without"
    " `etag` (use `version`) and `favorite` (a user's own mark).",
    version=(
        int,
        Field(description="Grows by one with every change of the lead: keep the highest seen."),
    ),
    **{
        name: (info.annotation, info)
        for name, info in LeadView.model_fields.items()
        if name not in _NOT_IN_EVENTS
    },
)


class _CloudEventAttributes(BaseModel):
    # CloudEvents attribute names are lowercase by the spec: no camelCase aliases here.
    model_config = ConfigDict(extra="forbid")

    specversion: Literal["1.0"]
    id: str = Field(description="Unique per event (with `source`): deduplicate on it.")
    source: str = Field(description="`/partners/{partnerId}/leads`.")
    type: str = Field(json_schema_extra={"enum": list[JsonValue](sorted(LEAD_EVENT_TYPES))})
    time: datetime = Field(description="When the change happened.")
    subject: str = Field(description="The lead's id.")
    datacontenttype: Literal["application/json"]
    leadversion: int = Field(description="The lead's `version` after the change (extension).")


LeadCloudEvent: type[BaseModel] = create_model(
    "LeadCloudEvent",
    __base__=_CloudEventAttributes,
    __doc__="A change of a lead: CloudEvents 1.0, structured JSON.",
    data=(LeadEventData, ...),
)

_EventFeed: type[BaseModel] = create_model(
    "EventFeedPage",
    __base__=ApiModel,
    items=(list[LeadCloudEvent], Field(description="Oldest first.")),
    cursor=(
        str | None,
        Field(
            description="Pass it as `after` next time, also when `items` is empty; null only"
            " while the log has nothing to give yet."
        ),
    ),
    has_more=(
        bool,
        Field(
            description="More settled events follow: call again now. False: poll again later"
            " (an event is served once older than the settle window, about a minute)."
        ),
    ),
)

EVENT_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/events",
        "Your partner's lead events, oldest first, resumable from `cursor` (any partner role);"
        " kept 30 days.",
        "Events", response=_EventFeed, parameters=query_params(EventQuery),
    ),
)  # fmt: skip

__all__ = ["EVENT_OPERATIONS", "LeadCloudEvent", "LeadEventData"]
