"""Peak resident memory of a process (ours or the host's) while something runs, from /proc."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

MIB = 1024 * 1024


def status_bytes(pid: int | str, name: str) -> int:
    """A `VmRSS:`-style line of /proc/<pid>/status (reported in kB), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) * 1024
    raise KeyError(name)


@dataclass
class PeakWatch:
    """Resident memory of `pid` at the start, and the most it reached until the end.

    The kernel's high-water mark (VmHWM) is reset first, so it measures this window only;
    where that is not allowed, a thread samples VmRSS every few milliseconds instead (it can
    miss a short spike, so the figure is then a lower bound).
    """

    pid: int | str = "self"
    baseline: int = 0
    peak: int = 0
    exact: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.baseline) / MIB

    def __enter__(self) -> PeakWatch:
        self.baseline = self.peak = status_bytes(self.pid, "VmRSS")
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # 5: reset the peak RSS
            self.exact = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()
        if self.exact:
            self.peak = max(self.peak, status_bytes(self.pid, "VmHWM"))

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, status_bytes(self.pid, "VmRSS"))
