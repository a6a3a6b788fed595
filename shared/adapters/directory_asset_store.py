"""The partner UI's static files, read from one folder of the deployed app."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path


class DirectoryAssetStore:
    """Regular files inside `root` only: whatever a path says, nothing outside it is read."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        # path -> (mtime_ns, size, sha256): a file is hashed again only when it changes.
        self._digests: dict[Path, tuple[int, int, str]] = {}

    def read(self, parts: tuple[str, ...]) -> bytes | None:
        root = self._root.resolve()
        candidate = root.joinpath(*parts).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate.read_bytes()

    def version(self) -> str:
        """A digest over every file: it changes whenever any asset changes, so versioned URLs
        can be cached for good. Editing a file under `make run` gives a new version at once."""
        root = self._root.resolve()
        combined = hashlib.sha256()
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
            for path in files:
                combined.update(str(path.relative_to(root)).encode())
                combined.update(self._digest(path).encode())
        return combined.hexdigest()[:16]

    def _digest(self, path: Path) -> str:
        status = path.stat()
        with self._lock:
            known = self._digests.get(path)
        if known and known[:2] == (status.st_mtime_ns, status.st_size):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with self._lock:
            self._digests[path] = (status.st_mtime_ns, status.st_size, digest)
        return digest
