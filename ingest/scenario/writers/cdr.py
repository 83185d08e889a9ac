"""Asterisk ``Master.csv`` call detail records of the depot's PBX (cdr_csv, no header).

Columns in cdr_csv order: accountcode, src, dst, dcontext, clid, channel, dstchannel,
lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
uniqueid, userfield. Text fields are double-quoted (inner quotes doubled), ``duration``
and ``billsec`` are bare integers, times are the server's local time
"YYYY-MM-DD HH:MM:SS" (``answer`` empty when nobody answered). Outbound calls show the
extension as ``src`` and the dialled number (national form) as ``dst``; inbound calls
show the caller's number as ``src`` and the desk's DID as ``dst``.
"""

from __future__ import annotations

import time
from pathlib import Path

from ingest.scenario.clock import local_time
from ingest.scenario.comms import Call, Party
from ingest.scenario.story import StoryDay
from ingest.scenario.world import World
from ingest.scenario.writers.streams import AppendFiles

DISPOSITION = {"answered": "ANSWERED", "missed": "NO ANSWER", "rejected": "BUSY", "busy": "BUSY"}
TRUNK = "trunk-sip"


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def dialled(number: str) -> str:
    """How a desk user dials: national for Dutch numbers, 00 + country code otherwise."""
    return "0" + number[3:] if number.startswith("+31") else "00" + number[1:]


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", local_time(epoch))


class CdrWriter:
    """Appends PBX calls (those with a desk line on either side) to ``messages/cdr/Master.csv``."""

    kind = "cdr"

    def __init__(self, out_dir: Path, world: World) -> None:
        self.path = out_dir / "messages" / "cdr" / "Master.csv"
        self.world = world
        self.files = AppendFiles()
        self.records = 0
        self._channel = 0x1A0

    def _chan(self, name: str) -> str:
        self._channel += 1
        return f"PJSIP/{name}-{self._channel:08x}"

    def _ends(self, call: Call, desk: Party, outbound: bool) -> list[str]:
        line = desk.line
        assert line is not None and line.extension is not None
        if outbound:
            name = self.world.persons[line.person].name
            number = dialled(call.callee.number)
            src, dst, context, clid = (
                line.extension,
                number,
                "from-internal",
                f'"{name}" <{line.extension}>',
            )
            channels = [self._chan(line.extension), self._chan(TRUNK)]
            last = f"PJSIP/{number}@{TRUNK},60,tT"
        else:
            caller = call.caller.number
            src, dst, context, clid = (
                caller,
                dialled(line.number),
                "from-trunk",
                f'"{caller}" <{caller}>',
            )
            channels = [self._chan(TRUNK), self._chan(line.extension)]
            last = f"PJSIP/{line.extension},30"
        return [src, dst, context, clid, *channels, "Dial", last]

    def row(self, call: Call) -> str:
        outbound = call.caller.line is not None and call.caller.line.kind == "desk"
        desk = call.caller if outbound else call.callee
        answered = call.outcome == "answered"
        end = call.time + call.ring + call.duration
        fields = [quoted(v) for v in ["", *self._ends(call, desk, outbound)]]
        fields += [
            quoted(_stamp(call.time)),
            quoted(_stamp(call.time + call.ring) if answered else ""),
        ]
        fields += [quoted(_stamp(end)), str(int(end - call.time)), str(call.duration)]
        fields += [quoted(DISPOSITION[call.outcome]), quoted("DOCUMENTATION")]
        fields += [quoted(f"{int(call.time)}.{self.records}"), quoted("")]
        return ",".join(fields) + "\n"

    def write_day(self, story: StoryDay) -> None:
        for call in story.comms.calls:
            sides = (call.caller.line, call.callee.line)
            if any(line is not None and line.kind == "desk" for line in sides):
                self.files.add(self.path, self.row(call))
                self.records += 1

    @property
    def files_written(self) -> int:
        return self.files.files_written

    def close(self) -> None:
        self.files.close()
