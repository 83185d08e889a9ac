"""The list of connectors, in sniffing order (most specific first)."""

from __future__ import annotations

from ingest.connectors.base import Connector
from ingest.connectors.frigate import FrigateApiEvents, FrigateMqttEvents
from ingest.connectors.hikvision import HikvisionAnpr
from ingest.connectors.mastodon import MastodonStatuses
from ingest.connectors.twitter import TwitterV2

CONNECTORS: tuple[type[Connector], ...] = (
    HikvisionAnpr,
    FrigateMqttEvents,
    FrigateApiEvents,
    TwitterV2,
    MastodonStatuses,
)


def by_name(name: str) -> type[Connector]:
    for connector in CONNECTORS:
        if connector.name == name:
            return connector
    raise KeyError(name)
