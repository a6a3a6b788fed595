"""infra/ and azure.yaml, checked statically (nothing here reaches Azure or compiles Bicep).

The Bicep app settings must be exactly what the code reads: every `Settings` field by its
environment name, every `%SETTING%` of a trigger decorator, and the few settings the Functions host
itself reads. Both lists are read from the code, so adding a setting to `Settings` without its line
in `infra/main.bicep` (or the other way round) fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no annotations
from pydantic import TypeAdapter, ValidationError

from shared.config import Settings, env_name
from shared.domain.principal import Role

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MAIN_BICEP = INFRA / "main.bicep"
FUNCTION_APP_BICEP = INFRA / "modules" / "function-app.bicep"

# Settings fields deliberately left unset in Azure, each with its reason.
NOT_SET_IN_AZURE = {
    "storage_connection_string": (
        "AzureWebJobsStorage is a connection string carrying the account key; Azure uses the "
        "identity-based AzureWebJobsStorage__* settings, and the account refuses shared keys."
    ),
    "auth_public_key": (
        "a PEM key for locally minted tokens; Azure verifies Entra ID tokens with AUTH_JWKS_URL."
    ),
    "website_hostname": (
        "WEBSITE_HOSTNAME is set by the platform on every instance; an app setting would shadow it."
    ),
    "website_instance_id": (
        "set by the platform on every instance; it is how the app knows it runs in Azure."
    ),
    "website_site_name": (
        "set by the platform on every instance; it is how the app knows it runs in Azure."
    ),
    "dev_signing_key": (
        "the private key of the local dev sign-in (make run, tests); Azure must never hold one."
    ),
}

# Settings read by the Functions host, not by our code, each with its reason.
HOST_SETTINGS = {
    "AzureWebJobsStorage__credential": (
        "makes the host's own storage connection (leases, timers, queue triggers) identity-based."
    ),
    "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY": (
        "has the Python worker configure the Azure Monitor distro and attach each invocation's "
        "trace context (host.json telemetryMode OpenTelemetry), so the app's spans continue the "
        "host's."
    ),
    "PYTHON_ENABLE_INIT_INDEXING": (
        "lets the Python worker (3.12 and earlier) serve HTTP streams, which the CSV export uses."
    ),
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": (
        "sends that telemetry with the managed identity: the component has local auth disabled."
    ),
}

# Bindings whose `connection` names a storage account (empty means AzureWebJobsStorage).
STORAGE_BINDINGS = {"queueTrigger", "queue", "blobTrigger", "blob", "table"}

_ENTRY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*|'[^']+')\s*:\s*(?P<value>\S.*)")
_LITERAL = re.compile(r"'(?P<text>(?:[^'\\]|\\.)*)'")
_ESCAPES = {"\\": "\\", "'": "'", "$": "$", "n": "\n", "r": "\r", "t": "\t"}
_SKIP = re.compile(r"checkov:skip=(?P<check>[A-Za-z0-9_]+)(?P<reason>.*)")


def _block(text: str, declaration: str, opening: str, closing: str) -> list[str]:
    """The lines between `<declaration> <opening>` and a `<closing>` alone at the left margin."""
    pattern = rf"^{re.escape(declaration)} {re.escape(opening)}\n(?P<body>.*?)^{re.escape(closing)}"
    match = re.search(pattern, text, re.MULTILINE | re.DOTALL)
    assert match, f"infra/main.bicep must declare `{declaration} {opening} ... {closing}`"
    lines = (line.strip() for line in match["body"].splitlines())
    return [line for line in lines if line and not line.startswith("//")]


def bicep_object(text: str, name: str) -> dict[str, str]:
    """`var <name> = { ... }`, kept as one `NAME: value` per line, as name -> Bicep expression."""
    entries: dict[str, str] = {}
    for line in _block(text, f"var {name} =", "{", "}"):
        entry = _ENTRY.fullmatch(line)
        assert entry, f"keep one `NAME: value` per line in `var {name}`: {line!r}"
        key = entry["key"].strip("'")
        assert key not in entries, f"{key} is set twice in `var {name}`"
        entries[key] = entry["value"]
    return entries


def bicep_strings(text: str, name: str) -> list[str]:
    """`var <name> = [ ... ]`, a list of string literals, one per line."""
    values = [literal(line) for line in _block(text, f"var {name} =", "[", "]")]
    assert None not in values, f"`var {name}` must list string literals only"
    return [value for value in values if value is not None]


def literal(expression: str) -> str | None:
    """The value of a plain Bicep string literal; None for any other expression."""
    match = _LITERAL.fullmatch(expression)
    if not match or "${" in match["text"]:
        return None
    return re.sub(r"\\(.)", lambda escape: _ESCAPES.get(escape[1], escape[0]), match["text"])


@cache
def app_settings() -> dict[str, str]:
    return bicep_object(MAIN_BICEP.read_text(), "appSettings")


# The SDK lets `get_functions()` run once per app object (a second call reports every function as
# a duplicate), and other tests index `function_app.app` too: index a fresh import, once.
_INDEX = (
    "import json, function_app; "
    "print(json.dumps([f.get_function_json() for f in function_app.app.get_functions()]))"
)


@cache
def function_jsons() -> tuple[str, ...]:
    """The function.json of every function, as the Functions host indexes them."""
    indexed = subprocess.run(
        [sys.executable, "-c", _INDEX], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert indexed.returncode == 0, f"function_app does not index:\n{indexed.stderr}"
    return tuple(json.loads(indexed.stdout.splitlines()[-1]))


def function_bindings() -> list[dict[str, Any]]:
    return [binding for text in function_jsons() for binding in json.loads(text)["bindings"]]


def binding_expressions() -> set[str]:
    """Every `%NAME%` in the trigger decorators: the host resolves each from the app settings."""
    return {name for text in function_jsons() for name in re.findall(r"%([^%\s]+)%", text)}


def settings_read_in_azure() -> set[str]:
    return {env_name(field) for field in Settings.model_fields if field not in NOT_SET_IN_AZURE}


def test_the_index_sees_the_apps_functions() -> None:
    routes = {binding.get("route") for binding in function_bindings()}
    assert {"health", "ops/partners"} <= routes


def test_every_setting_the_app_reads_is_set_in_the_bicep() -> None:
    missing = (settings_read_in_azure() | binding_expressions() | set(HOST_SETTINGS)) - set(
        app_settings()
    )
    assert not missing, (
        f"not set in Azure: {sorted(missing)}. Add one `NAME: value` line per setting to "
        "`var appSettings` in infra/main.bicep (or, if Azure must not set it, list the Settings "
        "field in NOT_SET_IN_AZURE here with the reason)."
    )


def test_no_setting_is_set_that_nothing_reads() -> None:
    read = settings_read_in_azure() | binding_expressions() | set(HOST_SETTINGS)
    unread = set(app_settings()) - read
    assert not unread, (
        f"set in infra/main.bicep but read by nothing: {sorted(unread)}. Remove them, or list "
        "a setting the Functions host reads in HOST_SETTINGS here with the reason."
    )


@pytest.mark.parametrize("field", sorted(NOT_SET_IN_AZURE))
def test_settings_left_unset_in_azure_are_unset(field: str) -> None:
    assert field in Settings.model_fields, (
        f"Settings.{field} is gone: drop it from NOT_SET_IN_AZURE"
    )
    name = env_name(field)
    assert name not in app_settings(), f"{name} must not be set in Azure: {NOT_SET_IN_AZURE[field]}"
    assert name not in binding_expressions(), (
        f"a decorator binds %{name}%, which Azure leaves unset"
    )


def _validates(field: str, value: str) -> bool:
    info = Settings.model_fields[field]
    annotation: Any = (
        Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    )
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    for validate in (adapter.validate_python, adapter.validate_json):  # scalars, then JSON ones
        try:
            validate(value)
        except ValidationError:
            continue
        return True
    return False


def test_literal_values_are_valid_for_their_setting() -> None:
    by_name = {env_name(field): field for field in Settings.model_fields}
    invalid = {
        name: text
        for name, expression in app_settings().items()
        if name in by_name
        and (text := literal(expression)) is not None
        and not _validates(by_name[name], text)
    }
    assert not invalid, f"values Settings would reject at start-up: {invalid}"


def test_the_literal_parser_reads_only_plain_strings() -> None:
    assert literal("'0 */5 * * * *'") == "0 */5 * * * *"
    assert literal(r"'it\'s'") == "it's"
    assert literal("'https://${host}/'") is None
    assert literal("empty(x) ? '' : x") is None
    assert literal("storage.outputs.blobEndpoint") is None


def test_the_settings_parser_refuses_what_it_cannot_read() -> None:
    text = "var appSettings = {\n  A: 'a'\n  // a comment\n  'B_C': x.y\n}\n"
    assert bicep_object(text, "appSettings") == {"A": "'a'", "B_C": "x.y"}
    with pytest.raises(AssertionError, match="one `NAME: value` per line"):
        bicep_object("var appSettings = {\n  A: cond\n    ? 'a'\n    : 'b'\n}\n", "appSettings")
    with pytest.raises(AssertionError, match="set twice"):
        bicep_object("var appSettings = {\n  A: 'a'\n  A: 'b'\n}\n", "appSettings")


def test_storage_bindings_connect_with_the_managed_identity() -> None:
    settings = app_settings()
    for binding in function_bindings():
        if binding["type"] not in STORAGE_BINDINGS:
            continue
        connection = binding.get("connection") or "AzureWebJobsStorage"
        assert connection not in settings, f"{connection} would be a connection string"
        assert literal(settings.get(f"{connection}__credential", "")) == "managedidentity", (
            f"binding {binding['name']} uses {connection}: set {connection}__credential "
            f"(and its service URIs and clientId) in infra/main.bicep"
        )


def test_queue_triggers_listen_on_queues_the_bicep_creates() -> None:
    queues = set(bicep_strings(MAIN_BICEP.read_text(), "queueNames"))
    for binding in function_bindings():
        if binding["type"] != "queueTrigger":
            continue
        name = binding["queueName"]
        if bound := re.fullmatch(r"%([^%]+)%", name):
            resolved = literal(app_settings().get(bound[1], ""))
            assert resolved, f"%{bound[1]}% must be a plain string in infra/main.bicep"
            name = resolved
        assert {name, f"{name}-poison"} <= queues, f"add {name} and {name}-poison to queueNames"


def test_tables_and_queues_of_the_design_are_created() -> None:
    text = MAIN_BICEP.read_text()
    assert {"Partners", "Leads", "Deliveries"} <= set(bicep_strings(text, "tableNames"))
    queues = set(bicep_strings(text, "queueNames"))
    assert {"notifications", "notifications-poison", "work", "work-poison"} <= queues
    assert {"deliveries", "deliveries-poison"} <= queues
    assert all(f"{queue}-poison" in queues for queue in queues if not queue.endswith("-poison"))


def test_python_version_is_the_one_the_tests_run_on() -> None:
    declared = re.search(
        r"^var pythonVersion = '(?P<version>[0-9.]+)'", MAIN_BICEP.read_text(), re.M
    )
    assert declared, "infra/main.bicep must declare `var pythonVersion = '<major>.<minor>'`"
    assert declared["version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    runtime = re.search(
        r"runtime: \{\s*name: '(\w+)'\s*version: (\w+)\s*\}", FUNCTION_APP_BICEP.read_text()
    )
    assert runtime, "function-app.bicep must set functionAppConfig.runtime"
    assert (runtime[1], runtime[2]) == ("python", "pythonVersion")


def test_azure_yaml_deploys_this_folder_as_a_python_function_app() -> None:
    project = yaml.safe_load((REPO / "azure.yaml").read_text())
    assert project["infra"]["path"] == "infra"
    assert project["infra"]["module"] == "main"
    [(name, service)] = project["services"].items()
    assert service["language"] == "python"
    assert service["host"] == "function"
    assert service["project"] == "."
    # azd deploys to the one resource tagged with the service name: the site, not the plan.
    assert re.search(rf"^\s*serviceName: '{name}'", MAIN_BICEP.read_text(), re.MULTILINE)
    assert FUNCTION_APP_BICEP.read_text().count("'azd-service-name': serviceName") == 1


def test_parameters_file_names_real_parameters_and_every_required_one() -> None:
    declared = dict(re.findall(r"^param (\w+) \w+( = .*)?$", MAIN_BICEP.read_text(), re.M))
    required = {name for name, default in declared.items() if not default}
    mapped = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert set(mapped) <= set(declared), (
        f"unknown parameters: {sorted(set(mapped) - set(declared))}"
    )
    assert required <= set(mapped), f"required but unmapped: {sorted(required - set(mapped))}"
    assert all(re.fullmatch(r"\$\{[A-Z_]+\}", entry["value"]) for entry in mapped.values())


SECURE_DEFAULTS = [
    ("storage.bicep", "allowSharedKeyAccess: false"),
    ("storage.bicep", "allowBlobPublicAccess: false"),
    ("storage.bicep", "minimumTlsVersion: 'TLS1_2'"),
    ("storage.bicep", "supportsHttpsTrafficOnly: true"),
    ("storage.bicep", "publicAccess: 'None'"),
    ("key-vault.bicep", "enableRbacAuthorization: true"),
    ("key-vault.bicep", "enableSoftDelete: true"),
    ("key-vault.bicep", "enablePurgeProtection: true"),
    ("monitoring.bicep", "DisableLocalAuth: true"),
    ("monitoring.bicep", "WorkspaceResourceId: workspace.id"),
    ("function-app.bicep", "tier: 'FlexConsumption'"),
    ("function-app.bicep", "type: 'UserAssigned'"),
    ("function-app.bicep", "httpsOnly: true"),
    ("function-app.bicep", "minTlsVersion: '1.2'"),
    ("function-app.bicep", "ftpsState: 'Disabled'"),
    ("function-app.bicep", "keyVaultReferenceIdentity: identityId"),
    ("function-app.bicep", "type: 'UserAssignedIdentity'"),
    # Built-in role definitions: Storage Blob Data Owner, Storage Queue Data Contributor, Storage
    # Table Data Contributor, Key Vault Secrets User, Monitoring Metrics Publisher.
    ("role-assignments.bicep", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
    ("role-assignments.bicep", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"),
    ("role-assignments.bicep", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"),
    ("role-assignments.bicep", "4633458b-17de-408a-b874-0445c86b69e6"),
    ("role-assignments.bicep", "3913510d-42f4-4e42-8a64-420c390055eb"),
]


@pytest.mark.parametrize(("module", "line"), SECURE_DEFAULTS)
def test_secure_defaults_are_declared(module: str, line: str) -> None:
    assert line in (INFRA / "modules" / module).read_text()


def test_publishing_credentials_are_off_for_ftp_and_scm() -> None:
    text = FUNCTION_APP_BICEP.read_text()
    policies = re.findall(
        r"basicPublishingCredentialsPolicies@[\d-]+' = \{\s*parent: site\s*name: '(\w+)'\s*"
        r"properties: \{\s*allow: false\s*\}",
        text,
    )
    assert sorted(policies) == ["ftp", "scm"]


def test_the_sendgrid_key_reaches_the_app_only_as_a_key_vault_reference() -> None:
    value = app_settings()["SENDGRID_API_KEY"]
    assert "@Microsoft.KeyVault(SecretUri=${keyVault.outputs.sendgridSecretUri})" in value
    # The raw key may decide whether there is a reference, never be the value.
    assert "sendgridApiKey" not in value.replace("empty(sendgridApiKey)", "")


def test_every_checkov_skip_gives_its_reason() -> None:
    skips = [
        (path.relative_to(REPO), skip)
        for path in sorted(INFRA.rglob("*.bicep"))
        for skip in _SKIP.finditer(path.read_text())
    ]
    assert skips, "the skip pattern found nothing: is it still checkov's syntax?"
    for path, skip in skips:
        assert re.fullmatch(r"CKV2?_AZURE_\d+", skip["check"]), f"{path}: {skip[0]}"
        assert re.fullmatch(r": \S.{19,}", skip["reason"]), (
            f"{path}: {skip['check']} needs a reason"
        )


def test_the_app_registration_declares_every_role_the_api_checks() -> None:
    roles = json.loads((INFRA / "entra" / "app-roles.json").read_text())
    assert sorted(role["value"] for role in roles) == sorted(Role)
    assert len({role["id"] for role in roles}) == len(roles)
    api = json.loads((INFRA / "entra" / "api.json").read_text())["api"]
    # v2.0 tokens: `iss` and the JWKS URL are the defaults main.bicep derives, `aud` the client id.
    assert api["requestedAccessTokenVersion"] == 2
    assert api["acceptMappedClaims"] is True  # lets the claims-mapping policy add `partner_id`


def _decorated_params(path: Path) -> dict[str, list[str]]:
    """Each `param` of a Bicep file with the decorators stacked right above it."""
    found: dict[str, list[str]] = {}
    stack: list[str] = []
    depth = 0  # inside a decorator's (multi-line) arguments
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if depth == 0 and stripped.startswith("@"):
            stack.append(stripped[1:].split("(", 1)[0])
        elif depth == 0 and stripped.startswith("param "):
            found[stripped.split()[1]] = stack
            stack = []
        elif depth == 0 and stripped and not stripped.startswith("//"):
            stack = []
        if stack:
            depth += sum(stripped.count(c) for c in "([{") - sum(stripped.count(c) for c in ")]}")
    return found


@pytest.mark.parametrize("path", sorted(INFRA.rglob("*.bicep")), ids=lambda p: p.name)
def test_every_parameter_has_one_description_and_no_repeated_decorator(path: Path) -> None:
    for name, decorators in _decorated_params(path).items():
        assert decorators.count("description") == 1, f"{path.name}: param {name}: {decorators}"
        assert len(decorators) == len(set(decorators)), f"{path.name}: param {name}: {decorators}"
