"""The partner's Team and routing in the Partners table, beside the partner's `profile` row:

    member|<memberId>   a Team member: who they are (users), availability, weight, last seen
    routing             the routing rules and settings (JSON), ETag-versioned

A pool's rotation counter lives in the Leads partition (`P|<poolKey>`, lead_rows.py), so the
batch that assigns a lead also advances it.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.errors import ConcurrentModification
from shared.domain.routing import RoutingSettings
from shared.domain.team import MemberKind, TeamMember
from shared.services.ports import PoolTurn
from shared.services.team_ports import StoredMember

MEMBER_PREFIX = "member|"
ROUTING_ROW = "routing"


class TableTeamStore:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def members(self, partner_id: str) -> list[TeamMember]:
        query = "PartitionKey eq @partner and RowKey ge @start and RowKey lt @end"
        parameters = {
            "partner": partner_id,
            "start": MEMBER_PREFIX,
            "end": rows.key_after(MEMBER_PREFIX),
        }
        with translate_storage_errors():
            return [_member(e) for e in self._table.query_entities(query, parameters=parameters)]

    def find(self, partner_id: str, member_id: str) -> StoredMember | None:
        with translate_storage_errors():
            try:
                entity = self._table.get_entity(partner_id, MEMBER_PREFIX + member_id)
            except ResourceNotFoundError:
                return None
        return StoredMember(_member(entity), entity.metadata.get("etag"))

    def record_user(self, partner_id: str, member: TeamMember, etag: str | None) -> None:
        entity = _entity(partner_id, member)
        with translate_storage_errors():
            try:
                if etag is None:
                    self._table.create_entity(entity)
                    return
                del entity["Available"], entity["Weight"]  # the admin's, never the visit's
                self._table.update_entity(
                    entity,
                    mode=UpdateMode.MERGE,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                )
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError):
                raise ConcurrentModification("The member was recorded meanwhile.") from None

    def save_settings(self, partner_id: str, member: TeamMember) -> None:
        with translate_storage_errors():
            self._table.upsert_entity(_entity(partner_id, member), mode=UpdateMode.MERGE)

    # -- routing ---------------------------------------------------------------------------

    def get(self, partner_id: str) -> tuple[RoutingSettings, str | None]:
        with translate_storage_errors():
            try:
                entity = self._table.get_entity(partner_id, ROUTING_ROW)
            except ResourceNotFoundError:
                return RoutingSettings(), None
        settings = RoutingSettings.model_validate_json(rows.unchunked(entity, "Doc"))
        return settings, entity.metadata.get("etag")

    def put(self, partner_id: str, settings: RoutingSettings, etag: str | None) -> str:
        entity = {"PartitionKey": partner_id, "RowKey": ROUTING_ROW}
        entity |= rows.chunked("Doc", settings.model_dump_json())
        with translate_storage_errors():
            try:
                if etag is None:
                    metadata = self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
                else:
                    metadata = self._table.update_entity(
                        entity,
                        mode=UpdateMode.REPLACE,
                        etag=etag,
                        match_condition=MatchConditions.IfNotModified,
                    )
            except (ResourceModifiedError, ResourceNotFoundError):
                raise ConcurrentModification("The routing changed meanwhile.") from None
        return str(metadata.get("etag"))


class TablePoolRotation:
    """Reads a pool's counter `P|<poolKey>` in the partner's Leads partition."""

    def __init__(self, table: TableClient) -> None:
        self._table = table

    def next_turn(self, partner_id: str, pool_key: str) -> PoolTurn:
        entity: Any = None
        with translate_storage_errors(), contextlib.suppress(ResourceNotFoundError):
            entity = self._table.get_entity(partner_id, f"{rows.ROTATION}{pool_key}")
        if entity is None:
            return PoolTurn(partner_id, pool_key, 0, None)
        return PoolTurn(
            partner_id, pool_key, int(entity.get("NextTurn", 0)), entity.metadata.get("etag")
        )


def _entity(partner_id: str, member: TeamMember) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "PartitionKey": partner_id,
        "RowKey": MEMBER_PREFIX + member.id,
        "Kind": member.kind.value,
        "Available": member.available,
        "Weight": member.weight,
    }
    if member.kind is MemberKind.USER:
        entity |= {
            "Name": member.name,
            "Email": member.email or "",
            "UserId": member.user_id or "",
            "SeenOn": member.last_seen_on.isoformat() if member.last_seen_on else "",
            "IsAdmin": member.is_admin,
        }
    return entity


def _member(entity: Any) -> TeamMember:
    seen = entity.get("SeenOn") or None
    return TeamMember(
        id=entity["RowKey"].removeprefix(MEMBER_PREFIX),
        kind=MemberKind(entity.get("Kind") or MemberKind.USER.value),
        name=entity.get("Name") or "",
        email=entity.get("Email") or None,
        available=bool(entity.get("Available", True)),
        weight=int(entity.get("Weight") or 1),
        user_id=entity.get("UserId") or None,
        last_seen_on=date.fromisoformat(seen) if seen else None,
        is_admin=bool(entity.get("IsAdmin", False)),
    )
