"""Printing results as a table, JSON lines or CSV: one function per format."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

OutputFormat = Literal["table", "json", "csv"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def print_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: OutputFormat, title: str = ""
) -> None:
    if fmt == "json":
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            sys.stdout.write(json.dumps(record, default=_text, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[_text(v) for v in row] for row in rows])
    else:
        table = Table(*columns, title=title or None)
        for row in rows:
            table.add_row(*(_text(v) for v in row))
        Console().print(table)
