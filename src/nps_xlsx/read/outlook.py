"""Outlook ``.msg`` files, read by python-oxmsg once their compound-file directory has been checked.

python-oxmsg reads every stream as its directory entry declares, so the entries and their declared sizes are
checked against the file first (olefile, strict about damage); the file itself is at most the file size limit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from .internet import first_address, header_text, sent_date, utc
from .messages import Attachment, Letter, MessageFacts, attachment_name, is_workbook, letter, unnamed
from .raw import ReadFailure
from .safety import Limits

if TYPE_CHECKING:  # python-oxmsg is imported only when an Outlook file is read
    from oxmsg import Message as OutlookMessage

MAX_OLE_ENTRIES = 20_000  # directory entries of an Outlook file (a message to 300 recipients has about 2,000)
MAX_OLE_PROPERTIES = 1 << 20  # bytes of one properties stream (a message's has a few thousand)
PID_ATTACH_FILENAME = 0x3704  # an attachment's short (8.3) name, when it has no long one


def read_outlook(data: bytes, facts: MessageFacts, limits: Limits) -> Letter:
    """An Outlook message, read by python-oxmsg once its compound-file directory has been checked."""
    from oxmsg import Message

    problem = _ole_problem(data)
    if problem:
        return Letter(facts, failure=ReadFailure("message-unreadable", f"the Outlook message is damaged: {problem}"))
    try:
        message = Message.load(data)
        sender, date = _sender_and_date(message)
        facts = replace(facts, sender=sender, date=date, subject=header_text(message.subject) or None)
        attachments = message.attachments
    except Exception as exc:  # python-oxmsg reads properties as declared; a damaged one raises anything
        detail = f"the Outlook message is damaged ({type(exc).__name__} reading it)"
        return Letter(facts, failure=ReadFailure("message-unreadable", detail))
    if len(attachments) > limits.max_message_parts:
        detail = f"the message has {len(attachments):,} attachments (limit {limits.max_message_parts:,})"
        return Letter(facts, failure=ReadFailure("message-unreadable", detail))
    workbooks: list[Attachment] = []
    others: list[str] = []
    for number, attachment in enumerate(attachments, 1):
        try:
            name = attachment_name(attachment.file_name or attachment.properties.str_prop_value(PID_ATTACH_FILENAME))
            content_type = (attachment.mime_type or "").lower()
            data_ = attachment.file_bytes if attachment.attached_by_value else None
        except Exception as exc:  # a damaged attachment does not hide the others
            others.append(f"attachment {number} (damaged: {type(exc).__name__})")
            continue
        if data_ is not None and is_workbook(name, content_type):
            workbooks.append(Attachment(name or unnamed(number, content_type), data_))
        else:
            others.append(name or f"attachment {number} (an attached message or link)")
    return letter(facts, workbooks, others)


def _sender_and_date(message: OutlookMessage) -> tuple[str | None, datetime | None]:
    """The sender and date of an Outlook message: its internet headers (kept when it was received), else the
    properties Outlook sets itself (the SMTP sender address, the time it was sent or delivered)."""
    from oxmsg.domain import constants as c

    headers = {name.lower(): value for name, value in message.message_headers.items()}
    props = message.properties
    candidates = [headers.get("from", "")]
    for pid in (c.PID_SENDER_SMTP_ADDRESS, c.PID_SENDER_EMAIL_ADDRESS, c.PID_SENT_REPRESENTING_EMAIL_ADDRESS):
        candidates.append(props.str_prop_value(pid) or "")
    date = sent_date(headers.get("date"))
    if date is None:
        sent = props.date_prop_value(c.PID_CLIENT_SUBMIT_TIME) or props.date_prop_value(c.PID_MESSAGE_DELIVERY_TIME)
        date = utc(sent) if sent else None
    return first_address(candidates), date


def _ole_problem(data: bytes) -> str | None:
    """What is wrong with an Outlook file's compound-file directory, or ``None``: python-oxmsg reads every stream
    as its directory entry declares, so entries and declared sizes are checked against the file first."""
    import olefile

    try:
        with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
            entries = [entry for entry in ole.direntries if entry is not None]
            if len(entries) > MAX_OLE_ENTRIES:
                return f"it has {len(entries):,} directory entries (limit {MAX_OLE_ENTRIES:,})"
            streams = [e for e in entries if e.entry_type == olefile.STGTY_STREAM]
            declared = sum(e.size for e in streams)
            if declared > len(data):
                return f"its streams declare {declared:,} bytes, more than the file's {len(data):,}"
            if any(e.name == "__properties_version1.0" and e.size > MAX_OLE_PROPERTIES for e in streams):
                return "a properties stream is larger than any message's"
    except Exception as exc:  # olefile raises its own errors, and others, for a damaged file
        return f"its compound-file structure cannot be read ({type(exc).__name__}: {str(exc)[:200]})"
    return None
