"""An app the real host refuses: an HTTP route that starts with `admin` (a built-in route)."""

from __future__ import annotations

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="Admin/tools", methods=["GET"])
def admin_tools(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("should never be served")
