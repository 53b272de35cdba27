"""Recognising the files nps-xlsx writes: which kind of output a path holds, read bounded and never failing.

Every workbook we write carries the custom document property :data:`OUTPUT_PROPERTY` (``template``,
``personalised``, ``summary``, later ``feedback``); templates and personalised copies also carry the
identity record (:mod:`nps_xlsx.validate.identity`), which makes them returns once a council fills them in. Our CSV
files are known by their header line (:func:`csv_headers`), with or without a UTF-8 byte-order mark.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeGuard

from .. import layout
from ..columns import (
    CHASE_COLUMNS,
    EXCELLENCE_COLUMNS,
    LEDGER_COLUMNS,
    MAIL_REPORT_COLUMNS,
    PRIORITY_COLUMNS,
    ROW_COLUMNS,
    SENT_LOG_COLUMNS,
    TARGET_COLUMNS,
)
from .safety import Limits, Package, sniff

if TYPE_CHECKING:
    from .raw import RawWorkbook

OutputKind = Literal[
    "template",
    "personalised",
    "summary",
    "feedback",
    "responses",
    "ledger",
    "chase",
    "excellence",
    "targets",
    "priorities",
    "draft",
    "mail-report",
    "sent-log",
]
OUTPUT_PROPERTY = layout.OUTPUT_PROPERTY  # on every workbook we write: which kind of output it is
PROBE = 64 << 10  # bytes read to recognise an output: a header line, or a workbook's property parts
DESCRIPTIONS: dict[str, str] = {
    "template": "a blank template",
    "personalised": "a personalised workbook",
    "summary": "a summary workbook",
    "feedback": "a feedback workbook",
    "responses": "a responses CSV",
    "ledger": "a ledger CSV",
    "chase": "a chase list CSV",
    "excellence": "an examples-of-excellence CSV",
    "targets": "a targets CSV",
    "priorities": "a priorities and support CSV",
    "draft": "a mail draft",
    "mail-report": "a mail report CSV",
    "sent-log": "a sent log CSV",
}
WORKBOOK_KINDS: frozenset[OutputKind] = frozenset({"template", "personalised", "summary", "feedback"})
# Outputs that are never returns: found among returns, they are skipped.
NOT_RETURNS = frozenset(
    {"summary", "feedback", "responses", "ledger", "chase", "excellence", "targets", "priorities"}
    | {"draft", "mail-report", "sent-log"}
)
_MACHINE_HEADER = re.compile(rb"[a-z][a-z0-9_]*(?:,[a-z][a-z0-9_]*)+")


def describe(kind: str) -> str:
    """``"a summary workbook written by nps-xlsx"`` and the like."""
    return f"{DESCRIPTIONS[kind]} written by nps-xlsx"


def csv_headers() -> dict[OutputKind, list[str]]:
    """The leading header columns of each CSV we write (a file may add columns after them)."""
    ledger = LEDGER_COLUMNS[: LEDGER_COLUMNS.index("all_unchanged") + 1]  # as ledgers were before the respondent's
    columns: dict[OutputKind, list[str]] = {"responses": ROW_COLUMNS, "ledger": ledger, "chase": CHASE_COLUMNS}
    return {
        **columns,
        "excellence": EXCELLENCE_COLUMNS,
        "targets": TARGET_COLUMNS,
        "priorities": PRIORITY_COLUMNS,
        "mail-report": MAIL_REPORT_COLUMNS,
        "sent-log": SENT_LOG_COLUMNS,
    }


def csv_kind(head: bytes) -> OutputKind | None:
    """The kind of CSV whose first bytes are ``head``: its header line, with or without a BOM, names it."""
    line, newline, _rest = head.removeprefix(b"\xef\xbb\xbf").partition(b"\n")
    line = line.removesuffix(b"\r")
    # Our headers are machine names: anything else (no line end within the probe, text) is not ours, and is
    # told without loading the column lists.
    if not newline or not _MACHINE_HEADER.match(line):
        return None
    try:
        columns = next(csv.reader([line.decode("utf-8")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    for kind, header in csv_headers().items():
        if columns[: len(header)] == header:
            return kind
    return None


# The header every message of ours carries (nps_xlsx.mail.letters.KIND_HEADER), among the headers of a saved message.
_OUR_MESSAGE = re.compile(rb"^X-Nps-Xlsx:[ \t]*(?:invite|chase|reply)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def message_kind(head: bytes) -> OutputKind | None:
    """``draft`` for a saved message (``.eml``) that nps-xlsx wrote, known by its header; else ``None``.

    The headers end at the first blank line (``\n\n``, with a CR before either line end or not), found in C, and
    are searched only if they hold the header's name at all (an attachment of tens of kilobytes is told in
    microseconds, not milliseconds)."""
    headers = head
    if ends := [at for at in (head.find(b"\n\n"), head.find(b"\n\r\n")) if at >= 0]:
        end = min(ends)
        headers = head[: end - 1 if head[end - 1 : end] == b"\r" else end]  # the blank line's first CR too
    if b"x-nps-xlsx:" not in headers.lower():
        return None
    return "draft" if _OUR_MESSAGE.search(headers) else None


def _utf16_hex(text: str) -> bytes:
    """``text`` as a PDF writes a Unicode string in hex: ``<FEFF...>``."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


MAX_PDF = 16 << 20  # bytes of a PDF searched for its document information
_PDF_AUTHOR = b"/Author" + _utf16_hex("nps-xlsx")
_PDF_FEEDBACK = _utf16_hex(" feedback: ")[5:-1]  # in the title LibreOffice copies from the workbook's


def pdf_kind(data: bytes) -> OutputKind | None:
    """``feedback`` for a PDF that LibreOffice rendered from one of our feedback workbooks (its document
    information names nps-xlsx as the author and has the feedback title), else ``None``."""
    return "feedback" if _PDF_AUTHOR in data and _PDF_FEEDBACK in data else None


def _is_workbook_kind(text: str | None) -> TypeGuard[OutputKind]:
    return text in WORKBOOK_KINDS


def workbook_kind(custom: Mapping[str, str], core: bytes | None = None) -> OutputKind | None:
    """The kind of workbook whose custom properties are ``custom`` (and core properties ``core``, if read).

    The identity record decides first: a workbook carrying it is a template or a personalised copy, whatever
    else it says. Summaries written before :data:`OUTPUT_PROPERTY` existed are known by their core properties.
    """
    if custom.get("nps_template_id"):
        return "personalised" if custom.get("nps_council_code") else "template"
    marked = custom.get(OUTPUT_PROPERTY)
    if _is_workbook_kind(marked):
        return marked
    if core and b"<dc:creator>nps-xlsx</dc:creator>" in core and b"summary</dc:title>" in core:
        return "summary"
    return None


def _zip_kind(archive: zipfile.ZipFile) -> OutputKind | None:
    from .xlsx import custom_properties

    package = Package(archive, Limits(max_member_bytes=PROBE, max_total_bytes=4 * PROBE))
    custom = custom_properties(package)
    kind = workbook_kind(custom)
    if kind is None and "docProps/core.xml" in package:
        kind = workbook_kind(custom, package.read("docProps/core.xml"))
    return kind


def recognise(path: Path) -> OutputKind | None:
    """Which output of ours the file at ``path`` is, or ``None`` (not ours, absent, not a regular file).

    Bounded and total: a pipe or a device is never opened, at most :data:`PROBE` bytes of a CSV and of each
    property part of a workbook are read, and any failure (a damaged zip, a part too big or that cannot be
    inflated) means "not ours", never an exception.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_size > Limits().max_file_bytes:
                return None
            head = stream.read(PROBE)
            if head.startswith(b"%PDF-"):
                return pdf_kind(head + stream.read(MAX_PDF))
            if sniff(head) != "zip":
                return csv_kind(head) or message_kind(head)
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                return _zip_kind(archive)
    except Exception:  # whatever is at a path, deciding that it is not ours must never fail
        return None


def not_a_return(data: bytes, book: RawWorkbook | None = None) -> str | None:
    """Why a file read as ``data`` (and ``book``, once read) is an output of ours and not a return, or ``None``.

    A workbook with the identity record (a template, or a return made from one) is never skipped here.
    Costs nothing for a return: a book is looked at only through its properties and sheet names.
    """
    if book is None:
        kind = (csv_kind(data[:PROBE]) or message_kind(data[:PROBE])) if sniff(data) == "unknown" else None
    elif book.properties.get("nps_template_id") or book.sheet(layout.META_SHEET) is not None:
        return None
    else:
        kind = workbook_kind(book.properties)
        if kind is None and book.format == "xlsx":
            kind = _legacy_kind(data)
    return f"{describe(kind)}, not a return" if kind in NOT_RETURNS else None


def _legacy_kind(data: bytes) -> OutputKind | None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _zip_kind(archive)
    except Exception:  # a workbook already read; its core properties are only a hint
        return None
