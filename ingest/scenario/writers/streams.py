"""Output files that grow over the whole scenario, written in bounded memory.

Per-person exports (a location history, a phone backup, a mailbox) span every day, and
there are hundreds of them, so text is buffered per file and appended in batches (no
handle stays open). JSON arrays get their separators and closing bracket right across
batches; XML backups whose root element states the record count are assembled from a
body file once the count is known.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

FLUSH_BYTES = 8 << 20
Text = str | Callable[[Path], str]  # fixed text, or text that depends on the file


def _text(value: Text, path: Path) -> str:
    return value if isinstance(value, str) else value(path)


class AppendFiles:
    """Appends text to many files; ``files_written`` counts the files created."""

    def __init__(self, header: Text = "", footer: Text = "") -> None:
        self.header, self.footer = header, footer
        self.files_written = 0
        self._pending: dict[Path, list[str]] = {}
        self._size = 0
        self._created: set[Path] = set()

    def add(self, path: Path, text: str) -> None:
        self._pending.setdefault(path, []).append(text)
        self._size += len(text)
        if self._size > FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        for path, parts in self._pending.items():
            first = path not in self._created
            if first:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._created.add(path)
                self.files_written += 1
            with path.open("w" if first else "a", encoding="utf-8", newline="\n") as fh:
                fh.write((_text(self.header, path) if first else "") + "".join(parts))
        self._pending = {}
        self._size = 0

    def close(self) -> None:
        self.flush()
        for path in sorted(self._created):
            self._finish(path)

    def _finish(self, path: Path) -> None:
        footer = _text(self.footer, path)
        if footer:
            with path.open("a", encoding="utf-8", newline="\n") as fh:
                fh.write(footer)


class ArrayFiles(AppendFiles):
    """Files holding one JSON array of items; ``add_items`` takes rendered items."""

    def __init__(self, header: Text, footer: Text, separator: str = ",\n") -> None:
        super().__init__(header, footer)
        self.separator = separator
        self._nonempty: set[Path] = set()

    def add_items(self, path: Path, items: list[str]) -> None:
        if not items:
            return
        lead = self.separator if path in self._nonempty else ""
        self._nonempty.add(path)
        self.add(path, lead + self.separator.join(items))


class CountedFiles(AppendFiles):
    """XML files whose root states the count: the body is collected, the head written last.

    ``head(path, count)`` renders the opening; bodies go to ``<file>.part`` and are
    copied behind it on close, streaming.
    """

    def __init__(self, head: Callable[[Path, int], str], footer: str) -> None:
        super().__init__()
        self.head, self.closing = head, footer
        self.counts: dict[Path, int] = {}

    def add_records(self, path: Path, lines: list[str]) -> None:
        if lines:
            self.counts[path] = self.counts.get(path, 0) + len(lines)
            self.add(path.with_name(path.name + ".part"), "".join(lines))

    def close(self) -> None:
        self.flush()
        for path, count in sorted(self.counts.items()):
            part = path.with_name(path.name + ".part")
            with path.open("w", encoding="utf-8", newline="\n") as out:
                out.write(self.head(path, count))
                with part.open(encoding="utf-8") as body:
                    shutil.copyfileobj(body, out)
                out.write(self.closing)
            part.unlink()
