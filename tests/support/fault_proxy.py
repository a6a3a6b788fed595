"""A TCP proxy in front of one Azurite port that tests switch between faults.

`FaultProxy(upstream_port)` listens on a free port of its own; point a connection string at it
(`tests.support.azurite.connection_string`) and call `proxy.set(...)`:

- `PASS`: bytes flow both ways untouched.
- `DROP`: every connection is reset as soon as it is made (the SDK sees a connection error).
- `Slow(seconds)`: each chunk the client sends reaches storage that much later.
- `LOSE_ANSWERS`: requests reach storage (and take effect), the answers never come back: the
  connection is reset once storage has answered.
- `LOSE_WRITE_ANSWERS`: the same for writes only (POST, PUT, MERGE, PATCH, DELETE): reads
  answer, a batch is committed but the client never learns it.
- `HANG`: connections are accepted and requests read, but nothing reaches storage and no answer
  ever comes: a storage front end that hangs (only the client's own timeouts end the wait).
- `Answer(status, retry_after)`: nothing reaches storage; every request gets that HTTP status
  with Storage's `ServerBusy`-style error, as a throttled or failing service answers.

Switching resets every open connection, so pooled keep-alive connections meet the new fault
at once, as clients do when a network path or a storage front end fails.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

from tests.support.azurite import Azurite, connection_string

_CHUNK = 65536


@dataclass(frozen=True)
class Slow:
    seconds: float


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: int | None = 1


class _Mode:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


PASS: Final = _Mode("PASS")
DROP: Final = _Mode("DROP")
LOSE_ANSWERS: Final = _Mode("LOSE_ANSWERS")
LOSE_WRITE_ANSWERS: Final = _Mode("LOSE_WRITE_ANSWERS")
HANG: Final = _Mode("HANG")
_WRITES = (b"POST ", b"PUT ", b"MERGE ", b"PATCH ", b"DELETE ")
Fault = _Mode | Slow | Answer


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._fault: Fault = PASS
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    def set(self, fault: Fault) -> None:
        with self._lock:
            self._fault = fault
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _reset(sock)

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        self.set(PASS)
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            fault = self._fault
            self._open.add(client)
        try:
            if fault is DROP:
                _reset(client)
            elif fault is HANG:
                while client.recv(_CHUNK):  # read and drop, until the client or `set` ends it
                    pass
            elif isinstance(fault, Answer):
                _answer_every_request(client, fault)
            else:
                self._relay(client, fault)
        except OSError:
            pass  # a reset by `set`, or the client left: both ends are closed below
        finally:
            with self._lock:
                self._open.discard(client)
            client.close()

    def _relay(self, client: socket.socket, fault: Fault) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        with self._lock:
            self._open.add(upstream)
        delay = fault.seconds if isinstance(fault, Slow) else 0.0
        # Which answers to lose: all, or those to writes (the client's requests go one at a
        # time on a connection, so the last request seen is the one being answered).
        lose = _Losing(every=fault is LOSE_ANSWERS, writes=fault is LOSE_WRITE_ANSWERS)
        back = threading.Thread(target=_pump, args=(upstream, client, lose, 0.0), daemon=True)
        back.start()
        try:
            _pump(client, upstream, lose, delay, requests=True)
        finally:
            back.join(timeout=5)
            with self._lock:
                self._open.discard(upstream)
            upstream.close()


@dataclass
class _Losing:
    every: bool
    writes: bool
    write_pending: bool = False

    def saw_request(self, chunk: bytes) -> None:
        if chunk[:8].split(b" ")[0].isupper():  # a request line starts this chunk
            self.write_pending = chunk.startswith(_WRITES)

    def loses_answer(self) -> bool:
        return self.every or (self.writes and self.write_pending)


def _pump(
    source: socket.socket,
    target: socket.socket,
    lose: _Losing,
    delay: float,
    *,
    requests: bool = False,
) -> None:
    try:
        while chunk := source.recv(_CHUNK):
            if requests:
                lose.saw_request(chunk)
            elif lose.loses_answer():  # storage answered: the answer is lost on its way back
                _reset(target)
                return
            if delay:
                time.sleep(delay)
            target.sendall(chunk)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        _reset(target)


def _answer_every_request(client: socket.socket, fault: Answer) -> None:
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            chunk = client.recv(_CHUNK)
            if not chunk:
                return
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        length = _content_length(head)
        while len(buffer) < length:
            chunk = client.recv(_CHUNK)
            if not chunk:
                return
            buffer += chunk
        buffer = buffer[length:]
        client.sendall(_busy_response(fault))


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _busy_response(fault: Answer) -> bytes:
    code = "ServerBusy" if fault.status in (429, 503) else "InternalError"
    body = json.dumps(
        {"odata.error": {"code": code, "message": {"lang": "en-US", "value": "Injected fault"}}}
    ).encode()
    lines = [
        f"HTTP/1.1 {fault.status} {HTTPStatus(fault.status).phrase}",
        "Content-Type: application/json;odata=minimalmetadata",
        f"Content-Length: {len(body)}",
        f"x-ms-error-code: {code}",
    ]
    if fault.retry_after is not None:
        lines.append(f"Retry-After: {fault.retry_after}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _reset(sock: socket.socket) -> None:
    """Close with an RST, not a FIN: the peer sees a reset connection, as in a network fault."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Wakes a thread blocked reading it: the RST only goes once no call holds the socket.
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    sock.close()


@dataclass
class ProxiedStorage:
    """One proxy in front of each of Azurite's services, and the connection string through
    them: `set` faults them all, or use `blob` / `queue` / `table` alone."""

    blob: FaultProxy
    queue: FaultProxy
    table: FaultProxy

    @property
    def connection_string(self) -> str:
        return connection_string(self.blob.port, self.queue.port, self.table.port)

    def set(self, fault: Fault) -> None:
        for proxy in (self.blob, self.queue, self.table):
            proxy.set(fault)


@contextmanager
def proxied_storage(azurite: Azurite) -> Iterator[ProxiedStorage]:
    blob, queue, table = azurite.blob_port, azurite.queue_port, azurite.table_port
    storage = ProxiedStorage(FaultProxy(blob), FaultProxy(queue), FaultProxy(table))
    try:
        yield storage
    finally:
        for proxy in (storage.blob, storage.queue, storage.table):
            proxy.stop()
