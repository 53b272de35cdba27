"""RFC 5322 messages (an ``.eml`` file, or one message of a mailbox), read by the standard library's ``email``.

The message's bytes are at most the file size limit (see :mod:`~nps_xlsx.read.emails`), so what its attachments
decode to (base64 and quoted-printable only shrink) is bounded too. Its multipart and attached-message parts are
counted in its bytes before the parser sees them (their nesting is what makes the parser slow: each line passes
through every level), and its parts while it parses. Headers are decoded from their raw text, cut to a bounded
length, and a part whose type or disposition header is too long is not parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone
from email import policy as email_policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesFeedParser
from email.utils import getaddresses, parsedate_to_datetime

from ..text import clean_text, squash
from .messages import TNEF, Attachment, Letter, MessageFacts, attachment_name, is_workbook, letter, unnamed
from .raw import ReadFailure
from .safety import Limits

MAX_HEADER = 2_000  # characters of a header decoded; the rest is never looked at
MAX_PART_HEADER = 4_000  # a part's Content-Type or Content-Disposition longer than this is not parsed
_FEED = 1 << 20  # bytes fed to the parser at a time (feeding the whole message doubles its memory)
# Searched for in the message lowered (as re.I would match it, ASCII only): a search for a literal start is about four
# times as fast as re.I's (0.1 s rather than 0.45 over a message of 46 MB); the lowered copy is gone before parsing.
_CONTAINER = re.compile(rb"content-type:(?:[^;\r\n]|\r?\n[ \t]|\r[ \t])*?\b(?:multipart|message)[ \t]*/")
_NESTING_WORK = 10  # containers x message size at most this many times the file size limit
_MOZILLA_DELETED = 0x0008  # Thunderbird's X-Mozilla-Status flag of a deleted message not yet compacted away


def read_internet(data: bytes, facts: MessageFacts, limits: Limits) -> Letter:
    """The message in ``data`` (``facts`` say where it is): its sender, date, subject and workbook attachments."""
    containers, allowed = len(_CONTAINER.findall(data.lower())), _containers_allowed(len(data), limits)
    if containers > allowed:
        detail = (
            f"the message has {containers:,} multipart parts and attached messages; one of {len(data):,} bytes may "
            f"have {allowed:,} (parsing slows with their nesting, the more the larger the message)"
        )
        return Letter(facts, failure=ReadFailure("message-unreadable", detail))
    try:
        message = _parse(data, limits)
    except _TooManyParts:
        detail = f"the message has more than {limits.max_message_parts:,} parts (limit {limits.max_message_parts:,})"
        return Letter(facts, failure=ReadFailure("message-unreadable", detail))
    if not message.keys():
        detail = "the file is not an email message (it has no headers)"
        return Letter(facts, failure=ReadFailure("message-unreadable", detail))
    headers = _raw_headers(message)
    facts = replace(
        facts,
        sender=first_address([headers.get("from", "")]),
        date=sent_date(headers.get("date")),
        subject=header_text(headers["subject"]) if "subject" in headers else None,
    )
    if _deleted_in_thunderbird(headers.get("x-mozilla-status")):
        skip = "a message deleted in Thunderbird but still in the mailbox file (the folder was not compacted)"
        return Letter(facts, skip=skip)
    workbooks: list[Attachment] = []
    others: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        found = _attachment(part, len(workbooks) + len(others) + 1)
        if isinstance(found, Attachment):
            workbooks.append(found)
        elif found:
            others.append(found)
    return letter(facts, workbooks, others)


def _containers_allowed(size: int, limits: Limits) -> int:
    """How many multipart and attached-message parts a message of ``size`` bytes may have: each line of it passes
    through every level of their nesting, so their number times the size is bounded too (to ten messages at the
    file size limit: a message of 50 MB may nest 10 deep, one of 5 MB or less the whole limit, 20)."""
    return min(limits.max_message_containers, _NESTING_WORK * limits.max_file_bytes // max(size, 1))


class _TooManyParts(Exception):
    pass


def _parse(data: bytes, limits: Limits) -> EmailMessage:
    """``data`` parsed by the standard library, fed in pieces; raises :class:`_TooManyParts` past the limit."""
    count = 0

    def factory(policy: email_policy.EmailPolicy) -> EmailMessage:  # called for each part as the parser meets it
        nonlocal count
        count += 1
        if count > limits.max_message_parts:
            raise _TooManyParts
        return EmailMessage(policy)

    # (typeshed knows only the old factories, called without a policy)
    parser = BytesFeedParser(_factory=factory, policy=email_policy.default)  # type: ignore[arg-type]
    view = memoryview(data)
    for start in range(0, len(data), _FEED):
        parser.feed(bytes(view[start : start + _FEED]))
    message = parser.close()
    assert isinstance(message, EmailMessage)
    return message


def _raw_headers(message: EmailMessage) -> dict[str, str]:
    """The message's first value of each header, as written (the policy's parsing is left for bounded input)."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        found.setdefault(name.lower(), value)
    return found


def _attachment(part: EmailMessage, number: int) -> Attachment | str | None:
    """A leaf part as a workbook attachment, the name of another attachment, or ``None`` for the message's text."""
    headers = _raw_headers(part)
    if any(len(headers.get(name, "")) > MAX_PART_HEADER for name in ("content-type", "content-disposition")):
        return f"attachment {number} (its headers are too long to read)"
    content_type = part.get_content_type()
    name = attachment_name(part.get_filename())
    if is_workbook(name, content_type):
        data = part.get_payload(decode=True)
        return Attachment(name or unnamed(number, content_type), data if isinstance(data, bytes) else b"")
    if name or part.get_content_disposition() == "attachment" or content_type in TNEF:
        return name or f"attachment {number} ({content_type})"
    return None


def header_text(raw: str) -> str:
    """A header's text: encoded words decoded, raw 8-bit text read as UTF-8, folded lines joined, cleaned."""
    raw = raw[:MAX_HEADER]
    if any("\udc80" <= ch <= "\udcff" for ch in raw):  # 8-bit bytes the parser kept as surrogates
        raw = raw.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    try:
        text = str(make_header(decode_header(raw)))
    except (ValueError, LookupError, UnicodeError):  # a damaged encoded word, or an unknown charset
        text = raw
    return squash(clean_text(text)[0])


def first_address(values: Iterable[str]) -> str | None:
    """The first email address among ``values`` (From headers or Outlook's sender properties)."""
    for value in values:
        for _name, address in getaddresses([header_text(value)]):
            if "@" in address:
                return address
    return None


def sent_date(raw: str | None) -> datetime | None:
    """The Date header as a UTC datetime (a date without a time zone read as UTC), or ``None``."""
    if not raw:
        return None
    try:
        sent = parsedate_to_datetime(header_text(raw)[:200])
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return utc(sent)


def utc(moment: datetime) -> datetime | None:
    """``moment`` in UTC (read as UTC if it has no time zone); ``None`` before 1980, a zero time, not a date."""
    try:
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return moment if moment.year >= 1980 else None


def _deleted_in_thunderbird(raw: str | None) -> bool:
    try:
        return raw is not None and bool(int(raw.strip()[:8], 16) & _MOZILLA_DELETED)
    except ValueError:
        return False
