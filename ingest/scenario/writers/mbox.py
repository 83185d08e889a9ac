"""Gmail Takeout mailboxes: ``messages/mail/<person>.mbox`` (RFC 4155 mbox, RFC 5322).

Each message starts with a Gmail-style ``From <thread>@xxx <date>`` separator and carries
``X-GM-THRID`` / ``X-Gmail-Labels`` like ``samples/messages/gmail_takeout_small.mbox``,
then ``Message-ID``, ``Date`` with the local offset, ``From`` / ``To`` / ``Cc`` with
display names (RFC 2047 encoded when not ASCII, and by some mail programs always),
``Subject``, and for replies ``In-Reply-To`` / ``References``. A message is written to
the mailbox of its sender ("Sent") and of every recipient who has an export ("Inbox").
"""

from __future__ import annotations

import time
import zlib
from email.header import Header
from email.utils import formataddr
from pathlib import Path

from ingest.scenario.clock import offset_seconds
from ingest.scenario.mail import Address, Mail
from ingest.scenario.story import StoryDay
from ingest.scenario.writers.streams import AppendFiles


def _date(epoch: float) -> str:
    off = offset_seconds(epoch)
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S", time.gmtime(int(epoch) + off))
    return f"{stamp} +{off // 3600:02d}00"


def _separator(mail: Mail) -> str:
    stamp = time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(int(mail.time)))
    return f"From {mail.thread}@xxx {stamp}\n"


def mailbox(address: Address) -> str:
    """``Name <addr>``; non-ASCII names (and ~1 in 6 ASCII ones) as RFC 2047 words."""
    if not address.display:
        return address.address
    if address.display.isascii() and zlib.crc32(address.address.encode()) % 6:
        return formataddr((address.display, address.address))
    charset = "iso-8859-1" if address.display.isascii() else "utf-8"  # Q- or B-encoded
    return f"{Header(address.display, charset).encode()} <{address.address}>"


def _labels(mail: Mail, owner: str) -> list[str]:
    """Gmail's thread id and labels, and for a received copy the delivering address."""
    if mail.sender.person == owner:
        return [f"X-GM-THRID: {mail.thread}", "X-Gmail-Labels: Sent"]
    unread = zlib.crc32(mail.message_id.encode()) % 3 == 0
    mine = next(a.address for a in (*mail.to, *mail.cc) if a.person == owner)
    labels = "Inbox,Unread" if unread else "Inbox,Opened"
    return [f"X-GM-THRID: {mail.thread}", f"X-Gmail-Labels: {labels}", f"Delivered-To: {mine}"]


def render(mail: Mail, owner: str) -> str:
    lines = _labels(mail, owner)
    lines += [f"Message-ID: <{mail.message_id}>", f"Date: {_date(mail.time)}"]
    lines.append(f"From: {mailbox(mail.sender)}")
    lines.append("To: " + ", ".join(mailbox(a) for a in mail.to))
    if mail.cc:
        lines.append("Cc: " + ", ".join(mailbox(a) for a in mail.cc))
    lines.append(f"Subject: {mail.subject}")
    if mail.in_reply_to:
        lines.append(f"In-Reply-To: <{mail.in_reply_to}>")
        lines.append("References: " + " ".join(f"<{r}>" for r in mail.references))
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="UTF-8"']
    lines.append("Content-Transfer-Encoding: 8bit")
    body = "\n".join(">" + x if x.startswith("From ") else x for x in mail.body.split("\n"))
    return _separator(mail) + "\n".join(lines) + "\n\n" + body + "\n"


class MboxWriter:
    """Appends each day's mail to the mailboxes of the people whose mail was exported."""

    kind = "mbox"

    def __init__(self, out_dir: Path, owners: frozenset[str]) -> None:
        self.root = out_dir / "messages" / "mail"
        self.owners = owners
        self.files = AppendFiles()
        self.records = 0

    def write_day(self, story: StoryDay) -> None:
        for mail in story.mails:
            people = [mail.sender.person, *(a.person for a in (*mail.to, *mail.cc))]
            for owner in sorted({p for p in people if p in self.owners}):
                self.files.add(self.root / f"{owner}.mbox", render(mail, owner))
                self.records += 1

    @property
    def files_written(self) -> int:
        return self.files.files_written

    def close(self) -> None:
        self.files.close()
