"""Every message of a saved-email file: an ``.eml`` or ``.msg`` file (one message), or an ``.mbox`` mailbox.

Each message (a file, or one message of a mailbox) is held to the file size limit before it is parsed; a mailbox
is read a message at a time, its lines in bounded pieces, up to ``Limits.max_messages`` messages. The content
decides how a message is read: an OLE compound file as Outlook's (:mod:`~nps_xlsx.read.outlook`), anything else
as RFC 5322 (:mod:`~nps_xlsx.read.internet`). Every problem is a :class:`~nps_xlsx.read.messages.Letter` with a
:class:`~nps_xlsx.read.raw.ReadFailure`, never an exception.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .files import NotReadable, open_regular
from .internet import read_internet
from .messages import Letter, MessageFacts, is_apple_mailbox
from .outlook import read_outlook
from .raw import ReadFailure
from .safety import OLE_MAGIC, Limits
from .workbook import FileFacts, read_bytes

_LINE = 1 << 16  # a mailbox is read in lines of at most this many bytes (longer ones arrive in pieces)
_BUFFER = 1 << 20
_HEADER_LINE = re.compile(rb"[!-9;-~]+:|From ")  # the start of an RFC 5322 message (or of an mbox entry)
_OWN_FOLDER = "move the returns into a mail folder of their own, export that as the mailbox, and run again"
_NOT_MBOX = ("message-unreadable", "the file is not an mbox mailbox (it does not start with a 'From ' line)")


def read_messages(path: Path, shown: str, limits: Limits) -> Iterator[Letter]:
    """Every message in the message file at ``path`` (shown as ``shown``), in order. Never raises for a problem
    in the file: a file or message that cannot be read is a :class:`Letter` with a ``failure``."""
    if path.suffix.lower() == ".mbox" or is_apple_mailbox(path):
        yield from _mailbox(path, shown, limits)
        return
    facts = FileFacts()
    try:
        data = read_bytes(path, limits, facts)
    except ReadFailure as failure:
        yield Letter(MessageFacts(shown), failure=failure, size=facts.size, modified=facts.modified)
        return
    letter = _message(data, MessageFacts(shown), limits, outlook=path.suffix.lower() == ".msg")
    yield replace(letter, modified=facts.modified)


def _message(data: bytes, facts: MessageFacts, limits: Limits, outlook: bool = False) -> Letter:
    """The message in ``data``: an Outlook file if it is an OLE compound file, else RFC 5322 (``.eml``)."""
    size, sha256 = len(data), hashlib.sha256(data).hexdigest()
    if not data:
        return Letter(facts, failure=ReadFailure("file-empty", "the message is empty (0 bytes)"), size=0)
    if data.startswith(OLE_MAGIC):
        letter = read_outlook(data, facts, limits)
    elif outlook and not _HEADER_LINE.match(data):
        problem = "the file is named .msg but is not an Outlook message (not an OLE compound file, nor an email)"
        letter = Letter(facts, failure=ReadFailure("message-unreadable", problem))
    else:
        letter = read_internet(data, facts, limits)
    return replace(letter, size=size, sha256=sha256)


def _mailbox(path: Path, shown: str, limits: Limits) -> Iterator[Letter]:
    """Each message of the mbox mailbox at ``path``, as the standard library's ``mailbox.mbox`` splits it (at each
    line starting ``From ``), but in one pass with lines read in bounded pieces: ``mailbox.mbox`` reads whole
    lines while it indexes the file, so one long line would be held in memory whole."""
    facts = MessageFacts(shown)
    try:
        with open_regular(path) as (raw, info):
            size, modified = info.st_size, info.st_mtime
            if size > limits.max_mailbox_bytes:
                detail = f"the mailbox is {size:,} bytes (limit {limits.max_mailbox_bytes:,})"
                failure = ReadFailure("file-too-large", detail)
                yield Letter(facts, failure=failure, size=size, modified=modified, fix=_OWN_FOLDER)
                return
            stream = io.BufferedReader(raw, _BUFFER)
            if not stream.peek(5)[:5].startswith(b"From "):
                code, detail = ("file-empty", "the mailbox is empty (0 bytes)") if size == 0 else _NOT_MBOX
                fix = "export the mail folder that holds the returns as an mbox file, or save the messages as .eml"
                yield Letter(facts, failure=ReadFailure(code, detail), size=size, modified=modified, fix=fix)
                return
            for index, data in _split(stream, limits.max_file_bytes):
                if index > limits.max_messages:
                    detail = (
                        f"the mailbox holds more than {limits.max_messages:,} messages; only the first "
                        f"{limits.max_messages:,} were read"
                    )
                    yield Letter(facts, failure=ReadFailure("too-many-messages", detail), size=size, modified=modified)
                    return
                at = replace(facts, index=index)
                if isinstance(data, int):
                    detail = f"the message is {data:,} bytes (limit {limits.max_file_bytes:,})"
                    letter = Letter(at, failure=ReadFailure("file-too-large", detail), size=data)
                else:
                    letter = _message(data, at, limits)
                yield replace(letter, modified=modified)
    except NotReadable as exc:
        yield Letter(facts, failure=ReadFailure("file-unreadable", f"the file cannot be read: {exc.reason}"))
    except OSError as exc:
        detail = f"the mailbox cannot be read ({exc.strerror or exc})"
        yield Letter(facts, failure=ReadFailure("file-unreadable", detail))


def _split(stream: io.BufferedReader[io.FileIO], limit: int) -> Iterator[tuple[int, bytes | int]]:
    """Each message of an mbox stream, numbered from 1: its bytes without the ``From `` line, or (larger than
    ``limit``) its size, its bytes not kept."""
    index, body, size = 0, bytearray(), 0
    at_line_start, in_from_line = True, False
    while True:
        line = stream.readline(_LINE)
        if not line or (at_line_start and line.startswith(b"From ")):
            if index:
                yield index, bytes(body) if size <= limit else size
            if not line:
                return
            index, body, size, in_from_line = index + 1, bytearray(), 0, True
        elif not in_from_line:
            size += len(line)
            if size <= limit:
                body += line
            else:
                body.clear()
        at_line_start = line.endswith(b"\n")
        in_from_line = in_from_line and not at_line_start
