"""The list of connectors, in sniffing order (most specific first).

Each sniff looks at content only; the tests check that every sample and fixture is
claimed by exactly one connector, so the order matters only as a tie-breaker.
"""

from __future__ import annotations

from ingest.connectors.base import Connector
from ingest.connectors.frigate import FrigateApiEvents, FrigateMqttEvents
from ingest.connectors.google_location import GoogleLocationHistory
from ingest.connectors.gpx import GpxTrack
from ingest.connectors.hikvision import HikvisionAnpr
from ingest.connectors.mastodon import MastodonStatuses
from ingest.connectors.mbox import Mbox
from ingest.connectors.sms_backup import SmsBackupRestore
from ingest.connectors.twitter import TwitterV2

CONNECTORS: tuple[type[Connector], ...] = (
    HikvisionAnpr,
    FrigateMqttEvents,
    FrigateApiEvents,
    TwitterV2,
    MastodonStatuses,
    GoogleLocationHistory,
    GpxTrack,
    SmsBackupRestore,
    Mbox,
)


def by_name(name: str) -> type[Connector]:
    for connector in CONNECTORS:
        if connector.name == name:
            return connector
    raise KeyError(name)
