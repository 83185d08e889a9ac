"""Deterministic, streaming synthetic scenario in real export formats, every source kind.

Why: connectors, entity resolution and the co-presence queries need realistic volume and
a known truth to test against, and the repository may hold synthetic data only. The
generator builds a fictional town (people, homes, workplaces, cars, cameras) and a cast
(phones, handsets, social accounts, e-mail addresses, passports, trips), lets people
follow routines for weeks or months with background traffic around them, plants
recurring meetings and entity-resolution hard cases, and writes what each source would
have exported about the same days:

- ``cctv/hikvision/<camera>-<YYYY>-W<ww>.xml``: concatenated Hikvision ISAPI ANPR alerts
- ``cctv/frigate/<camera>-<YYYY>-W<ww>.json``: Frigate ``GET /api/events`` lists
- ``cctv/frigate-mqtt/<camera>-<YYYY>-W<ww>.jsonl``: Frigate MQTT ``frigate/events``
- ``social/twitter/<username>-<YYYY-MM>.jsonl``: Twitter API v2 pages as twarc2 saves them
- ``social/mastodon/<username>-<YYYY-MM>.json``: Mastodon Status entity arrays
- ``travel/google/<person>-Records.json``: Google Takeout location history (most people)
- ``travel/google/<person>-Timeline.json``: on-device Timeline export (a few people)
- ``travel/gpx/<person>-<YYYY-MM-DD>.gpx``: GPX 1.1 tracks of logged drives
- ``travel/manifests/<flight>-<YYYY-MM-DD>.csv``: passenger manifests
- ``messages/sms/<person>-sms.xml`` / ``-calls.xml``: SMS Backup & Restore backups
- ``messages/mail/<person>.mbox``: Gmail Takeout mailboxes
- ``messages/cdr/Master.csv``: the depot PBX's Asterisk call detail records
- ``ground_truth.json``: population, drives, cameras, meetings, every identity and every
  planted relation (calls before meetings, shared flights, shared and swapped phones,
  hard cases by kind)

Same scale and seed give byte-identical output. Weeks are ISO weeks of the UTC day,
months calendar months of the UTC day.
"""

from __future__ import annotations

from ingest.scenario.generator import ScenarioSummary, generate
from ingest.scenario.scales import SCALES, ScaleSpec

__all__ = ["SCALES", "ScaleSpec", "ScenarioSummary", "generate"]
