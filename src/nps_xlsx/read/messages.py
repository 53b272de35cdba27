"""Saved emails: what the ledger records of a message, and which of its attachments are workbooks.

A return may arrive as an attachment of a saved email: an ``.eml`` file, a message of an ``.mbox`` mailbox, or
an Outlook ``.msg`` file (read by :mod:`~nps_xlsx.read.emails`, :mod:`~nps_xlsx.read.internet` and
:mod:`~nps_xlsx.read.outlook`). Each message read is a :class:`Letter`: its :class:`MessageFacts` and its workbook
attachments, or why it could not be read or holds none. Nothing here judges a workbook: each attachment that is
one (by its name's extension or its content type) is handed on as bytes, to be read exactly as a file's bytes
are. Other attachments (signature images, PDFs) are only named, so a message without a workbook says what it did
carry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..text import clean_text, named, squash
from .raw import ReadFailure
from .workbook import EXTENSIONS

SUFFIXES = (".eml", ".mbox", ".msg")
# A workbook attachment is recognised by its name (.xlsb too: it is refused as a file of that kind would be)...
WORKBOOK_SUFFIXES = (*EXTENSIONS, ".xlsb")
# ... or by its content type, then named by it when the message gives no name.
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-excel.sheet.binary.macroenabled.12": ".xlsb",
}
TNEF = ("application/ms-tnef", "application/vnd.ms-tnef")  # Outlook's rich-text wrapper, winmail.dat
MAX_NAME = 200  # characters of an attachment's name kept


@dataclass(frozen=True)
class MessageFacts:
    """What the ledger records about the message a return came in (or the message itself, with no attachment)."""

    file: str  # the message file, as shown
    index: int | None = None  # the message's number in a mailbox, from 1; None for an .eml or .msg file
    sender: str | None = None  # the sender's address (From)
    date: datetime | None = None  # when it was sent (Date), in UTC
    subject: str | None = None
    attachment: str | None = None  # the workbook's name, as attached (made unique within the message)
    others: tuple[str, ...] = ()  # the message's attachments that are not workbooks, which were ignored

    @property
    def place(self) -> str:
        """The message as a path names it: ``inbox.mbox#3`` in a mailbox, else the file."""
        return self.file if self.index is None else f"{self.file}#{self.index}"

    @property
    def path(self) -> str:
        """The return's path in every report: ``inbox.mbox#3/Dacorum return.xlsx``, ``reply.eml/return.xlsx``."""
        return self.place if self.attachment is None else f"{self.place}/{self.attachment}"

    def date_text(self, sep: str = " ") -> str | None:
        """The date sent as ``YYYY-MM-DD HH:MM:SS`` in UTC (``sep`` between date and time), or ``None``."""
        return self.date.strftime(f"%Y-%m-%d{sep}%H:%M:%S") if self.date else None

    def to_dict(self) -> dict[str, object]:
        """Plain data for the JSON report."""
        return {
            "file": self.file,
            "index": self.index,
            "from": self.sender,
            "date": f"{self.date_text('T')}Z" if self.date else None,
            "subject": self.subject,
            "attachment": self.attachment,
            "other_attachments": list(self.others),
        }


@dataclass(frozen=True)
class Attachment:
    """A workbook attached to a message: its name (unique within the message) and its decoded bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Letter:
    """One message as read: its facts, its workbook attachments, or why it could not be read or is skipped.

    ``size`` and ``sha256`` are of the message's own bytes (of the file, for a failure to read the file).
    """

    facts: MessageFacts
    workbooks: tuple[Attachment, ...] = ()
    failure: ReadFailure | None = None
    skip: str | None = None
    size: int | None = None
    sha256: str | None = None
    modified: float | None = None  # the message file's modification time
    fix: str | None = None  # how to fix the failure, when the catalogue's usual fix does not fit


def is_message_file(path: Path) -> bool:
    """Whether ``path`` is read as saved email: ``.eml``, ``.mbox``, ``.msg``, or Apple Mail's ``Name.mbox/mbox``."""
    return path.suffix.lower() in SUFFIXES or is_apple_mailbox(path)


def is_apple_mailbox(path: Path) -> bool:
    return path.name == "mbox" and path.parent.suffix.lower() == ".mbox"


def is_workbook(name: str | None, content_type: str) -> bool:
    """Whether an attachment is a workbook: by its name's extension, or its content type."""
    return (name is not None and Path(name).suffix.lower() in WORKBOOK_SUFFIXES) or content_type in WORKBOOK_TYPES


def unnamed(number: int, content_type: str) -> str:
    """A name for the workbook attached ``number``-th without one: ``attachment 2.xlsx``."""
    return f"attachment {number}{WORKBOOK_TYPES.get(content_type, '')}"


def attachment_name(raw: str | None) -> str | None:
    """An attachment's name as the ledger can hold it: no folders, no control characters, at most MAX_NAME long."""
    if not raw:
        return None
    name = squash(clean_text(raw.replace("\\", "/").rpartition("/")[2])[0])
    return name[:MAX_NAME] or None


def letter(facts: MessageFacts, workbooks: list[Attachment], others: list[str]) -> Letter:
    """The message's facts and workbooks, each name unique within it; skipped, saying why, if it has none."""
    seen: set[str] = set()
    unique = []
    for attachment in workbooks:
        name, n = attachment.name, 1
        while name.casefold() in seen:
            n += 1
            stem, dot, suffix = attachment.name.rpartition(".")
            name = f"{stem} ({n}).{suffix}" if dot else f"{attachment.name} ({n})"
        seen.add(name.casefold())
        unique.append(replace(attachment, name=name))
    facts = replace(facts, others=tuple(others))
    if unique:
        return Letter(facts, tuple(unique))
    return Letter(facts, skip=_no_workbook(others))


def _no_workbook(others: list[str]) -> str:
    if not others:
        return "no workbook attached; the message has no attachments"
    reason = f"no workbook attached; its other attachments were ignored: {named(others)}"
    if any(name.casefold() == "winmail.dat" or name.endswith(tuple(f"({t})" for t in TNEF)) for name in others):
        reason += (
            "; winmail.dat is Outlook's rich-text wrapper, which hides the attachments: save the message from "
            "Outlook as .msg, or ask the sender to send it again as HTML or plain text"
        )
    return reason
