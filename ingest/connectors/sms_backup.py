"""SMS Backup & Restore (SyncTech) XML backups: `<smses>` of `<sms>` and `<mms>`, or
`<calls>` of `<call>`.

Read with defusedxml's iterparse, streaming: each child of the root is handled when its
end tag arrives and then cleared, so memory stays one record however large the backup.
A DTD or entity declaration is refused before anything expands. A file that is cut off
or not well-formed yields the records before the damage, then one Rejected naming the
line and column where reading stopped (the rest of the file is unread).

One record per `<sms>`, `<mms>` or `<call>`, located as `FILE#/smses/sms[N]` (XPath
style: N counts that element name from 1). Fields, after SyncTech's "Fields in XML
backup files" page:
- `date`: Java epoch milliseconds, UTC by definition.
- sms `type`: 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued; mms `msg_box`:
  1 received, 2 sent, 3 draft, 4 outbox (5 failed, Android's code); call `type`:
  1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 refused list ("blocked"),
  7 answered on another device (Android's code). They give `direction` and `status`; an
  unknown code quarantines the record rather than guessing a direction.
- `address` / `number`: the counterpart, a Phone in E.164. National numbers need
  `--phone-region`; without it they are refused, never guessed. An alphanumeric sender
  ("AMAZON") becomes an Account on platform "sms", an e-mail address (MMS to e-mail) an
  Account on "email". A call from a withheld number has no counterpart, and a status flag.
- `contact_name` (not "(Unknown)"): a Person who USES the counterpart's number: the phone
  book's name for it, kept for entity resolution. Not set for group messages.

The owner's side: a backup does not state the phone's own number, so every record holds
the owner Person, whom the Communication is KEPT_BY, and the Communication is linked FROM
(incoming) or TO (outgoing) the counterpart. A sent MMS is the exception: its
`<addr type="137">` (From) is the phone's own number, which the owner is recorded as using.

Metadata by default: SMS bodies and the text parts of an MMS become `body` only with
`include_bodies`. The raw text kept for the analyst is the record re-serialised from the
parsed element; with bodies off it leaves out the sms `body` attribute and the `text`
attribute of every MMS part, so no body reaches the ledger. MMS media (`data`, base64) is
never kept in raw. Quarantined records keep the same raw text.

Natural key: (element, date, address, type code, duration), so re-reading a backup, or a
later backup of the same phone, gives the same ids.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import iterparse

from ingest.connectors.base import Connector
from ingest.connectors.common import UTF8_BOM, guarded
from ingest.connectors.messages import Party, PartyType, Role, build, status
from ingest.connectors.owner import owner_name
from ingest.records import RecordBuilder, Rejected, SourceRecord
from schemas.errors import InvalidValue
from schemas.types import phone_e164

# Declarations, processing instructions, comments and a DOCTYPE may precede the root.
_SNIFF = re.compile(
    rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*<(?:smses|calls)[\s/>]",
    re.S,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NULL = frozenset({"", "null"})
# What Android writes for a number it does not have (hidden, unknown, payphone, the
# MMS placeholder for the phone's own number).
_NO_NUMBER = frozenset({"", "null", "-1", "-2", "-3", "-4", "insert-address-token"})
_PRESENTATION = {"2": "number-restricted", "3": "number-unknown", "4": "payphone"}
_DELIVERY = {"32": "pending", "64": "failed"}  # sms `status`, when `type` says no more
_UNKNOWN_CONTACT = frozenset({"(unknown)", "null", ""})
# MMS <addr type>: PduHeaders FROM, TO, CC, BCC. The model has CC for accounts only,
# so copies to numbers are recipients (TO) too.
_ADDR_ROLES: Mapping[str, Role] = {"137": "FROM", "151": "TO", "130": "TO", "129": "TO"}
_OWN_ADDRESS = "137"
# Attributes holding message text, left out of raw when bodies are off; and media,
# never kept in raw.
_BODY_ATTRS = {"sms": frozenset({"body"}), "part": frozenset({"text"})}
_MEDIA_ATTRS = frozenset({"data"})
_ENTITIES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    ('"', "&quot;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
    ("\t", "&#9;"),
)


@dataclass(frozen=True)
class Kind:
    """How one element name of a backup is read."""

    channel: str
    type_attr: str
    codes: Mapping[str, tuple[str, str | None]]  # code -> (direction, status)
    address_attr: str


_SENT = ("outgoing", None)
KINDS = {
    "sms": Kind(
        "sms",
        "type",
        {
            "1": ("incoming", None),
            "2": _SENT,
            "3": ("outgoing", "draft"),
            "4": ("outgoing", "outbox"),
            "5": ("outgoing", "failed"),
            "6": ("outgoing", "queued"),
        },
        "address",
    ),
    "mms": Kind(
        "mms",
        "msg_box",
        {
            "1": ("incoming", None),
            "2": _SENT,
            "3": ("outgoing", "draft"),
            "4": ("outgoing", "outbox"),
            "5": ("outgoing", "failed"),
        },
        "address",
    ),
    "call": Kind(
        "call",
        "type",
        {
            "1": ("incoming", None),
            "2": _SENT,
            "3": ("incoming", "missed"),
            "4": ("incoming", "voicemail"),
            "5": ("incoming", "rejected"),
            "6": ("incoming", "blocked"),
            "7": ("incoming", "answered-elsewhere"),
        },
        "number",
    ),
}
ROOTS = {"smses": frozenset({"sms", "mms"}), "calls": frozenset({"call"})}


class NotABackup(Exception):
    """The root element is not one SMS Backup & Restore writes."""

    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


class SmsBackupRestore(Connector):
    name = "sms-backup-restore"
    version = "2"  # 2: every communication is KEPT_BY the export's owner
    title = "SMS Backup & Restore XML (smses and calls)"
    source_kind = "sms-backup"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return _SNIFF.match(head.removeprefix(UTF8_BOM)) is not None

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        owner = owner_name(self.options, path)
        seen: Counter[str] = Counter()
        with path.open("rb") as fp:
            elements = backup_elements(fp)
            while True:
                try:
                    root, elem = next(elements)
                except StopIteration:
                    return
                except NotABackup as exc:
                    reason = f"root element <{exc.tag}> is not <smses> or <calls>"
                    yield Rejected(f"{path}#/{exc.tag}", reason)
                    return
                except (ParseError, DefusedXmlException, ValueError, LookupError) as exc:
                    yield _damage(path, exc, sum(seen.values()))
                    return
                seen[elem.tag] += 1
                locator = f"{path}#/{root}/{elem.tag}[{seen[elem.tag]}]"
                yield self._item(locator, root, elem, owner)

    def _item(self, locator: str, root: str, elem: Element, owner: str) -> SourceRecord | Rejected:
        if elem.tag not in ROOTS[root]:
            expected = " or ".join(sorted(ROOTS[root]))
            reason = f"unexpected element <{elem.tag}> in <{root}>; expected {expected}"
            return Rejected(locator, reason, f"<{elem.tag}>")
        raw = raw_text(elem, self.options.include_bodies)
        return guarded(locator, raw, partial(self._record, locator, raw, elem, owner))

    def _record(self, locator: str, raw: str, elem: Element, owner: str) -> SourceRecord:
        kind = KINDS[elem.tag]
        code = _attr(elem, kind.type_attr) or ""
        if code not in kind.codes:
            known = ", ".join(kind.codes)
            raise InvalidValue(f"{elem.tag}.{kind.type_attr}", code, f"expected one of {known}")
        direction, flag = kind.codes[code]
        date = elem.get("date")
        event = {
            "time": _epoch_ms(f"{elem.tag}.date", date),
            "channel": kind.channel,
            "direction": direction,
            "status": status(flag, *self._flags(elem, flag)),
            "duration_s": _attr(elem, "duration") if elem.tag == "call" else None,
            "subject": _attr(elem, "sub" if elem.tag == "mms" else "subject"),
            "message_id": _attr(elem, "m_id"),
            "body": self._body(elem) if self.options.include_bodies else None,
        }
        address = elem.get(kind.address_attr) or ""
        key = "|".join((elem.tag, date or "", address, code, elem.get("duration") or ""))
        builder = RecordBuilder(
            self.model, self.source_kind, locator, raw, self.options.assume_offset
        )
        return build(builder, owner, key, event, self._parties(elem, kind, direction))

    @staticmethod
    def _flags(elem: Element, flag: str | None) -> list[str | None]:
        if elem.tag == "call":
            return [_PRESENTATION.get(elem.get("presentation") or "")]
        if elem.tag == "sms" and flag is None:
            return [_DELIVERY.get(elem.get("status") or "")]
        return []

    @staticmethod
    def _body(elem: Element) -> str | None:
        if elem.tag == "sms":
            return elem.get("body")
        texts = [
            part.get("text") or ""
            for part in elem.iter("part")
            if (part.get("ct") or "").lower() == "text/plain"
        ]
        return "\n".join(texts) or None

    def _parties(self, elem: Element, kind: Kind, direction: str) -> list[Party]:
        field = f"{elem.tag}.{kind.address_attr}"
        counterparts = (elem.get(kind.address_attr) or "").split("~")
        contact = _contact(elem) if len(counterparts) == 1 else None
        addrs = list(elem.iter("addr")) if elem.tag == "mms" else []
        if not addrs:
            role: Role = "FROM" if direction == "incoming" else "TO"
            return [
                Party(role, *found, contact=contact)
                for text in counterparts
                if (found := self._party(field, text)) is not None
            ]
        named = self._party(field, counterparts[0]) if contact else None
        return self._addr_parties(elem, addrs, named, contact)

    def _addr_parties(
        self,
        elem: Element,
        addrs: list[Element],
        named: tuple[PartyType, dict[str, str]] | None,
        contact: str | None,
    ) -> list[Party]:
        """MMS participants by role; the From of a sent MMS is the owner's own number."""
        sent = elem.get("msg_box") == "2"
        parties = []
        for addr in addrs:
            role = _ADDR_ROLES.get(addr.get("type") or "")
            if role is None:
                raise InvalidValue("mms.addr.type", addr.get("type"), "expected 137, 151, 130, 129")
            found = self._party("mms.addr.address", addr.get("address") or "")
            if found is None:
                continue
            own = sent and addr.get("type") == _OWN_ADDRESS
            name = contact if found == named and not own else None
            parties.append(Party(role, *found, contact=name, owner=own))
        return parties

    def _party(self, field: str, text: str) -> tuple[PartyType, dict[str, str]] | None:
        """The number or sender an address names, or None for a withheld number."""
        text = text.strip()
        if text.lower() in _NO_NUMBER:
            return None
        if "@" in text:
            return "Account", {"platform": "email", "handle": text}
        region = self.options.phone_region
        number, problem = _e164(text, region)
        if number is not None:
            return "Phone", {"number": number}
        if any(c.isalpha() for c in text):
            return "Account", {"platform": "sms", "handle": text}
        if region is None:
            problem += "; pass --phone-region with the country the phone was used in, e.g. NL"
        raise InvalidValue(field, text, problem)


def backup_elements(fp: IO[bytes]) -> Iterator[tuple[str, Element]]:
    """(root tag, element) for each child of the root, complete; cleared after use.
    Raises NotABackup for another root, and the parser's errors for damaged XML."""
    root: Element | None = None
    depth = 0
    for event, elem in iterparse(fp, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            if root is None:
                if elem.tag not in ROOTS:
                    raise NotABackup(str(elem.tag))
                root = elem
            depth += 1
            continue
        depth -= 1
        if depth == 1 and root is not None:
            yield str(root.tag), elem
            root.clear()  # the record is done: memory stays one record


@lru_cache(maxsize=1 << 16)  # a backup names the same few hundred numbers again and again
def _e164(text: str, region: str | None) -> tuple[str | None, str]:
    """(E.164 number, "") or (None, why not)."""
    try:
        return phone_e164("number", text, region), ""
    except InvalidValue as exc:
        return None, exc.reason


def raw_text(elem: Element, bodies: bool) -> str:
    """The record re-serialised as XML: without message text unless bodies are kept,
    never with media payloads, and only the documented levels (mms / parts / part)."""
    return "".join(_serialise(elem, bodies, 0))


def _serialise(elem: Element, bodies: bool, depth: int) -> Iterator[str]:
    tag = str(elem.tag)
    drop = _MEDIA_ATTRS if bodies else _MEDIA_ATTRS | _BODY_ATTRS.get(tag, frozenset())
    attrs = "".join(f' {k}="{_escape(v)}"' for k, v in elem.attrib.items() if k not in drop)
    children = list(elem) if depth < 2 else []
    if not children:
        yield f"<{tag}{attrs} />"
        return
    yield f"<{tag}{attrs}>"
    for child in children:
        yield from _serialise(child, bodies, depth + 1)
    yield f"</{tag}>"


def _escape(value: str) -> str:
    for char, entity in _ENTITIES:
        if char in value:
            value = value.replace(char, entity)
    return value


def _attr(elem: Element, name: str) -> str | None:
    """An attribute's value; the app writes "null" for an empty field."""
    value = elem.get(name)
    return None if value is None or value.strip() in _NULL else value


def _contact(elem: Element) -> str | None:
    name = " ".join((elem.get("contact_name") or "").split())
    return None if name.lower() in _UNKNOWN_CONTACT else name


def _epoch_ms(field: str, text: str | None) -> datetime:
    if text is None or not text.strip():
        raise InvalidValue(field, text, "required field is missing")
    try:
        return _EPOCH + timedelta(milliseconds=int(text))
    except ValueError:
        raise InvalidValue(field, text, "expected Java epoch milliseconds") from None
    except OverflowError:
        raise InvalidValue(field, text, "epoch milliseconds out of range") from None


def _damage(path: Path, exc: Exception, records: int) -> Rejected:
    """The rest of a file that cannot be read on, with where and why."""
    line, column = getattr(exc, "position", None) or (0, 0)
    where = f"{path}#line {line}, column {column}" if line else f"{path}#"
    if isinstance(exc, DTDForbidden):
        what = f"the file declares a DTD (<!DOCTYPE {exc.name}>); refused, nothing expanded"
    elif isinstance(exc, DefusedXmlException):
        what = f"the file declares entities ({exc}); refused, nothing expanded"
    else:
        what = f"the file is cut off or not well-formed XML ({exc})"
    return Rejected(where, f"{what}; {records} records before it were read, the rest is unread")
