"""One open output file per camera, rotated when the ISO week changes.

Keeps the number of files modest (camera x week) and the number of open handles bounded
by the number of cameras, whatever the scale.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO


class WeeklyFiles:
    """Appends text to ``<root>/<camera>-<YYYY>-W<ww><suffix>``, one handle per camera."""

    def __init__(self, root: Path, suffix: str, header: str = "", footer: str = "") -> None:
        self.root = root
        self.suffix = suffix
        self.header = header
        self.footer = footer
        self.files_written = 0
        self._open: dict[str, tuple[str, TextIO]] = {}

    def path(self, camera: str, week: str) -> Path:
        return self.root / f"{camera}-{week}{self.suffix}"

    def handle(self, camera: str, week: str) -> TextIO:
        """The file for (camera, week), closing that camera's previous week first."""
        current = self._open.get(camera)
        if current and current[0] == week:
            return current[1]
        if current:
            self._finish(current[1])
        self.root.mkdir(parents=True, exist_ok=True)
        fh = self.path(camera, week).open("w", encoding="utf-8", newline="\n")
        fh.write(self.header)
        self._open[camera] = (week, fh)
        self.files_written += 1
        return fh

    def _finish(self, fh: TextIO) -> None:
        fh.write(self.footer)
        fh.close()

    def close(self) -> None:
        for _, fh in self._open.values():
            self._finish(fh)
        self._open.clear()
