"""Saved emails made in code, so no binaries are committed: ``.eml`` (the standard library's ``EmailMessage``),
``.mbox`` (the standard library's ``mailbox.mbox``) and Outlook ``.msg``.

An Outlook message is a compound file of MAPI properties, as [MS-OXMSG] describes and Outlook's "Save As ›
Outlook Message Format - Unicode" writes: a properties stream per object (the message, each attachment) of
16-byte entries, with each string or binary value in a stream of its own (``__substg1.0_<id><type>``), and an
attachment storage ``__attach_version1.0_#0000000N`` per attachment. Written with :func:`tests.cfb.compound_file`.
"""

from __future__ import annotations

import mailbox
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from .cfb import compound_file

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    ".xlsx": XLSX_TYPE,
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".xls": "application/vnd.ms-excel",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
SENT = datetime(2026, 11, 20, 10, 15, tzinfo=timezone.utc)  # after every sample return's completion date


@dataclass(frozen=True)
class Mail:
    """A message to build: who sent it, when, its subject and its attachments (name, bytes[, content type])."""

    sender: str = "Jane Smith <jsmith@dacorum.gov.uk>"
    subject: str = "NPS diagnostic return"
    date: datetime | None = SENT
    attachments: Sequence[tuple[str, bytes] | tuple[str, bytes, str]] = ()
    text: str = "Please find our return attached.\n\nJane"


def content_type(attachment: tuple[str, bytes] | tuple[str, bytes, str]) -> str:
    name = attachment[0]
    return attachment[2] if len(attachment) == 3 else CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")


def email_message(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = "nps@example.gov.uk"
    message["Subject"] = mail.subject
    if mail.date:
        message["Date"] = format_datetime(mail.date)
    message.set_content(mail.text)
    for attachment in mail.attachments:
        maintype, subtype = content_type(attachment).split("/")
        message.add_attachment(attachment[1], maintype, subtype, filename=attachment[0])
    return message


def write_eml(path: Path, mail: Mail) -> Path:
    path.write_bytes(email_message(mail).as_bytes())
    return path


def write_mbox(path: Path, mails: Iterable[Mail | bytes]) -> Path:
    """A mailbox of ``mails`` (a message built from a :class:`Mail`, or given as bytes), as ``mailbox.mbox``
    writes one."""
    box = mailbox.mbox(path)
    try:
        for mail in mails:
            box.add(mail if isinstance(mail, bytes) else email_message(mail))
        box.flush()
    finally:
        box.close()
    return path


# --- Outlook .msg ----------------------------------------------------------------------------------------------

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102
PR_SUBJECT, PR_MESSAGE_CLASS, PR_TRANSPORT_HEADERS, PR_CLIENT_SUBMIT_TIME = 0x0037, 0x001A, 0x007D, 0x0039
PR_SENDER_NAME, PR_SENDER_SMTP_ADDRESS = 0x0C1A, 0x5D01
PR_ATTACH_DATA, PR_ATTACH_FILENAME, PR_ATTACH_METHOD, PR_ATTACH_LONG_FILENAME, PR_ATTACH_MIME_TAG = (
    0x3701,
    0x3704,
    0x3705,
    0x3707,
    0x370E,
)
BY_VALUE = 1
_FILETIME_EPOCH = 11_644_473_600  # seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01


class _Properties:
    """One object's properties stream, and the streams of its variable-length values."""

    def __init__(self, prefix: str, header: bytes) -> None:
        self.prefix, self.entries, self.streams = prefix, [header], {}

    def add(self, pid: int, kind: int, value: object) -> None:
        tag = pid << 16 | kind
        if kind in (PT_UNICODE, PT_BINARY):
            data = value.encode("utf-16-le") if isinstance(value, str) else bytes(value)  # type: ignore[call-overload]
            self.streams[f"{self.prefix}__substg1.0_{pid:04X}{kind:04X}"] = data
            size = len(data) + 2 if kind == PT_UNICODE else len(data)  # a string's size counts its terminator
            self.entries.append(struct.pack("<IIII", tag, 6, size, 0))
        else:
            self.entries.append(struct.pack("<IIQ", tag, 6, value))

    def done(self) -> dict[str, bytes]:
        return {f"{self.prefix}__properties_version1.0": b"".join(self.entries), **self.streams}


def filetime(moment: datetime) -> int:
    return round((moment.timestamp() + _FILETIME_EPOCH) * 10_000_000)


def outlook_message(mail: Mail, headers: bool = True) -> bytes:
    """``mail`` as an Outlook ``.msg`` file: the internet headers kept (as for a message received) when
    ``headers``; else only Outlook's own sender and time properties (as for a message sent or drafted)."""
    count = len(mail.attachments)
    root = _Properties("", bytes(8) + struct.pack("<IIII", 0, count, 0, count) + bytes(8))
    root.add(PR_MESSAGE_CLASS, PT_UNICODE, "IPM.Note")
    root.add(PR_SUBJECT, PT_UNICODE, mail.subject)
    name, _, address = mail.sender.rpartition("<")
    root.add(PR_SENDER_NAME, PT_UNICODE, name.strip().strip('"'))
    root.add(PR_SENDER_SMTP_ADDRESS, PT_UNICODE, address.rstrip(">"))
    if mail.date:
        root.add(PR_CLIENT_SUBMIT_TIME, PT_SYSTIME, filetime(mail.date))
    if headers:
        lines = [f"From: {mail.sender}", f"Subject: {mail.subject}", "To: nps@example.gov.uk"]
        lines += [f"Date: {format_datetime(mail.date)}"] if mail.date else []
        root.add(PR_TRANSPORT_HEADERS, PT_UNICODE, "\r\n".join(lines) + "\r\n\r\n")
    streams = root.done()
    for i, attachment in enumerate(mail.attachments):
        props = _Properties(f"__attach_version1.0_#{i:08X}/", bytes(8))
        props.add(PR_ATTACH_METHOD, PT_LONG, BY_VALUE)
        props.add(PR_ATTACH_LONG_FILENAME, PT_UNICODE, attachment[0])
        props.add(PR_ATTACH_FILENAME, PT_UNICODE, attachment[0][:12])
        props.add(PR_ATTACH_MIME_TAG, PT_UNICODE, content_type(attachment))
        props.add(PR_ATTACH_DATA, PT_BINARY, attachment[1])
        streams.update(props.done())
    return compound_file(streams)


def write_msg(path: Path, mail: Mail, headers: bool = True) -> Path:
    path.write_bytes(outlook_message(mail, headers))
    return path
