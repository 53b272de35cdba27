"""A file's bytes, read safely, and the workbook they hold, whatever the file's extension says."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .files import NotReadable, TooLarge, read_file
from .raw import RawWorkbook, ReadFailure
from .safety import ZIP_OPEN_ERRORS, Limits, Package, check_zip, is_encrypted_ole, sniff

EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xls"}


@dataclass(slots=True)
class FileFacts:
    """What the ledger records about any file: size, modification time (epoch seconds) and SHA-256."""

    size: int | None = None
    modified: float | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something noticed while reading that does not stop it: an issue code of the catalogue and its detail."""

    code: str
    detail: str


def read_bytes(path: Path, limits: Limits, facts: FileFacts) -> bytes:
    """The file's bytes, read non-blocking and never past the size limit; records size, time and SHA-256."""
    try:
        read = read_file(path, limits.max_file_bytes)
    except NotReadable as exc:
        raise ReadFailure("file-unreadable", f"the file cannot be read: {exc.reason}") from exc
    except TooLarge as exc:
        facts.size, facts.modified = exc.size, exc.modified
        size = f"more than {limits.max_file_bytes:,} bytes (it grew while read)" if exc.grew else f"{exc.size:,} bytes"
        raise ReadFailure("file-too-large", f"the file is {size} (limit {limits.max_file_bytes:,})") from exc
    facts.size, facts.modified = read.size, read.modified
    facts.sha256 = hashlib.sha256(read.data).hexdigest()
    return read.data


def held_bytes(data: bytes, limits: Limits, facts: FileFacts) -> bytes:
    """Bytes already in memory (an email's attachment), held to the size limit as a file's are; records their size
    and SHA-256 (the time is the caller's: the message's date)."""
    facts.size = len(data)
    if len(data) > limits.max_file_bytes:
        raise ReadFailure("file-too-large", f"the attachment is {len(data):,} bytes (limit {limits.max_file_bytes:,})")
    facts.sha256 = hashlib.sha256(data).hexdigest()
    return data


def read_workbook(path: Path, data: bytes, limits: Limits) -> tuple[RawWorkbook, list[Finding]]:
    """The workbook in ``data`` (the file at ``path``), whatever its extension says, and what was noticed on the way.

    Sniffs the container (zip or OLE), opens it as ``.xlsx``/``.xlsm``, ``.ods`` or ``.xls``, and turns every
    container error into a :class:`ReadFailure` with an issue code.
    """
    findings: list[Finding] = []
    if not data:
        raise ReadFailure("file-empty", "the file is empty (0 bytes)")
    container = sniff(data)
    expected = EXTENSIONS.get(path.suffix.lower())
    if container == "unknown":
        raise ReadFailure("not-a-spreadsheet", "the content is not a spreadsheet (not .xlsx, .xlsm, .ods or .xls)")
    if container == "ole":
        if is_encrypted_ole(data):
            raise ReadFailure("encrypted", "the workbook is password-protected (encrypted)")
        from .xls import read_xls

        kind = "xls"
        book = read_xls(data, limits)
    else:
        import io

        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except ZIP_OPEN_ERRORS as exc:
            raise ReadFailure("corrupt-file", "the file is a damaged or truncated zip archive") from exc
        try:
            with archive:
                package = Package(archive, limits, raw=data)
                kind = check_zip(package)
                if kind == "ods":
                    from .ods import read_ods

                    book = read_ods(package)
                else:
                    from .xlsx import read_xlsx

                    book = read_xlsx(package)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
            # members are read through safety.read_member, which says which part is damaged; this is the rest
            raise ReadFailure("corrupt-file", "a part of the workbook is damaged") from exc
    if expected != kind:
        named = path.suffix or "no extension"
        findings.append(
            Finding(
                "extension-mismatch",
                f"the file is named {named} but holds an {kind.upper()} workbook; it was read as {kind.upper()}",
            )
        )
    if book.has_macros:
        findings.append(Finding("macros-ignored", "the workbook contains macros; they were ignored, never run"))
    return book, findings
