"""Export's cost (bench/workspace.py): rows per second and peak memory, in-process and over HTTP."""

from __future__ import annotations

import os
import resource
import time
import tracemalloc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from bench._process_memory import MIB, PeakWatch, status_bytes
from bench._workspace_seed import ADMIN, PARTNER
from shared.bootstrap import Container
from shared.services.lead_export import csv_lines
from shared.services.lead_query import LeadQuery
from tests.support.auth import bearer
from tests.support.azurite import free_port
from tools.localhost.process import start_host_process


@dataclass(frozen=True)
class Exported:
    rows: int
    megabytes: float
    seconds: float
    memory: PeakWatch
    detail: str = ""

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds

    def __str__(self) -> str:
        memory = self.memory
        how = "VmHWM" if memory.exact else "sampled VmRSS: a lower bound"
        return (
            f"{self.rows} rows, {self.megabytes:.1f} MB of CSV in {self.seconds:.1f} s"
            f" = {self.per_second:,.0f} rows/s; RSS {memory.baseline / MIB:.1f} MiB before,"
            f" peak {memory.peak / MIB:.1f} MiB ({how}{self.detail}):"
            f" growth {memory.growth_mib:.1f} MiB"
        )


def _link(lead_id: str) -> str:
    return f"http://localhost:7071/api/ui/leads/{lead_id}"


def export_in_process(container: Container) -> Exported:
    rows, size = 0, 0
    with PeakWatch() as watch:
        began = time.perf_counter()
        for line in csv_lines(
            container.lead_listing.all_matching(ADMIN, LeadQuery()), lead_url=_link
        ):
            rows, size = rows + 1, size + len(line.encode("utf-8"))
        seconds = time.perf_counter() - began
    # Linux reports KiB; the peak was reset with VmHWM, so this is the same window's peak.
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Exported(rows - 1, size / 1e6, seconds, watch, f"; ru_maxrss {maxrss:.1f} MiB")


def traced_export(container: Container, query: LeadQuery) -> str:
    """Python's own peak allocations during an export (tracemalloc slows it: not timed)."""
    rows = -1  # the header
    tracemalloc.start()
    try:
        for _ in csv_lines(container.lead_listing.all_matching(ADMIN, query), lead_url=_link):
            rows += 1
        return f"peak {tracemalloc.get_traced_memory()[1] / MIB:.1f} MiB for {rows} rows"
    finally:
        tracemalloc.stop()


def export_over_http(
    env: dict[str, str], log_dir: Path, queries: Sequence[Mapping[str, str]]
) -> list[Exported]:
    """Each query's export through one host, in order; memory from the same warm baseline."""
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    host = start_host_process(
        port=free_port(), log_path=log_dir / "host.log", env={**runtime, **env}
    )
    headers = bearer("Referrals.Admin", partner=PARTNER, user="bench-admin")
    exported: list[Exported] = []
    try:
        with requests.Session() as http:
            api = f"{host.base_url}/api"
            # Warm up (imports, container, clients): the baseline is a host ready to serve.
            http.get(f"{api}/leads", params={"pageSize": 1}, headers=headers).raise_for_status()
            baseline = status_bytes(host.process.pid, "VmRSS")
            for query in queries:
                rows, size = 0, 0  # every row ends with CRLF; no cell here holds a line break
                with PeakWatch(host.process.pid) as watch:
                    began = time.perf_counter()
                    with http.get(
                        f"{api}/leads/export", params=query, headers=headers, stream=True
                    ) as response:
                        response.raise_for_status()
                        for chunk in response.iter_content(chunk_size=65536):
                            rows, size = rows + chunk.count(b"\n"), size + len(chunk)
                    seconds = time.perf_counter() - began
                watch.baseline = baseline
                exported.append(Exported(rows - 1, size / 1e6, seconds, watch))
    finally:
        if host.stop() != 0:
            print(f"  note: the host did not stop cleanly; its log:\n{host.logs()}")
    return exported
