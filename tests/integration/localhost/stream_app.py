"""An app on HTTP streams (FastAPI request and response types), for the local host's tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import azure.functions as func
from azurefunctions.extensions.http.fastapi import JSONResponse, Request, StreamingResponse

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
GATE_SECONDS = 10.0


@app.route(route="echo/{name}", methods=["POST"])
async def echo(req: Request) -> JSONResponse:
    body = await req.body()
    return JSONResponse(
        {
            "name": req.path_params["name"],
            "query": dict(req.query_params),
            "probe": req.headers.get("x-probe"),
            "body": body.decode("utf-8"),
        },
        status_code=201,
    )


@app.route(route="gated", methods=["GET"])
async def gated(req: Request) -> StreamingResponse:
    """`first`, then `second` once the file named by `?gate=` exists: a host that buffers the
    body never sends `first` before the gate opens."""
    gate = Path(req.query_params["gate"])

    def chunks() -> Iterator[bytes]:
        yield b"first\n"
        deadline = time.monotonic() + GATE_SECONDS
        while not gate.exists():
            if time.monotonic() > deadline:
                yield b"gate never opened\n"
                return
            time.sleep(0.02)
        yield b"second\n"

    return StreamingResponse(chunks(), media_type="text/plain")


@app.route(route="broken", methods=["GET"])
async def broken(req: Request) -> StreamingResponse:
    def chunks() -> Iterator[bytes]:
        yield b"partial\n"
        raise RuntimeError("the source failed mid-stream")

    return StreamingResponse(chunks(), media_type="text/plain")
