"""Bare parses: the cheapest correct read of a file in its format, per connector.

Each returns the number of records it saw, so the benchmark can check it read the same
records the connector did.
"""

from __future__ import annotations

import csv
import json
import mailbox
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

_XML_DECL = re.compile(r"<\?xml[^>]*\?>")


def json_array(path: Path) -> int:
    with path.open(encoding="utf-8") as fp:
        return len(json.load(fp))


def json_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fp:
        return sum(1 for line in fp if line.strip() and json.loads(line) is not None)


def twitter_pages(path: Path) -> int:
    with path.open(encoding="utf-8") as fp:
        pages = [json.loads(line) for line in fp if line.strip()]
    return sum(len(p["data"]) if isinstance(p.get("data"), list) else 1 for p in pages)


def google_records(path: Path) -> int:
    with path.open(encoding="utf-8") as fp:
        data = json.load(fp)
    if "locations" in data:
        return len(data["locations"])
    return len(data.get("semanticSegments", [])) + len(data.get("rawSignals", []))


def concatenated_xml(path: Path) -> int:
    alerts = [a for a in _XML_DECL.split(path.read_text(encoding="utf-8")) if a.strip()]
    return sum(1 for a in alerts if ET.fromstring(a) is not None)


def xml_elements(*tags: str) -> Callable[[Path], int]:
    def count(path: Path) -> int:
        seen = 0
        for _event, element in ET.iterparse(path):
            if element.tag.rsplit("}", 1)[-1] in tags:
                seen += 1
                element.clear()
        return seen

    return count


def mbox_messages(path: Path) -> int:
    return sum(1 for _ in mailbox.mbox(path))


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fp:
        return sum(1 for _ in csv.reader(fp))


BARE_PARSE: dict[str, Callable[[Path], int]] = {
    "frigate-api": json_array,
    "frigate-mqtt": json_lines,
    "hikvision-isapi-anpr": concatenated_xml,
    "twitter-v2": twitter_pages,
    "mastodon-api": json_array,
    "google-location": google_records,
    "gpx": xml_elements("trkpt", "rtept", "wpt"),
    "sms-backup-restore": xml_elements("sms", "mms", "call"),
    "mbox": mbox_messages,
}
