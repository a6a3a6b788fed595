"""The one Settings object: every app setting the code reads, with its environment name.

Read lazily, once per worker (`load_settings` is called by the composition root, never at import).
Environment variable names are exactly the Azure app-setting names, so `local.settings.json`,
`make run` overrides and the Bicep app settings all speak the same language.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Self

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from shared.domain.errors import ConfigurationError
from shared.domain.webhook_targets import TargetPolicy


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


MAX_DIGEST_THRESHOLD = 500

# Set by App Service / Functions on every instance. Their mere presence, even empty, means "on
# the platform": the one exception to "an empty setting is an unset one".
PLATFORM_MARKERS = ("WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME")


class _PlatformMarkers(PydanticBaseSettingsSource):
    """The platform markers as they are in the environment, empty values included (the env
    source drops empty values, see `env_ignore_empty`)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the two names directly

    def __call__(self) -> dict[str, Any]:
        present = {name.casefold(): name for name in os.environ}
        return {
            marker: os.environ[present[marker.casefold()]]
            for marker in PLATFORM_MARKERS
            if marker.casefold() in present
        }


class Settings(BaseSettings):
    # An app setting that is present but empty is not set: the Bicep template writes `''` for
    # an optional value nobody gave (SENDGRID_API_KEY, EMAIL_FROM...), and that must mean the
    # default, never an empty key. pydantic-settings' `env_ignore_empty` skips such variables,
    # so the field's default (or "missing required setting") applies.
    model_config = SettingsConfigDict(
        extra="ignore", case_sensitive=False, frozen=True, env_ignore_empty=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        markers = _PlatformMarkers(settings_cls)
        return init_settings, env_settings, markers, dotenv_settings, file_secret_settings

    # Storage: a connection string (Azurite, local) or identity-based service URIs (Azure).
    storage_connection_string: Annotated[
        str | None, Field(validation_alias=_env("AzureWebJobsStorage"))
    ] = None
    table_service_uri: Annotated[
        str | None, Field(validation_alias=_env("AzureWebJobsStorage__tableServiceUri"))
    ] = None
    queue_service_uri: Annotated[
        str | None, Field(validation_alias=_env("AzureWebJobsStorage__queueServiceUri"))
    ] = None
    blob_service_uri: Annotated[
        str | None, Field(validation_alias=_env("AzureWebJobsStorage__blobServiceUri"))
    ] = None
    storage_client_id: Annotated[
        str | None, Field(validation_alias=_env("AzureWebJobsStorage__clientId"))
    ] = None
    storage_prefix: Annotated[
        str, Field(validation_alias=_env("STORAGE_PREFIX"), pattern=r"^[a-z][a-z0-9]{0,19}$|^$")
    ] = ""

    # Authentication (docs/http-contract.md): RS256 JWTs, checked with a JWKS URL or a PEM key.
    auth_issuer: Annotated[str, Field(validation_alias=_env("AUTH_ISSUER"), min_length=1)]
    auth_audience: Annotated[str, Field(validation_alias=_env("AUTH_AUDIENCE"), min_length=1)]
    auth_jwks_url: Annotated[str | None, Field(validation_alias=_env("AUTH_JWKS_URL"))] = None
    auth_public_key: Annotated[str | None, Field(validation_alias=_env("AUTH_PUBLIC_KEY"))] = None

    # Queues and schedules. Trigger decorators bind these by name (`%NOTIFICATIONS_QUEUE%`), so
    # the Functions host reads them from the app settings; the defaults here document them.
    notifications_queue: Annotated[
        str,
        Field(validation_alias=_env("NOTIFICATIONS_QUEUE"), pattern=r"^[a-z0-9][a-z0-9-]{2,62}$"),
    ] = "notifications"
    relay_outbox_schedule: Annotated[str, Field(validation_alias=_env("RELAY_OUTBOX_SCHEDULE"))] = (
        "0 */5 * * * *"
    )
    # The intake journal: deliveries are processed from this queue; the relay re-queues those
    # whose message was lost (every minute: a delivery is due for relay a minute after arrival).
    deliveries_queue: Annotated[
        str,
        Field(validation_alias=_env("DELIVERIES_QUEUE"), pattern=r"^[a-z0-9][a-z0-9-]{2,62}$"),
    ] = "deliveries"
    relay_deliveries_schedule: Annotated[
        str, Field(validation_alias=_env("RELAY_DELIVERIES_SCHEDULE"))
    ] = "30 * * * * *"
    # The lifecycle jobs: timers enqueue work orders on WORK_QUEUE; NCRONTAB is UTC.
    work_queue: Annotated[
        str, Field(validation_alias=_env("WORK_QUEUE"), pattern=r"^[a-z0-9][a-z0-9-]{2,62}$")
    ] = "work"
    expire_leads_schedule: Annotated[str, Field(validation_alias=_env("EXPIRE_LEADS_SCHEDULE"))] = (
        "0 */15 * * * *"
    )
    archive_informational_schedule: Annotated[
        str, Field(validation_alias=_env("ARCHIVE_INFORMATIONAL_SCHEDULE"))
    ] = "0 30 2 * * *"
    # Hourly: a partner's digest goes out once its local day is over, at a different UTC hour
    # for each time zone.
    send_digests_schedule: Annotated[str, Field(validation_alias=_env("SEND_DIGESTS_SCHEDULE"))] = (
        "0 1 * * * *"
    )
    remind_expiring_schedule: Annotated[
        str, Field(validation_alias=_env("REMIND_EXPIRING_SCHEDULE"))
    ] = "0 5 * * * *"
    escalate_stale_leads_schedule: Annotated[
        str, Field(validation_alias=_env("ESCALATE_STALE_LEADS_SCHEDULE"))
    ] = "0 10,40 * * * *"

    # Telemetry: OpenTelemetry through the Azure Monitor distro, on only when this is set
    # (shared/adapters/telemetry.py). The same setting the Functions host exports to.
    applicationinsights_connection_string: Annotated[
        SecretStr | None, Field(validation_alias=_env("APPLICATIONINSIGHTS_CONNECTION_STRING"))
    ] = None

    # Webhooks: the dispatcher reads the partners' event logs on this schedule and queues one
    # delivery per (event, subscription) on WEBHOOK_DELIVERIES_QUEUE.
    webhook_deliveries_queue: Annotated[
        str,
        Field(
            validation_alias=_env("WEBHOOK_DELIVERIES_QUEUE"), pattern=r"^[a-z0-9][a-z0-9-]{2,62}$"
        ),
    ] = "webhook-deliveries"
    dispatch_webhooks_schedule: Annotated[
        str, Field(validation_alias=_env("DISPATCH_WEBHOOKS_SCHEDULE"))
    ] = "*/5 * * * * *"
    # public (Azure: https to public addresses only); public-and-loopback (make run); loopback
    # (tests: nothing leaves the machine). Only `public` on the platform, whatever this says.
    webhook_targets: Annotated[TargetPolicy, Field(validation_alias=_env("WEBHOOK_TARGETS"))] = (
        TargetPolicy.PUBLIC
    )
    webhook_timeout_seconds: Annotated[
        float, Field(validation_alias=_env("WEBHOOK_TIMEOUT_SECONDS"), gt=0, le=15)
    ] = 15.0
    # Fernet keys (space-separated, newest first) sealing the signing secrets in storage.
    webhook_secret_keys: Annotated[
        SecretStr | None, Field(validation_alias=_env("WEBHOOK_SECRET_KEYS"))
    ] = None
    # Counts every queue and its poison queue for the alerts (shared/services/queue_watch.py).
    watch_queues_schedule: Annotated[str, Field(validation_alias=_env("WATCH_QUEUES_SCHEDULE"))] = (
        "15 */5 * * * *"
    )

    # Email.
    sendgrid_api_key: Annotated[
        SecretStr | None, Field(validation_alias=_env("SENDGRID_API_KEY"))
    ] = None
    sendgrid_api_host: Annotated[str, Field(validation_alias=_env("SENDGRID_API_HOST"))] = (
        "https://api.sendgrid.com"
    )
    email_from: Annotated[str | None, Field(validation_alias=_env("EMAIL_FROM"))] = None
    # Seconds before a SendGrid call is abandoned (the library has no default). The send lease
    # derives from it and must stay under the host's 10-minute message invisibility.
    sendgrid_timeout_seconds: Annotated[
        float, Field(validation_alias=_env("SENDGRID_TIMEOUT_SECONDS"), gt=0, le=120)
    ] = 10.0
    # Told when a marketplace lead (no sender of its own) expires without a response.
    vendor_notification_email: Annotated[
        str | None, Field(validation_alias=_env("VENDOR_NOTIFICATION_EMAIL"))
    ] = None
    # Declined customers are sent here to choose another partner.
    marketplace_url: Annotated[str, Field(validation_alias=_env("MARKETPLACE_URL"))] = (
        "https://appsource.microsoft.com/marketplace/partner-dir"
    )
    # Emails link to `<ui base>/leads/<leadId>`; unset: the UI this app serves (`ui_base_url`).
    partner_ui_base_url: Annotated[
        str | None, Field(validation_alias=_env("PARTNER_UI_BASE_URL"))
    ] = None
    # Must equal host.json `extensions.queues.maxDequeueCount`: the notifier records a failure
    # on the last attempt, before the host moves the message to the poison queue.
    queue_max_dequeue_count: Annotated[
        int, Field(validation_alias=_env("QUEUE_MAX_DEQUEUE_COUNT"), ge=1)
    ] = 5
    # Queued work (emails, work orders) whose dependency fails is put back on its queue after
    # an exponential back-off from BASE to MAX seconds (jittered, or the dependency's
    # Retry-After), for GIVE_UP_HOURS before it is parked in the poison queue.
    queue_retry_base_seconds: Annotated[
        float, Field(validation_alias=_env("QUEUE_RETRY_BASE_SECONDS"), gt=0)
    ] = 30.0
    queue_retry_max_seconds: Annotated[
        float, Field(validation_alias=_env("QUEUE_RETRY_MAX_SECONDS"), gt=0, le=7 * 24 * 3600)
    ] = 3600.0
    queue_retry_give_up_hours: Annotated[
        float, Field(validation_alias=_env("QUEUE_RETRY_GIVE_UP_HOURS"), gt=0)
    ] = 24.0
    # How long a claimed email is leased to its sender: it must outlast the longest send (the
    # library's timeout applies to each of connect, send and read) and its bookkeeping.
    # Unset: 3 x SENDGRID_TIMEOUT_SECONDS + 30.
    send_lease_seconds: Annotated[
        float | None, Field(validation_alias=_env("SEND_LEASE_SECONDS"), gt=0, le=540)
    ] = None

    # Where callers reach the app: used to print intake URLs. Azure sets WEBSITE_HOSTNAME.
    public_base_url: Annotated[str | None, Field(validation_alias=_env("PUBLIC_BASE_URL"))] = None
    website_hostname: Annotated[str | None, Field(validation_alias=_env("WEBSITE_HOSTNAME"))] = None

    # Signs list continuation tokens (HMAC). Azure sets a random one per deployment.
    paging_token_secret: Annotated[
        SecretStr | None, Field(validation_alias=_env("PAGING_TOKEN_SECRET"))
    ] = None

    # Request limits (docs/http-contract.md): bodies past these answer 413 before parsing.
    intake_max_body_bytes: Annotated[
        int, Field(validation_alias=_env("INTAKE_MAX_BODY_BYTES"), gt=0)
    ] = 64 * 1024
    max_body_bytes: Annotated[int, Field(validation_alias=_env("MAX_BODY_BYTES"), gt=0)] = (
        256 * 1024
    )

    # The product's numbers (docs/behaviour.md).
    respond_window_days: Annotated[
        int, Field(validation_alias=_env("RESPOND_WINDOW_DAYS"), gt=0)
    ] = 14
    hot_window_hours: Annotated[int, Field(validation_alias=_env("HOT_WINDOW_HOURS"), gt=0)] = 72
    informational_retention_months: Annotated[
        int, Field(validation_alias=_env("INFORMATIONAL_RETENTION_MONTHS"), gt=0)
    ] = 6
    # Individual new-lead emails a partner gets a day before the digest takes over. Bounded: a day
    # of a partner is one counter row holding the ids it counted (table_daily_counter.py), and
    # past a few hundred emails a day the digest is what anyone would want.
    digest_threshold: Annotated[
        int, Field(validation_alias=_env("DIGEST_THRESHOLD"), ge=0, le=MAX_DIGEST_THRESHOLD)
    ] = 10
    # An action-required lead is reminded this long before it would expire.
    reminder_hours: Annotated[int, Field(validation_alias=_env("REMINDER_HOURS"), gt=0)] = 48

    # The event log (table_event_log.py): a batch carrying events gets EVENT_WRITE_DEADLINE for
    # every try; the feed serves events older than EVENT_FEED_SETTLE, which in Azure must exceed
    # the deadline + Table storage's 30 s server timeout + clock skew; events are pruned after
    # EVENT_RETENTION_DAYS.
    event_write_deadline_seconds: Annotated[
        float, Field(validation_alias=_env("EVENT_WRITE_DEADLINE_SECONDS"), gt=0, le=60)
    ] = 10
    event_feed_settle_seconds: Annotated[
        float, Field(validation_alias=_env("EVENT_FEED_SETTLE_SECONDS"), ge=0, le=3600)
    ] = 60
    event_retention_days: Annotated[
        int, Field(validation_alias=_env("EVENT_RETENTION_DAYS"), ge=1, le=365)
    ] = 30

    # The partner UI: Entra ID sign-in through MSAL when UI_CLIENT_ID is set.
    ui_client_id: Annotated[str | None, Field(validation_alias=_env("UI_CLIENT_ID"))] = None
    ui_authority: Annotated[
        str | None, Field(validation_alias=_env("UI_AUTHORITY"), pattern=r"^https://[^/?#]+/")
    ] = None
    ui_scopes: Annotated[str, Field(validation_alias=_env("UI_SCOPES"))] = ""  # space-separated
    # Local dev sign-in (pick partner and role): refused on the platform whatever this says.
    dev_sign_in_enabled: Annotated[bool, Field(validation_alias=_env("DEV_SIGN_IN_ENABLED"))] = (
        False
    )
    dev_signing_key: Annotated[
        SecretStr | None, Field(validation_alias=_env("DEV_SIGNING_KEY"))
    ] = None
    # Set by the platform on every instance: their presence means "running in Azure".
    website_instance_id: Annotated[
        str | None, Field(validation_alias=_env("WEBSITE_INSTANCE_ID"))
    ] = None
    website_site_name: Annotated[str | None, Field(validation_alias=_env("WEBSITE_SITE_NAME"))] = (
        None
    )

    @model_validator(mode="after")
    def _require_complete_groups(self) -> Self:
        if not (self.auth_jwks_url or self.auth_public_key):
            raise ValueError("set AUTH_JWKS_URL or AUTH_PUBLIC_KEY")
        identity = (self.table_service_uri, self.queue_service_uri, self.blob_service_uri)
        if not self.storage_connection_string and not all(identity):
            raise ValueError(
                "set AzureWebJobsStorage, or all of AzureWebJobsStorage__tableServiceUri, "
                "AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__blobServiceUri"
            )
        if self.sendgrid_api_key and not self.email_from:
            raise ValueError("set EMAIL_FROM when SENDGRID_API_KEY is set")
        if self.send_lease_seconds is not None and (
            self.send_lease_seconds <= 3 * self.sendgrid_timeout_seconds
        ):
            raise ValueError("SEND_LEASE_SECONDS must exceed 3 x SENDGRID_TIMEOUT_SECONDS")
        if self.queue_retry_max_seconds < self.queue_retry_base_seconds:
            raise ValueError("QUEUE_RETRY_MAX_SECONDS must be at least QUEUE_RETRY_BASE_SECONDS")
        return self

    @property
    def send_lease_or_default(self) -> float:
        """Seconds a claimed email is leased to its sender (SEND_LEASE_SECONDS, if set)."""
        if self.send_lease_seconds is not None:
            return self.send_lease_seconds
        return 3 * self.sendgrid_timeout_seconds + 30

    @property
    def base_url(self) -> str:
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        if self.website_hostname:
            return f"https://{self.website_hostname}"
        return "http://localhost:7071"

    @property
    def ui_base_url(self) -> str:
        """Where partners open a lead: an external UI if configured, else the app's own."""
        if self.partner_ui_base_url:
            return self.partner_ui_base_url.rstrip("/")
        return f"{self.base_url}/api/ui"

    @property
    def webhook_target_policy(self) -> TargetPolicy:
        """Loopback targets are for local runs: refused on the platform, as the dev sign-in is."""
        return TargetPolicy.PUBLIC if self.on_platform else self.webhook_targets

    @property
    def on_platform(self) -> bool:
        """Running on Azure App Service / Functions: the platform sets these on every instance.
        Present at all counts, even empty: an emptied variable must not unlock dev features."""
        return self.website_instance_id is not None or self.website_site_name is not None


def env_name(field_name: str) -> str:
    """The environment variable a Settings field is read from."""
    alias = Settings.model_fields[field_name].validation_alias
    if not isinstance(alias, AliasChoices) or not isinstance(alias.choices[0], str):
        raise TypeError(f"Settings.{field_name} must declare its environment name")
    return alias.choices[0]


def app_queues(settings: Settings) -> list[str]:
    """Every queue the app's triggers listen on: each setting named `*_QUEUE`, so a queue added
    to the settings is counted by the deep health check and the alerts without more code."""
    return [getattr(settings, name) for name in Settings.model_fields if name.endswith("_queue")]


def load_settings() -> Settings:
    """Read the settings from the environment, naming every missing or invalid one."""
    try:
        return Settings()  # pydantic-settings fills every field from the environment
    except ValidationError as error:
        raise ConfigurationError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        location = item.get("loc") or ()
        if location:
            name = str(location[0])
            name = env_name(name) if name in Settings.model_fields else name
            if item["type"] == "missing":
                problems.append(f"missing required setting {name}")
            else:
                problems.append(f"invalid setting {name}: {item['msg']}")
        else:
            problems.append(str(item["msg"]).removeprefix("Value error, "))
    return "; ".join(problems)
