"""Guards applied to every file before and while it is parsed.

A return is untrusted input. Before any parser sees it we check its size and its
kind by content, and for zip-based formats the member count, declared sizes and
compression ratio. While parsing, members are read with a hard cap (declared sizes
can lie) and XML with a DTD or entity declaration is refused outright: no
spreadsheet needs one, and it is how entity-expansion and external-entity attacks start.
Readers never allocate a grid (cells are sparse), and the cell count per sheet is capped.
"""

from __future__ import annotations

import functools
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn, cast
from urllib.parse import unquote
from xml.parsers import expat

from zlib_ng import zlib_ng

from .files import TEMP_REASON, is_temporary, not_a_file_reason
from .raw import ReadFailure

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
LARGE_MEMBER = 1 << 20  # the ratio check applies to members bigger than this
ENCRYPTED_FLAG, PATCHED_DATA_FLAG, STRONG_ENCRYPTION_FLAG = 0x1, 0x20, 0x40  # zip general-purpose flag bits

Kind = Literal["xlsx", "ods", "xls"]

# What zipfile raises for a damaged, truncated or unreadable member (lzma and bz2 raise their own errors).
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
    struct.error,
)
try:
    import lzma

    ZIP_ERRORS += (lzma.LZMAError,)
except ImportError:  # pragma: no cover - Python built without lzma: zipfile cannot inflate LZMA either
    pass
# What zipfile raises for an archive it cannot open: damaged, truncated, split over disks, badly encoded names.
ZIP_OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error)
# Zip compression methods zipfile cannot inflate, as zip tools name them.
COMPRESSION_NAMES = {
    1: "Shrink",
    2: "Reduce",
    3: "Reduce",
    4: "Reduce",
    5: "Reduce",
    6: "Implode",
    9: "Deflate64 (enhanced deflate)",
    10: "PKWARE DCL Implode",
    12: "BZIP2",
    14: "LZMA",
    93: "Zstandard",
    95: "XZ",
    96: "JPEG",
    97: "WavPack",
    98: "PPMd",
    99: "AES",
}
# Content types of an OOXML package's main part (ECMA-376 and Excel's macro-enabled, template and add-in forms).
WORKBOOK_CONTENT_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "application/vnd.ms-excel.sheet.macroenabled.main+xml",
        "application/vnd.ms-excel.template.macroenabled.main+xml",
        "application/vnd.ms-excel.addin.macroenabled.main+xml",
    }
)
BINARY_WORKBOOK_CONTENT_TYPE = "application/vnd.ms-excel.sheet.binary.macroenabled.main"

# Names of files that are not returns: Office lock files and operating-system debris.
DEBRIS_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "icon\r"}
# Apple Mail exports a mailbox as a folder Name.mbox holding the messages (the file mbox) and these.
APPLE_MAILBOX_INDEX = ("table_of_contents", "Info.plist")


@dataclass(frozen=True)
class Limits:
    """Configurable ceilings for untrusted files."""

    max_file_bytes: int = 50 << 20
    max_members: int = 1_000
    max_member_bytes: int = 50 << 20  # a worksheet of 100,000 cells is about 5 MB
    max_total_bytes: int = 100 << 20  # of the parts read, per file
    max_ratio: float = 200.0
    max_cells_per_sheet: int = 100_000  # a return has about 2,000 cells in all
    max_cells_per_workbook: int = 200_000
    max_defined_names: int = 50_000  # the template defines about 125
    # Saved emails (read/messages.py): a message (an .eml or .msg file, or one message of a mailbox) is held to
    # max_file_bytes, as a file is; a mailbox is read a message at a time.
    max_mailbox_bytes: int = 1 << 30
    max_messages: int = 10_000  # in one mailbox
    max_message_parts: int = 1_000  # MIME parts (or attachments of an Outlook message) in one message
    max_message_containers: int = 20  # multipart and attached-message parts in one message: bounds the nesting


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
    if name in APPLE_MAILBOX_INDEX and path.parent.suffix.lower() == ".mbox":
        return "Apple Mail's index of the mailbox beside it (the messages are in the file mbox)"
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


def check_zip(package: Package) -> Kind:
    """Check a zip's declared shape against its limits and say which spreadsheet format it holds.

    The format is judged as its readers judge it: an OpenDocument ``mimetype``, or the package's main part
    (found through its relationships or content types, wherever it is and however its name is cased).
    """
    limits = package.limits
    infos = package.archive.infolist()
    if len(infos) > limits.max_members:
        raise ReadFailure("zip-bomb", f"the archive has {len(infos)} members (limit {limits.max_members})")
    total = 0
    for info in infos:
        if info.flag_bits & (ENCRYPTED_FLAG | STRONG_ENCRYPTION_FLAG):
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
    if len(package.members) < len(infos):  # two members share a name, as OPC compares names
        _refuse_duplicates(infos)
    return _zip_kind(package)


def _refuse_duplicates(infos: list[zipfile.ZipInfo]) -> None:
    """Two members with one name (as OPC compares names) make the package ambiguous: readers differ on which copy
    they read, so what we read may not be what the council saw."""
    seen: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        key = part_key(info.filename)
        if key.endswith("/"):
            continue  # a folder entry holds nothing
        first = seen.setdefault(key, info)
        if first is not info:
            name = first.filename
            both = f"{name} twice" if name == info.filename else f"both {name} and {info.filename}"
            raise ReadFailure(
                "corrupt-file",
                f"the archive lists {both}, two copies of one part; which copy a program reads is arbitrary, "
                "so the workbook cannot be read reliably",
            )


def _zip_kind(package: Package) -> Kind:
    if "mimetype" in package and package.read("mimetype").strip() == ODS_MIMETYPE:
        return "ods"
    main = package.main_part()
    if main is not None:
        content_type = package.content_type(main)
        generic = content_type in (None, "application/xml", "text/xml")  # says nothing of what the part is
        if content_type == BINARY_WORKBOOK_CONTENT_TYPE or (generic and main.lower().endswith(".bin")):
            raise ReadFailure(
                "unsupported-format", "the file is an Excel binary workbook (.xlsb), which this tool cannot read"
            )
        if content_type in WORKBOOK_CONTENT_TYPES or (generic and main.lower().endswith(".xml")):
            return "xlsx"
    if "content.xml" in package:
        return "ods"
    raise ReadFailure("not-a-spreadsheet", "the file is a zip archive but not a spreadsheet")


@functools.lru_cache(maxsize=4096)  # every return names the same few dozen parts, several times each
def part_key(name: str) -> str:
    """A part or zip member name as OPC compares them: ``/`` separators (some Windows zip tools write ``\\``),
    no leading ``/``, percent-decoded, case-insensitive."""
    return unquote(name.replace("\\", "/")).lstrip("/").casefold()


def read_member(
    archive: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    limits: Limits,
    budget: Budget | None = None,
    raw: bytes | None = None,
) -> bytes:
    """A member's bytes, inflating no more than its limit (or what is left of ``budget``) plus one byte:
    declared sizes can lie. Every way zipfile can fail becomes a :class:`ReadFailure` naming the member.

    ``raw``, the archive's own bytes, lets a member in the plain form be inflated straight from them
    (:func:`_inflate_plain`); any other is read by zipfile."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    allowance = limits.max_member_bytes
    if budget is not None:
        allowance = max(0, min(allowance, limits.max_total_bytes - budget.inflated))
    data = None if raw is None else _inflate_plain(raw, info, allowance + 1)
    if data is None:
        try:
            with archive.open(info) as stream:
                data = stream.read(allowance + 1)
        except ZIP_ERRORS as exc:
            raise _member_failure(info, exc) from exc
    if budget is not None:
        budget.charge_bytes(len(data), info.filename)
    if len(data) > limits.max_member_bytes:
        raise ReadFailure("zip-bomb", f"member {info.filename} expands to more than {limits.max_member_bytes:,} bytes")
    return data


_INFLATE_ERROR = cast("type[Exception]", zlib_ng.error)  # a class, which zlib-ng's type stub calls an instance
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a member's local file header, as zipfile reads it
_LOCAL_SIGNATURE = b"PK\x03\x04"
_UTF8_NAME_FLAG = 0x800


def _inflate_plain(raw: bytes, info: zipfile.ZipInfo, most: int) -> bytes | None:
    """A member's bytes straight from the archive's bytes ``raw``, if it is in the plain form and whole: stored or
    deflated, not encrypted, its local header where the directory says and naming it, and inflating to exactly its
    size (at most ``most`` bytes) with its CRC. Those are the bytes zipfile's reader gives, without its file
    objects; for anything else ``None``, and the member is left to zipfile, which says what is wrong.

    Inflated, and its CRC computed, by zlib-ng: the same deflate and CRC-32 as zlib, faster than the zlib Python is
    built with (a return's members, about 300 KB, in 0.7 ms rather than 1.2, and their CRCs in 0.04 ms rather than
    0.15)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & (
        ENCRYPTED_FLAG | PATCHED_DATA_FLAG | STRONG_ENCRYPTION_FLAG
    ):
        return None
    start = info.header_offset
    header = raw[start : start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        return None
    signature, _, _, flags, _, _, _, _, _, _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    name_start = start + _LOCAL_HEADER.size
    written = raw[name_start : name_start + name_length]
    try:  # as zipfile decodes it (ASCII reads the same either way, and costs no Python codec)
        name = written.decode("ascii" if written.isascii() else "utf-8" if flags & _UTF8_NAME_FLAG else "cp437")
    except UnicodeDecodeError:
        return None
    if signature != _LOCAL_SIGNATURE or name != info.orig_filename:
        return None
    begin = name_start + name_length + extra_length
    end = getattr(info, "_end_offset", None)  # where the next member starts, if this Python's zipfile checks it
    if end is not None and begin + info.compress_size > end:
        return None  # overlapping members (a zip bomb's trick): zipfile's to refuse, where it does
    stored = memoryview(raw)[begin : begin + info.compress_size]
    if len(stored) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        data, whole = bytes(stored[:most]), True
    else:
        inflater = zlib_ng.decompressobj(-15)  # raw deflate, as zipfile's
        try:
            data = inflater.decompress(stored, most)
        except _INFLATE_ERROR:
            return None
        whole = inflater.eof
    return data if whole and len(data) == info.file_size and zlib_ng.crc32(data) == info.CRC else None


def _member_failure(info: zipfile.ZipInfo, exc: Exception) -> ReadFailure:
    """What went wrong reading ``info``, in words for the person who has to ask for the file again."""
    name = info.filename
    if info.flag_bits & (ENCRYPTED_FLAG | STRONG_ENCRYPTION_FLAG) or "encrypted" in str(exc):
        return ReadFailure("encrypted", f"the part {name} is encrypted (password-protected)")
    if isinstance(exc, NotImplementedError) or (isinstance(exc, RuntimeError) and info.compress_type not in (0, 8)):
        if info.flag_bits & PATCHED_DATA_FLAG:
            how = "uses a zip feature (patched data)"
        else:
            how = f"is compressed with {COMPRESSION_NAMES.get(info.compress_type, f'method {info.compress_type}')}"
        return ReadFailure(
            "unsupported-format",
            f"the part {name} {how}, which this tool cannot unpack "
            "(the workbook was probably re-packed by a zip program)",
        )
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return ReadFailure("corrupt-file", f"the part {name} is damaged (its CRC check fails)")
    return ReadFailure("corrupt-file", f"the part {name} is damaged or truncated and cannot be unpacked")


Relationship = tuple[str, str]  # (the last segment of its type, e.g. "worksheet"; the target's part name)


class Package:
    """A zip archive's members found by part name as OPC compares names (see :func:`part_key`).

    Each part is inflated at most once and charged to the file's :class:`Budget`; relationships and
    content types are read from the package, never assumed to be at the usual paths.
    """

    def __init__(
        self, archive: zipfile.ZipFile, limits: Limits, budget: Budget | None = None, raw: bytes | None = None
    ) -> None:
        self.archive, self.limits, self.raw = archive, limits, raw  # raw: the archive's bytes, if at hand
        self.budget = budget or Budget(limits)
        self.members = {part_key(info.filename): info for info in archive.infolist()}
        self._data: dict[str, bytes] = {}
        self._relationships: dict[str, dict[str, Relationship]] = {}
        self._content_types: tuple[dict[str, str], dict[str, str]] | None = None

    def __contains__(self, part: str) -> bool:
        return part_key(part) in self.members

    def read(self, part: str) -> bytes:
        """The bytes of ``part`` (which must be in the package), inflated on first use only."""
        key = part_key(part)
        data = self._data.get(key)
        if data is None:
            info = self.members[key]
            data = self._data[key] = read_member(self.archive, info, self.limits, self.budget, self.raw)
        return data

    def relationships(self, part: str) -> dict[str, Relationship]:
        """``rId -> (type, target part)`` for ``part``'s relationships (``""``: the package's own)."""
        if part not in self._relationships:
            directory, name = posixpath.split(part)
            rels = posixpath.join(directory, "_rels", name + ".rels")
            found = dict(_parse_relationships(self.read(rels), rels, directory)) if rels in self else {}
            self._relationships[part] = found
        return self._relationships[part]

    def main_part(self) -> str | None:
        """The package's main part: the target of its ``officeDocument`` relationship, or failing that the
        part whose content type is a workbook's, or ``xl/workbook.xml`` if there is one."""
        for kind, target in self.relationships("").values():
            if kind == "officeDocument":
                return target
        overrides, _defaults = self._types()
        for key, content_type in overrides.items():
            if content_type in WORKBOOK_CONTENT_TYPES or content_type == BINARY_WORKBOOK_CONTENT_TYPE:
                return self.members[key].filename if key in self.members else key
        return "xl/workbook.xml" if "xl/workbook.xml" in self else None

    def content_type(self, part: str) -> str | None:
        """``part``'s content type (lower case) from ``[Content_Types].xml``, if it declares one."""
        overrides, defaults = self._types()
        key = part_key(part)
        return overrides.get(key) or defaults.get(posixpath.splitext(key)[1].lstrip("."))

    def _types(self) -> tuple[dict[str, str], dict[str, str]]:
        if self._content_types is None:
            name = "[Content_Types].xml"
            self._content_types = _parse_content_types(self.read(name), name) if name in self else ({}, {})
        return self._content_types


# Returns made from one template share their package parts byte for byte, so what is read from them
# is kept (by content) for the next file. Failures are not kept.
_same_part = functools.lru_cache(maxsize=16)


@_same_part
def _parse_relationships(data: bytes, rels_name: str, directory: str) -> tuple[tuple[str, Relationship], ...]:
    rels: dict[str, Relationship] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag.rpartition(":")[2] == "Relationship" and attrs.get("TargetMode") != "External":
            kind = attrs.get("Type", "").rpartition("/")[2]
            rels[attrs.get("Id", "")] = (kind, _resolve(directory, attrs.get("Target", "")))

    parse_xml(data, rels_name, start)
    return tuple(rels.items())


def _resolve(directory: str, target: str) -> str:
    """A relationship's target as a part name: relative to its source's folder, unless it starts with ``/``."""
    target = target.replace("\\", "/").partition("#")[0]
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(directory, target))


@functools.lru_cache(maxsize=16)
def _parse_content_types(data: bytes, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """``[Content_Types].xml``: (part key -> content type, extension -> content type), all lower case."""
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = tag.rpartition(":")[2]
        content_type = attrs.get("ContentType", "").strip().lower()
        if tag == "Override":
            overrides[part_key(attrs.get("PartName", ""))] = content_type
        elif tag == "Default":
            defaults[attrs.get("Extension", "").lower()] = content_type

    parse_xml(data, name, start)
    return overrides, defaults


def _refuse_dtd(*_args: object) -> NoReturn:
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
