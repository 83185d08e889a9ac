"""What the CCTV connectors share: the graph shape of one camera detection.

Every camera source asserts the same small pattern, so it is built in one place:

    Device -INSTALLED_AT-> Place <-AT- Sighting -RECORDED_BY-> Device
                                       Sighting -OBSERVED-> Vehicle   (plate reads only)

A source record the model refuses, or one that is not a detection, becomes a
`Rejected` with the reason; the connectors never decide that silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from schemas.errors import DossierError, InvalidValue

# ISO 3166-1 alpha-2, officially assigned codes (249).
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL
    GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
    SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())
# Codes ISO reserves for a country that already has another one.
_COUNTRY_ALIASES = {"UK": "GB"}


class NotADetection(DossierError):
    """A well-formed record that asserts no detection (another event type, a retraction)."""

    exit_code = 65


def iso_country(code: str | None) -> str | None:
    """The ISO alpha-2 code a source wrote, or None for "NON", numbers and unknown codes."""
    text = (code or "").strip().upper()
    text = _COUNTRY_ALIASES.get(text, text)
    return text if text in ISO_COUNTRIES else None


def add_camera(
    builder: RecordBuilder, device: Mapping[str, Any], place: Mapping[str, Any]
) -> tuple[str, str]:
    """The camera and its site; returns (device id, place id)."""
    device_id = builder.entity("Device", **device)
    place_id = builder.entity("Place", **place)
    builder.link("INSTALLED_AT", device_id, place_id)
    return device_id, place_id


def add_sighting(
    builder: RecordBuilder,
    natural_key: str,
    camera: tuple[str, str],
    sighting: Mapping[str, Any],
    vehicle: Mapping[str, Any] | None = None,
) -> str:
    """The detection, linked to where and by what it was made, and the vehicle it read."""
    device_id, place_id = camera
    sighting_id = builder.event("Sighting", natural_key, **sighting)
    builder.link("AT", sighting_id, place_id)
    builder.link("RECORDED_BY", sighting_id, device_id)
    if vehicle is not None:
        builder.link("OBSERVED", sighting_id, builder.entity("Vehicle", **vehicle))
    return sighting_id


def guarded(locator: str, raw: str, build: Callable[[], SourceRecord]) -> SourceRecord | Rejected:
    """Build one record; a value the model refuses, or a non-detection, quarantines it."""
    try:
        return build()
    except (InvalidValue, NotADetection) as exc:
        return Rejected(locator, str(exc), excerpt(raw))
    except UnicodeEncodeError:
        # Bytes that were not UTF-8 (read as lone surrogates) or a "\ud800" escape.
        reason = "text is not valid Unicode (bytes that are not UTF-8, or a lone surrogate)"
        return Rejected(locator, reason, excerpt(raw.encode("utf-8", "replace").decode()))


UTF8_BOM = b"\xef\xbb\xbf"


def xml_head_matches(head: bytes, root: re.Pattern[bytes]) -> bool:
    """The first bytes are XML (after an optional byte-order mark) naming `root`."""
    text = head.removeprefix(UTF8_BOM).lstrip()
    return text.startswith(b"<") and root.search(text) is not None
