"""An app whose routes overlap: on Azure, which one answers `GET things/recent` would depend on
the function names, so the local host refuses it."""

from __future__ import annotations

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="things/{thingId}", methods=["GET", "DELETE"])
def get_thing(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("a thing")


@app.route(route="things/recent", methods=["GET"])
def recent_things(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("the recent things")
