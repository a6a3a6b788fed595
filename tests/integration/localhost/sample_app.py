"""A FunctionApp for the local host's integration tests: every trigger kind, in Blueprints.

Each background trigger records what it saw on a queue in Azurite
(`<SAMPLE_RECORD_PREFIX>-timer|ok|fail`), so tests observe behaviour from outside the host; the
timer and the ok queue function also record which process ran them (`-process`).
Nothing happens at import time: settings are read when a function runs.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
from typing import Any

import azure.functions as func
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

STORAGE_SETTING = "AzureWebJobsStorage"
http_routes = func.Blueprint()  # type: ignore[no-untyped-call]
background = func.Blueprint()  # type: ignore[no-untyped-call]


@functools.cache
def _record_queue(kind: str) -> QueueClient:
    name = f"{os.environ['SAMPLE_RECORD_PREFIX']}-{kind}"
    client = QueueClient.from_connection_string(os.environ[STORAGE_SETTING], name)
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    return client


def _record(kind: str, **facts: Any) -> None:
    _record_queue(kind).send_message(json.dumps(facts))


def _json(document: dict[str, Any], status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(document), status_code=status, mimetype="application/json")


@http_routes.route(route="things/{thingId}", methods=["GET"])
def get_thing(req: func.HttpRequest) -> func.HttpResponse:
    return _json(
        {"route": "param", "thingId": req.route_params["thingId"], "params": dict(req.params)}
    )


@http_routes.route(route="special/things", methods=["GET"])
def get_special_thing(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"route": "literal", "url": req.url})


@http_routes.route(route="things/{thingId:int}/parts", methods=["POST"])
def post_part(req: func.HttpRequest) -> func.HttpResponse:
    return _json(
        {
            "thingId": req.route_params["thingId"],
            "body": req.get_body().decode(),
            "header": req.headers.get("x-sample"),
        },
        status=201,
    )


@http_routes.route(route="files/{*path}", methods=["GET"])
def get_file(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"path": req.route_params.get("path")})


@http_routes.route(route="greetings/{name:alpha}/{suffix?}")
async def greet(req: func.HttpRequest) -> func.HttpResponse:
    suffix = req.route_params.get("suffix", "")
    return func.HttpResponse(
        f"hello {req.route_params['name']}{suffix}", headers={"X-Async": "yes"}
    )


@http_routes.route(route="slow", methods=["GET"])
def slow_http(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(3)
    return func.HttpResponse("too late")


@http_routes.route(route="process", methods=["GET"])
def which_process(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"pid": os.getpid()})


@http_routes.route(route="boom", methods=["GET"])
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("this function always fails")


@background.timer_trigger(
    schedule="%SAMPLE_TIMER_SCHEDULE%", arg_name="timer", run_on_startup=False
)
def sample_timer(timer: func.TimerRequest) -> None:
    _record("timer", past_due=timer.past_due)
    _record("process", trigger="timer", pid=os.getpid())


@background.queue_trigger(
    arg_name="msg", queue_name="%SAMPLE_OK_QUEUE%", connection="AzureWebJobsStorage"
)
def sample_ok(msg: func.QueueMessage) -> None:
    _record("ok", id=msg.id, dequeue_count=msg.dequeue_count, body=msg.get_body().decode())
    _record("process", trigger="queue", pid=os.getpid())


@background.queue_trigger(
    arg_name="msg", queue_name="%SAMPLE_FAIL_QUEUE%", connection="AzureWebJobsStorage"
)
def sample_fail(msg: func.QueueMessage) -> None:
    _record("fail", id=msg.id, dequeue_count=msg.dequeue_count)
    raise RuntimeError("this queue function always fails")


@background.queue_trigger(
    arg_name="msg", queue_name="%SAMPLE_SLOW_QUEUE%", connection=STORAGE_SETTING
)
def sample_slow(msg: func.QueueMessage) -> None:
    """Outlives any test: shutdown must not wait for it."""
    _record("slow", id=msg.id)
    time.sleep(60)


app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(http_routes)
app.register_functions(background)
