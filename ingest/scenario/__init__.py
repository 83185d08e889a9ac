"""Deterministic, streaming synthetic CCTV scenario in real export formats.

Why: connectors, entity resolution and the co-presence queries need realistic volume and
a known truth to test against, and the repository may hold synthetic data only. The
generator builds a fictional town (people, homes, workplaces, cars, cameras), lets people
follow routines for weeks or months with background traffic around them, plants
recurring meetings, and writes what the cameras would have exported:

- ``cctv/hikvision/<camera>-<YYYY>-W<ww>.xml``: concatenated Hikvision ISAPI ANPR alerts
- ``cctv/frigate/<camera>-<YYYY>-W<ww>.json``: Frigate ``GET /api/events`` lists
- ``cctv/frigate-mqtt/<camera>-<YYYY>-W<ww>.jsonl``: Frigate MQTT ``frigate/events``
- ``ground_truth.json``: population, drives, cameras and meeting occurrences

Same scale and seed give byte-identical output. Weeks are ISO weeks of the UTC day.
"""

from __future__ import annotations

from ingest.scenario.generator import ScenarioSummary, generate
from ingest.scenario.scales import SCALES, ScaleSpec

__all__ = ["SCALES", "ScaleSpec", "ScenarioSummary", "generate"]
