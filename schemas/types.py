"""Value types: the closed registry of normalisers every property value passes through.

Each type cleans a raw value into its canonical form or raises InvalidValue naming the
field and the value. Normalisation lives here only, so a plate or a phone number is the
same string whichever connector read it, and deterministic ids stay stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, ClassVar

import phonenumbers

from schemas.errors import InvalidValue


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float


class ValueType:
    """Base class: `clean` returns the canonical value or raises InvalidValue."""

    name: ClassVar[str] = "text"
    # Column type in the embedded store; Neo4j is schemaless and takes the same values.
    graph_type: ClassVar[str] = "STRING"

    def clean(self, field: str, raw: Any) -> Any:
        text = str(raw).strip()
        if not text:
            raise InvalidValue(field, raw, "empty text")
        return text


class TextType(ValueType):
    name = "text"


class NameType(ValueType):
    """Person or organisation names: whitespace collapsed, original spelling kept."""

    name = "name"

    def clean(self, field: str, raw: Any) -> Any:
        text = " ".join(str(raw).split())
        if not text:
            raise InvalidValue(field, raw, "empty name")
        return text


class IdentifierType(ValueType):
    """Opaque identifiers (MAC, IMEI, serials, document numbers): upper case, no spaces."""

    name = "identifier"

    def clean(self, field: str, raw: Any) -> Any:
        text = re.sub(r"\s+", "", str(raw)).upper()
        if not text:
            raise InvalidValue(field, raw, "empty identifier")
        return text


class CountryType(ValueType):
    """ISO 3166-1 alpha-2 country codes."""

    name = "country"

    def clean(self, field: str, raw: Any) -> Any:
        text = str(raw).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", text):
            raise InvalidValue(field, raw, "expected an ISO 3166 alpha-2 country code")
        return text


class PlateType(ValueType):
    """Registration plates: upper case letters and digits only, as plate readers report."""

    name = "plate"

    def clean(self, field: str, raw: Any) -> Any:
        text = re.sub(r"[\s\-·.]", "", str(raw)).upper()
        if not re.fullmatch(r"[A-Z0-9]{2,12}", text):
            raise InvalidValue(field, raw, "a plate has 2-12 letters or digits")
        return text


class HandleType(ValueType):
    """Platform handles and e-mail addresses: lower case, no leading '@'."""

    name = "handle"

    def clean(self, field: str, raw: Any) -> Any:
        text = str(raw).strip().lower().lstrip("@")
        if not text or any(c.isspace() for c in text):
            raise InvalidValue(field, raw, "a handle is one word without spaces")
        return text


def phone_e164(field: str, raw: Any, region: str | None = None) -> str:
    """A phone number in E.164. National numbers ("020 7946 0958") need the region the
    source was recorded in; without one they are refused rather than guessed."""
    try:
        parsed = phonenumbers.parse(str(raw), region)
    except phonenumbers.NumberParseException as exc:
        hint = "" if region else "; national numbers need a default region"
        raise InvalidValue(field, raw, f"not a phone number ({exc}){hint}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidValue(field, raw, "not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class PhoneType(ValueType):
    """Phone numbers in E.164. Connectors that know a region call `phone_e164` first."""

    name = "phone"

    def clean(self, field: str, raw: Any) -> Any:
        return phone_e164(field, raw)


class DateType(ValueType):
    """Calendar dates as ISO strings (sortable, identical on both graph backends)."""

    name = "date"

    def clean(self, field: str, raw: Any) -> Any:
        if isinstance(raw, date):
            return raw.isoformat()[:10]
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise InvalidValue(field, raw, "expected a date as YYYY-MM-DD") from None


class NumberType(ValueType):
    name = "number"
    graph_type = "DOUBLE"

    def clean(self, field: str, raw: Any) -> Any:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InvalidValue(field, raw, "expected a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidValue(field, raw, "expected a finite number")
        return value


class IntegerType(ValueType):
    """Whole numbers: character offsets, counts."""

    name = "integer"
    graph_type = "INT64"

    def clean(self, field: str, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise InvalidValue(field, raw, "expected a whole number")
        try:
            value = int(raw)
        except (TypeError, ValueError, OverflowError):
            raise InvalidValue(field, raw, "expected a whole number") from None
        if value != raw and str(raw).strip() != str(value):
            raise InvalidValue(field, raw, "expected a whole number")
        if not -(2**63) <= value < 2**63:
            raise InvalidValue(field, raw, "out of the 64-bit range")
        return value


class ScoreType(NumberType):
    """Confidence scores in [0, 1]; connectors scale percentages before cleaning."""

    name = "score"

    def clean(self, field: str, raw: Any) -> Any:
        value = super().clean(field, raw)
        if not 0.0 <= value <= 1.0:
            raise InvalidValue(field, raw, "a score lies between 0 and 1")
        return value


class ListType(ValueType):
    """A list of short strings (zones, tags)."""

    name = "list"
    graph_type = "STRING[]"

    def clean(self, field: str, raw: Any) -> Any:
        if not isinstance(raw, list | tuple):
            raise InvalidValue(field, raw, "expected a list")
        return [str(item) for item in raw]


class GeoType(ValueType):
    """Points given as (lat, lon); out-of-range coordinates are rejected, never clipped."""

    name = "geo"
    graph_type = "GEO"  # expanded to <name>_lat / <name>_lon DOUBLE columns

    def clean(self, field: str, raw: Any) -> Any:
        if isinstance(raw, GeoPoint):
            lat, lon = raw.lat, raw.lon
        else:
            try:
                lat, lon = (float(v) for v in raw)
            except (TypeError, ValueError):
                raise InvalidValue(field, raw, "expected (latitude, longitude)") from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise InvalidValue(
                field, raw, "latitude must be in [-90, 90], longitude in [-180, 180]"
            )
        if lat != lat or lon != lon:
            raise InvalidValue(field, raw, "coordinates are not numbers")
        return GeoPoint(lat, lon)


class TimestampType(ValueType):
    """Timezone-aware instants; the original UTC offset is kept.

    The rule for times without an offset: epoch numbers are UTC by definition; text
    without an offset is refused unless the caller names the zone the source used
    (`assume_offset`), because guessing would silently shift events by hours.
    """

    name = "timestamp"
    graph_type = "TIMESTAMP"  # plus <name>_offset_min INT64 for the original offset
    earliest: ClassVar[datetime] = datetime(1970, 1, 1, tzinfo=UTC)
    latest: ClassVar[datetime] = datetime(2100, 1, 1, tzinfo=UTC)

    def clean(self, field: str, raw: Any, assume_offset: timedelta | None = None) -> Any:
        value = self._parse(field, raw)
        if value.tzinfo is None:
            if assume_offset is None:
                raise InvalidValue(
                    field, raw, "timestamp has no UTC offset; name the source's zone to accept it"
                )
            value = value.replace(tzinfo=timezone(assume_offset))
        if not self.earliest <= value < self.latest:
            raise InvalidValue(field, raw, "timestamp outside 1970-2100")
        return value

    def _parse(self, field: str, raw: Any) -> datetime:
        if type(raw) is str:
            # Fast path for the common shape: ISO text as exports write it. Python 3.11's
            # fromisoformat reads a "Z" itself, as the UTC the slower path spells out.
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                pass
        if isinstance(raw, datetime):
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            try:
                return datetime.fromtimestamp(float(raw), tz=UTC)
            except (OverflowError, OSError, ValueError):
                raise InvalidValue(field, raw, "epoch seconds out of range") from None
        text = str(raw).strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise InvalidValue(field, raw, "expected an ISO 8601 timestamp") from None


REGISTRY: dict[str, ValueType] = {
    t.name: t
    for t in (
        TextType(),
        NameType(),
        IdentifierType(),
        CountryType(),
        PlateType(),
        HandleType(),
        PhoneType(),
        DateType(),
        NumberType(),
        IntegerType(),
        ScoreType(),
        ListType(),
        GeoType(),
        TimestampType(),
    )
}


def offset_minutes(value: datetime) -> int:
    """The original UTC offset of an aware datetime, in minutes."""
    offset = value.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0
