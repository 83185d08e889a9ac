"""SMS Backup & Restore (SyncTech) backups: ``<person>-sms.xml`` and ``<person>-calls.xml``.

Attributes follow ``samples/messages/sms_backup_restore_*.xml``: ``date`` in epoch
milliseconds, SMS ``type`` 1 received / 2 sent, call ``type`` 1 incoming / 2 outgoing /
3 missed / 5 rejected, ``duration`` in seconds, ``readable_date`` in the phone's local
time, and ``contact_name`` as the owner saved the other side ("(Unknown)" otherwise).
``address`` / ``number`` is written as the owner's phone keeps it: E.164 or national.
A backup covers the handset: after the SIM swap it holds the other SIM's traffic, and
the family phone's backup holds both users' messages.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

from ingest.scenario.cast import Cast
from ingest.scenario.clock import day_start, local_time
from ingest.scenario.comms import Call, Party, Sms
from ingest.scenario.contacts import as_written
from ingest.scenario.story import StoryDay
from ingest.scenario.writers.streams import CountedFiles

SMSC = "+31600000000"
CALL_TYPES = {"answered": 1, "missed": 3, "rejected": 5, "busy": 1}
_ATTR = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;"}
HEAD = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
    '<?xml-stylesheet type="text/xsl" href="{kind}.xsl"?>\n'
    '<{root} count="{count}" backup_set="{backup_set}" backup_date="{backup_date}" type="full">\n'
)


def attr(text: str) -> str:
    return escape(text, _ATTR)


def readable(epoch: float, twelve_hour: bool) -> str:
    t = local_time(epoch)
    month = time.strftime("%b", t)
    if not twelve_hour:
        return f"{month} {t.tm_mday}, {t.tm_year} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    hour = t.tm_hour % 12 or 12
    half = "AM" if t.tm_hour < 12 else "PM"
    return f"{month} {t.tm_mday}, {t.tm_year} {hour}:{t.tm_min:02d}:{t.tm_sec:02d} {half}"


class SmsBackupWriter:
    """Writes ``messages/sms/<person>-sms.xml`` and ``-calls.xml`` for backup owners."""

    kind = "sms-backup"

    def __init__(self, out_dir: Path, cast: Cast, family: tuple[str, str], end_day: int) -> None:
        self.root = out_dir / "messages" / "sms"
        self.cast, self.family = cast, family
        self.backup_date = (day_start(end_day) + 9 * 3600) * 1000
        self.sms = CountedFiles(lambda p, n: self._head(p, n, "sms", "smses"), "</smses>\n")
        self.calls = CountedFiles(lambda p, n: self._head(p, n, "calls", "calls"), "</calls>\n")
        self.records = 0

    def _head(self, path: Path, count: int, kind: str, root: str) -> str:
        digest = hashlib.blake2b(path.name.encode(), digest_size=16).digest()
        backup_set = str(uuid.UUID(bytes=digest, version=4))
        return HEAD.format(
            kind=kind, root=root, count=count, backup_set=backup_set, backup_date=self.backup_date
        )

    def _contact(self, owner: str, other: Party) -> str:
        line = other.line
        if line is None or line.kind == "desk":
            return "(Unknown)"
        if line.kind == "family" and owner not in self.family:
            return self.cast.contacts.family_name
        owners = self.family if owner == self.family[0] else (owner,)
        saved = self.cast.contacts.saved
        return next(
            (saved[o, line.holder] for o in owners if (o, line.holder) in saved), "(Unknown)"
        )

    def _sms(self, owner: str, sms: Sms, sent: bool) -> str:
        other = sms.recipient if sent else sms.sender
        ms = int(sms.time * 1000) + (0 if sent else 1500)
        date_sent = "0" if sent else str(int(sms.time) * 1000)
        return (
            f'  <sms protocol="0" address="{as_written(owner, other.number)}" date="{ms}" '
            f'type="{2 if sent else 1}" subject="null" body="{attr(sms.body)}" toa="null" '
            f'sc_toa="null" service_center="{"null" if sent else SMSC}" read="1" status="-1" '
            f'locked="0" date_sent="{date_sent}" sub_id="-1" '
            f'readable_date="{readable(ms / 1000, False)}" '
            f'contact_name="{attr(self._contact(owner, other))}" />\n'
        )

    def _call(self, owner: str, call: Call, outgoing: bool) -> str:
        other = call.callee if outgoing else call.caller
        kind = 2 if outgoing else CALL_TYPES[call.outcome]
        return (
            f'  <call number="{as_written(owner, other.number)}" duration="{call.duration}" '
            f'date="{int(call.time * 1000)}" type="{kind}" presentation="1" subscription_id="1" '
            f'readable_date="{readable(call.time, True)}" '
            f'contact_name="{attr(self._contact(owner, other))}" />\n'
        )

    def write_day(self, story: StoryDay) -> None:
        texts: dict[Path, list[str]] = {}
        calls: dict[Path, list[str]] = {}
        for sms in story.comms.sms:
            for party, sent in ((sms.sender, True), (sms.recipient, False)):
                if party.line and party.line.backup:
                    path = self.root / f"{party.line.backup}-sms.xml"
                    texts.setdefault(path, []).append(self._sms(party.line.backup, sms, sent))
        for call in story.comms.calls:
            for party, outgoing in ((call.caller, True), (call.callee, False)):
                if party.line and party.line.backup:
                    path = self.root / f"{party.line.backup}-calls.xml"
                    calls.setdefault(path, []).append(self._call(party.line.backup, call, outgoing))
        for path, lines in texts.items():
            self.sms.add_records(path, lines)
        for path, lines in calls.items():
            self.calls.add_records(path, lines)
        self.records += sum(map(len, texts.values())) + sum(map(len, calls.values()))

    @property
    def files_written(self) -> int:
        return self.sms.files_written + self.calls.files_written

    def close(self) -> None:
        self.sms.close()
        self.calls.close()
