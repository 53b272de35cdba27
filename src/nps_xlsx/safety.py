"""Guards applied to every file before and while it is parsed.

A return is untrusted input. Before any parser sees it we check its size and its
kind by content, and for zip-based formats the member count, declared sizes and
compression ratio. While parsing, members are read with a hard cap (declared sizes
can lie) and XML with a DTD or entity declaration is refused outright: no
spreadsheet needs one, and it is how entity-expansion and external-entity attacks start.
Readers never allocate a grid (cells are sparse), and the cell count per sheet is capped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.parsers import expat

from .files import TEMP_REASON, is_temporary, not_a_file_reason
from .raw import ReadFailure

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
LARGE_MEMBER = 1 << 20  # the ratio check applies to members bigger than this

Kind = Literal["xlsx", "ods", "xls"]

# Names of files that are not returns: Office lock files and operating-system debris.
DEBRIS_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "icon\r"}


@dataclass(frozen=True)
class Limits:
    """Configurable ceilings for untrusted files."""

    max_file_bytes: int = 50 << 20
    max_members: int = 1_000
    max_member_bytes: int = 100 << 20
    max_total_bytes: int = 300 << 20
    max_ratio: float = 200.0
    max_cells_per_sheet: int = 200_000
    max_cells_per_workbook: int = 300_000


class Budget:
    """One file's running costs, checked against its limits as they grow: bytes inflated, cells read.

    Limits per part are not enough: many small parts, or one part read many times, add up.
    A reader makes one budget per file and charges every member it inflates and every cell it keeps.
    """

    __slots__ = ("cells", "inflated", "limits")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.inflated = 0
        self.cells = 0

    def charge_bytes(self, n: int, member: str) -> None:
        """Count ``n`` more bytes inflated from ``member``; over the limit is a ``zip-bomb`` failure."""
        self.inflated += n
        if self.inflated > self.limits.max_total_bytes:
            raise ReadFailure(
                "zip-bomb",
                f"the workbook's parts expand to more than {self.limits.max_total_bytes:,} bytes "
                f"(limit reached while reading {member})",
            )

    def charge_cells(self, n: int = 1) -> None:
        """Count ``n`` more cells kept; over the limit is a ``too-many-cells`` failure."""
        self.cells += n
        if self.cells > self.limits.max_cells_per_workbook:
            raise ReadFailure(
                "too-many-cells", f"the workbook has more than {self.limits.max_cells_per_workbook:,} cells"
            )


def skip_reason(path: Path) -> str | None:
    """Why ``path`` is not a return at all (a lock file, OS debris, our own temporary file, or not a
    file: a named pipe, a device, a link to a folder), or ``None``."""
    name = path.name
    if is_temporary(name):
        return TEMP_REASON
    if name.startswith("~$"):
        return "an Office lock file (the workbook was open when copied)"
    if name.startswith("._"):
        return "macOS metadata (AppleDouble), not a workbook"
    if name.casefold() in DEBRIS_NAMES:
        return "operating-system metadata, not a workbook"
    return not_a_file_reason(path)


def sniff(data: bytes) -> Literal["zip", "ole", "unknown"]:
    """The container format, judged by content."""
    if data.startswith(ZIP_MAGICS):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "unknown"


def is_encrypted_ole(data: bytes) -> bool:
    """Whether an OLE compound file is an encrypted (password-protected) Office document."""
    return ENCRYPTION_STREAM in data


def check_zip(archive: zipfile.ZipFile, limits: Limits) -> Kind:
    """Check a zip's declared shape against ``limits`` and say which spreadsheet format it holds."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ReadFailure("zip-bomb", f"the archive has {len(infos)} members (limit {limits.max_members})")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadFailure("encrypted", "the archive's members are encrypted")
        if info.file_size > limits.max_member_bytes:
            raise ReadFailure(
                "zip-bomb",
                f"member {info.filename} would expand to {info.file_size:,} bytes (limit {limits.max_member_bytes:,})",
            )
        if info.file_size > LARGE_MEMBER and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ReadFailure(
                "zip-bomb",
                f"member {info.filename} has compression ratio {ratio:,.0f}:1 (limit {limits.max_ratio:,.0f}:1)",
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise ReadFailure("zip-bomb", f"the archive would expand to {total:,} bytes (limit {limits.max_total_bytes:,})")
    names = {info.filename for info in infos}
    if "mimetype" in names and read_member(archive, "mimetype", limits).strip() == ODS_MIMETYPE:
        return "ods"
    if "xl/workbook.xml" in names or ("_rels/.rels" in names and any(n.startswith("xl/") for n in names)):
        return "xlsx"
    if "content.xml" in names:
        return "ods"
    raise ReadFailure("not-a-spreadsheet", "the file is a zip archive but not a spreadsheet")


def read_member(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """A member's bytes. The declared size was checked against ``limits``; zipfile never inflates past it,
    and a member whose header lies about its size fails the CRC check (a ``corrupt-file`` rejection)."""
    del limits  # checked in check_zip, before any member is read
    return archive.read(name)


def _refuse_dtd(*_args: object) -> None:
    raise ReadFailure("xml-entities", "the XML declares a document type or entities; spreadsheets never do")


def xml_parser() -> expat.XMLParserType:
    """An expat parser that refuses DTDs and entity declarations."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.buffer_text = True
    return parser


def feed(parser: expat.XMLParserType, data: bytes | memoryview, member: str, final: bool = False) -> None:
    """Give ``parser`` the next piece of ``member``; malformed XML becomes a ``corrupt-file`` failure."""
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        raise ReadFailure("corrupt-file", f"{member} is not well-formed XML ({exc})") from exc
    except LookupError as exc:  # an encoding declaration naming no known encoding
        raise ReadFailure("corrupt-file", f"{member} declares an unknown encoding ({exc})") from exc


def parse_xml(
    data: bytes,
    member: str,
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    chars: Callable[[str], None] | None = None,
    final: bool = True,
) -> None:
    """Parse ``data`` with expat, calling the given handlers (element start, end, text).

    DTDs and entity declarations are refused; malformed XML becomes a ``corrupt-file`` failure.
    With ``final=False``, ``data`` is the start of a document: it must be well-formed so far.
    """
    parser = xml_parser()
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    feed(parser, data, member, final)
