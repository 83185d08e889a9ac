"""mbox mailboxes (RFC 4155) of RFC 5322 messages, such as Google Takeout Mail.

The file is streamed line by line and split on separator lines. A line starting "From "
separates messages when it is the file's first line or ends in a ctime-style timestamp
("From sender Tue Aug  5 08:00:23 2008", optionally with a zone, as Google Takeout's
"... +0000 2008"); any other "From " line is body text that an mboxo writer did not
quote. mboxrd quoting is undone in bodies: one '>' is removed from lines matching
`>+From `. Memory stays one message's headers (and its body only when bodies are kept).

Headers are decoded as UTF-8, else as ISO-8859-1 (every byte is a character, so nothing
is lost), split by the stdlib `email` parser and read through the header classes of its
`default` policy, which parse addresses and dates and decode RFC 2047 words. One record
per message, located as `FILE#message[N]@line L` (N from 1; L the separator's line):

    Communication {channel "email" ("chat" for Takeout's Hangouts items, label Chat),
                   time, subject, message_id, thread, direction, status}
      -FROM-> / -TO-> / -CC-> Account {platform "email", handle = address lower-cased,
                                       display_name}

Rules:
- Date: the Date header, with its offset ("-0000" is UTC, RFC 5322 3.3). A message
  without a readable Date is dated from its separator line and flagged with status
  "date-from-separator": the separator's own zone when it names one, else the zone given
  with --assume-offset, else UTC as RFC 4155 defines it (many MTAs wrote local time, hence
  the flag). Without a readable Date or separator time, the message is quarantined.
- From: required (RFC 5322); a message without a From address is quarantined, as is one
  whose From, To, Cc or Bcc names something that is not an address. Bcc is a copy (CC).
- Direction: "outgoing" when Google's X-Gmail-Labels include Sent; "incoming" when they
  include Inbox or the message carries Delivered-To (it was delivered to this mailbox);
  otherwise unknown (None). A Draft label adds status "draft".
- The owner: every message is KEPT_BY the export's owner Person, who USES the top
  Delivered-To address (the mailbox the message was delivered to) and, for a sent
  message, its From address.
- Thread: X-GM-THRID; else the first References id (the thread's root); else In-Reply-To;
  else the message's own Message-ID, so a root and its replies share a thread.
- Natural key: the Message-ID, so the same message in two mailboxes is one event (its
  direction is relative to a mailbox, so the last one read sets it); without one,
  (separator line, Date, From, Subject).

Metadata by default: the body becomes `body` (text/plain, else text/html) only with
`include_bodies`. With bodies off the raw text kept for the analyst is the separator and
header block only: the body is never read into memory, so it cannot reach the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.headerregistry import HeaderRegistry
from email.parser import BytesParser, Parser
from email.policy import compat32, default
from email.utils import parseaddr
from functools import partial
from pathlib import Path
from typing import IO, Any, TypeVar

from ingest.connectors.base import Connector
from ingest.connectors.common import guarded
from ingest.connectors.messages import Party, Role, build, status
from ingest.connectors.owner import owner_name
from ingest.records import RecordBuilder, Rejected, SourceRecord, excerpt
from ingest.stretches import Stretch, StretchMisaligned, marker_stretches, open_stretch_bytes
from schemas.errors import InvalidValue

LINE_LIMIT = 1 << 20  # a longer line is read in pieces
MAX_HEADER_BYTES = 1 << 20  # past this a header block is reported damaged
MAX_BODY_BYTES = 32 << 20  # with bodies on, the part of a body kept for its text
_MONTH_NAMES = b"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_CTIME = re.compile(
    rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +(?P<month>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) +"
    rb"(?P<hour>\d{1,2}):(?P<minute>\d\d)(?::(?P<second>\d\d))?"
    rb"(?: +(?P<zone>[+-]\d{4}|[A-Z]{1,5}))? +(?P<year>\d{4})"
    rb"(?: +(?P<zone2>[+-]\d{4}|[A-Z]{1,5}))?\s*\Z"
)
# The zones RFC 822 names; other abbreviations are ambiguous and read as no zone.
_ZONES = {
    b"UT": 0, b"UTC": 0, b"GMT": 0, b"Z": 0, b"EST": -5, b"EDT": -4, b"CST": -6,
    b"CDT": -5, b"MST": -7, b"MDT": -6, b"PST": -8, b"PDT": -7,
}  # fmt: skip
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_QUOTED_FROM = re.compile(rb">+From ")
_MSG_ID = re.compile(r"<([^<>]+)>")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BLANK = (b"\n", b"\r\n")
_T = TypeVar("_T")


@dataclass
class RawMessage:
    """One message's bytes as split from the mailbox, or a damaged stretch of it."""

    index: int
    line: int
    separator: bytes
    headers: bytearray = field(default_factory=bytearray)
    body: bytearray | None = None
    in_headers: bool = True
    problem: str = ""


class Mbox(Connector):
    name = "mbox"
    version = "2"  # 2: every communication is KEPT_BY the export's owner
    title = "mbox mailboxes of RFC 5322 messages (e.g. Google Takeout Mail)"
    source_kind = "mbox"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        first, _, rest = head.partition(b"\n")
        if not first.startswith(b"From "):
            return False
        return separator_time(first) is not None or _HEADER_LINE.match(rest) is not None

    def read(self, path: Path) -> Iterator[SourceRecord | Rejected]:
        owner = owner_name(self.options, path)
        with path.open("rb") as fp:
            for message in split_mbox(fp, self.options.include_bodies):
                locator = f"{path}#message[{message.index}]@line {message.line}"
                yield self._item(locator, message, owner)

    def stretches(self, path: Path) -> list[Stretch] | None:
        """Cut at "From " lines, counting them: a body line that starts with "From "
        unquoted makes the counts disagree, and the file is read whole."""
        with path.open("rb") as fp:
            unmarked = int(fp.read(5) == b"From ")
        return marker_stretches(path, b"\nFrom ", skip=1, unmarked=unmarked)

    def read_stretch(self, path: Path, stretch: Stretch) -> Iterator[SourceRecord | Rejected]:
        owner, keep_body = owner_name(self.options, path), self.options.include_bodies
        found = 0
        with open_stretch_bytes(path, stretch) as fp:
            for message in split_mbox(fp, keep_body, stretch.first_line, stretch.first_record):
                if message.index <= stretch.first_record:  # the cut was not at a separator
                    raise StretchMisaligned(f"{path}: line {stretch.first_line} is no separator")
                locator = f"{path}#message[{message.index}]@line {message.line}"
                yield self._item(locator, message, owner)
                found += 1
        if found != stretch.records:
            raise StretchMisaligned(f"{path}: {found} messages where {stretch.records} start")

    def _item(self, locator: str, message: RawMessage, owner: str) -> SourceRecord | Rejected:
        raw = raw_text(message)
        if message.problem:
            return Rejected(locator, message.problem, excerpt(raw))
        return guarded(locator, raw, partial(self._record, locator, raw, message, owner))

    def _record(self, locator: str, raw: str, message: RawMessage, owner: str) -> SourceRecord:
        read = Headers(_decode(message.headers))
        labels = read.labels()
        direction = _direction(labels, read.delivered_to())
        time, dated_by_separator = self._time(read, message.separator)
        message_id = read.message_id()
        event = {
            "time": time,
            "channel": "chat" if "chat" in labels else "email",
            "direction": direction,
            "subject": read.text("Subject"),
            "message_id": message_id,
            "thread": read.thread() or message_id,
            "status": status(
                "draft" if "draft" in labels else None,
                "date-from-separator" if dated_by_separator else None,
            ),
            "body": _body(message) if self.options.include_bodies else None,
        }
        key = f"message-id:{message_id}" if message_id else read.fallback_key(message.separator)
        builder = RecordBuilder(
            self.model, self.source_kind, locator, raw, self.options.assume_offset
        )
        return build(builder, owner, key, event, read.parties(direction))

    def _time(self, read: Headers, separator: bytes) -> tuple[datetime, bool]:
        """The Date header; else the separator's time, flagged (see the module rules)."""
        date = read.date()
        if date is not None:
            return date, False
        stamp = separator_time(separator, self.options.assume_offset)
        if stamp is None:
            raise InvalidValue(
                "Date", read.first("Date"), "no readable Date header and no time on the From line"
            )
        return stamp, True


class Headers:
    """Reads the fields of one header block. The block is split by the fast compat32
    parser; only the headers whose structure matters (addresses, Date, Subject, labels)
    go through the `default` policy's header classes, which decode RFC 2047. The email
    package's own errors on malformed input become InvalidValue naming the header."""

    def __init__(self, block: str) -> None:
        message = _email("headers", partial(_HEADER_PARSER.parsestr, block, True))
        self.values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self.values.setdefault(name.lower(), []).append(_LINE_BREAK.sub("", str(value)))

    def raw(self, name: str) -> list[str]:
        """The values of a header as written, unfolded."""
        return self.values.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        values = self.raw(name)
        return " ".join(values[0].split()) or None if values else None

    def parsed(self, name: str) -> list[Any]:
        return [_email(name, partial(_HEADERS, name, value)) for value in self.raw(name)]

    def text(self, name: str) -> str | None:
        """The first value, RFC 2047 words decoded, whitespace collapsed."""
        values = self.parsed(name)
        return " ".join(_plain(str(values[0])).split()) or None if values else None

    def date(self) -> datetime | None:
        values = self.parsed("Date")
        value = getattr(values[0], "datetime", None) if values else None
        if not isinstance(value, datetime):
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def labels(self) -> set[str]:
        return {label.strip().lower() for label in (self.text("X-Gmail-Labels") or "").split(",")}

    def delivered_to(self) -> str | None:
        """The top Delivered-To: the mailbox this copy was delivered to."""
        address = parseaddr(self.first("Delivered-To") or "")[1].strip()
        return address if "@" in address and not any(c.isspace() for c in address) else None

    def message_id(self) -> str | None:
        return _first_id(self.first("Message-ID"), whole=True)

    def thread(self) -> str | None:
        return (
            self.first("X-GM-THRID")
            or _first_id(self.first("References"))
            or _first_id(self.first("In-Reply-To"))
        )

    def fallback_key(self, separator: bytes) -> str:
        parts = [self.first(name) or "" for name in ("Date", "From", "Subject")]
        return "message:" + "|".join([separator.decode("latin-1"), *parts])

    def parties(self, direction: str | None) -> list[Party]:
        senders = self.accounts("From", "FROM", owner=direction == "outgoing")
        if not senders:
            raise InvalidValue("From", self.first("From"), "a message needs a From address")
        parties = senders + self.accounts("To", "TO")
        parties += self.accounts("Cc", "CC") + self.accounts("Bcc", "CC")
        delivered = self.delivered_to()
        if delivered is not None:
            parties.append(Party(None, "Account", _account(delivered, None), owner=True))
        return parties

    def accounts(self, name: str, role: Role, owner: bool = False) -> list[Party]:
        found = []
        for header in self.parsed(name):
            for address in _email(name, partial(_addresses, header)):
                spec = _plain(address.addr_spec).strip()
                if not spec or spec == "<>" or any(c.isspace() for c in spec):
                    raise InvalidValue(name, str(header), f"{spec or 'nothing'} is not an address")
                props = _account(spec, _plain(address.display_name) or None)
                found.append(Party(role, "Account", props, owner=owner))
        return found


class _HeaderClasses(HeaderRegistry):
    """The stdlib registry builds a new class each time it parses a header; this one
    builds each class once (a third of the time spent reading a mailbox)."""

    def __init__(self) -> None:
        super().__init__()
        self.built: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self.built:
            self.built[key] = super().__getitem__(name)
        return self.built[key]


_HEADER_PARSER = Parser(policy=compat32)
_HEADERS = _HeaderClasses()
_BODY_POLICY = default.clone(header_factory=_HEADERS)


def _addresses(header: Any) -> tuple[Any, ...]:
    return tuple(header.addresses)


def split_mbox(
    fp: IO[bytes], keep_body: bool, first_line: int = 1, first_index: int = 0
) -> Iterator[RawMessage]:
    """The messages of a mailbox (or of a stretch of one starting at `first_line`, after
    `first_index` messages), in order; content before the first separator, and a header
    block past MAX_HEADER_BYTES, come out as RawMessages with a problem."""
    current = RawMessage(first_index, first_line, b"", problem="content before the first From line")
    current.body = bytearray() if keep_body else None  # marks whether raw may show it
    line_no, at_line_start, index = first_line - 1, True, first_index
    for piece in iter(partial(fp.readline, LINE_LIMIT), b""):
        starts_line, at_line_start = at_line_start, piece.endswith(b"\n")
        line_no += starts_line
        if starts_line and piece.startswith(b"From ") and (line_no == 1 or is_separator(piece)):
            if current.index > first_index or current.headers.strip():
                yield current
            index += 1
            current = RawMessage(index, line_no, piece.rstrip(b"\r\n"))
            current.body = bytearray() if keep_body else None
        elif current.in_headers:
            _add_header_line(current, piece, starts_line)
        elif current.body is not None and len(current.body) < MAX_BODY_BYTES:
            quoted = starts_line and _QUOTED_FROM.match(piece)
            current.body += piece[1:] if quoted else piece
    if current.index > first_index or current.headers.strip():
        yield current


def _add_header_line(message: RawMessage, piece: bytes, starts_line: bool) -> None:
    if starts_line and piece in _BLANK and message.index:
        message.in_headers = False
    elif len(message.headers) < MAX_HEADER_BYTES:
        message.headers += piece
    elif not message.problem:
        message.problem = f"header block longer than {MAX_HEADER_BYTES} bytes; not read"


def is_separator(line: bytes) -> bool:
    return line.startswith(b"From ") and _CTIME.search(line.rstrip(b"\r\n")) is not None


def separator_time(line: bytes, assume_offset: timedelta | None = None) -> datetime | None:
    """The timestamp of a "From " line (see the module's date rule), or None."""
    match = _CTIME.search(line.rstrip(b"\r\n"))
    month = _MONTHS.get(match.group("month")) if match else None
    if match is None or month is None:
        return None
    offset = _zone(match.group("zone") or match.group("zone2"))
    if offset is None:
        offset = assume_offset or timedelta(0)
    try:
        return datetime(
            int(match.group("year")),
            month,
            int(match.group("day")),
            int(match.group("hour")),
            int(match.group("minute")),
            int(match.group("second") or 0),
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None


def _zone(text: bytes | None) -> timedelta | None:
    if text is None:
        return None
    if text[:1] in (b"+", b"-"):
        sign = -1 if text[:1] == b"-" else 1
        hours, minutes = int(text[1:3]), int(text[3:5])
        return sign * timedelta(hours=hours, minutes=minutes) if minutes < 60 else None
    known = _ZONES.get(text)
    return None if known is None else timedelta(hours=known)


def raw_text(message: RawMessage) -> str:
    """Separator and headers; the body too only when it was kept (bodies on). Content
    before the first separator may be any part of a message, so it is kept only then."""
    if message.index == 0 and message.body is None:
        return ""
    text = message.separator.decode("latin-1") + "\n" + _decode(message.headers)
    if message.body:
        text += "\n" + _decode(bytes(message.body[: 2 * 4000]))
    return text


def _plain(text: str) -> str:
    """Text without the lone surrogates the email package leaves for bytes it could not
    decode (an encoded word in an unknown charset): the bytes are read as UTF-8, and
    what is not UTF-8 is replaced."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        data = text.encode("utf-8", "replace")
    return data.decode("utf-8", "replace")


def _decode(data: bytes | bytearray) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _body(message: RawMessage) -> str | None:
    """The text of the message (plain, else html), decoded by its declared charset."""
    data = bytes(message.headers) + b"\n" + bytes(message.body or b"")
    try:
        parsed = BytesParser(policy=_BODY_POLICY).parsebytes(data)
        part = parsed.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else None
    except Exception:  # undecodable bodies are kept without their text
        return None
    if not isinstance(text, str):
        return None
    return _plain(text).replace("\r\n", "\n").strip() or None


def _direction(labels: set[str], delivered_to: str | None) -> str | None:
    if "sent" in labels:
        return "outgoing"
    if "inbox" in labels or delivered_to is not None:
        return "incoming"
    return None


def _account(address: str, display_name: str | None) -> dict[str, Any]:
    return {"platform": "email", "handle": address, "display_name": display_name}


def _first_id(text: str | None, whole: bool = False) -> str | None:
    """The first <msg-id> of a header; with `whole`, the header itself if it has none."""
    if not text:
        return None
    match = _MSG_ID.search(text)
    found = match.group(1) if match else text if whole else ""
    return found.strip("<> ") or None


def _email(name: str, read: Callable[[], _T]) -> _T:
    """Run a stdlib email call. The package raises assorted errors (IndexError,
    AttributeError, HeaderParseError, ...) on malformed headers; any of them means this
    header cannot be read, which quarantines the message with the header's name."""
    try:
        return read()
    except Exception as exc:  # see the docstring
        raise InvalidValue(name, None, f"unreadable header ({type(exc).__name__})") from None
