"""Builders of packages that are legal but unusual, or damaged at the zip/OPC level, made in code.

Each ``make_xxx(dir, source, ...)`` writes one file into ``dir`` and returns its path; ``source``
is a real workbook (a filled return). The builders change only what they say they change.
"""

from __future__ import annotations

import random
import re
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

from .hostile import _MINIMAL_PARTS, _SHEET_HEAD, _SHEET_TAIL, _data_start, _member_offsets

Members = list[tuple[str, bytes]]  # a zip's members, in order, by name
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
BINARY_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


def members_of(source: Path) -> Members:
    with zipfile.ZipFile(source) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_members(path: Path, members: Members, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip of ``members`` as given: duplicate names and backslashes are written as they are."""
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", compression) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": the point of some builders
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 15, 0, 0, 0)), data, compression)
    return path


def _edit(members: Members, name: str, transform: Callable[[bytes], bytes]) -> Members:
    if name not in dict(members):
        raise KeyError(name)
    return [(n, transform(d) if n == name else d) for n, d in members]


def _sub(pattern: bytes, replacement: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    def transform(data: bytes) -> bytes:
        data, n = re.subn(pattern, replacement, data, count=count)
        if not n:
            raise ValueError(f"{pattern!r} not found")
        return data

    return transform


def _patch(source: Path, target: Path, member: str, edit: Callable[[bytearray, int, int], None]) -> Path:
    """Copy ``source`` with ``edit(data, local header offset, central entry offset)`` applied to ``member``."""
    data = bytearray(source.read_bytes())
    local, central = _member_offsets(bytes(data), member)
    edit(data, local, central)
    target.write_bytes(bytes(data))
    return target


# --- legal packages that name their parts unusually -----------------------------------------------------


def make_retargeted(dir: Path, source: Path, old: str, new: str, name: str = "retargeted.xlsx") -> Path:
    """``source`` with the workbook relationship whose Target is ``old`` pointing at ``new`` instead
    (e.g. ``Worksheets/Sheet2.xml`` or ``worksheets/sheet%32.xml``: the same part, by OPC's rules)."""
    rel = _sub(b'Target="' + old.encode() + b'"', b'Target="' + new.encode() + b'"')
    return write_members(dir / name, _edit(members_of(source), WORKBOOK_RELS, rel))


def make_renamed_shared_strings(dir: Path, source: Path, name: str = "shared_strings_case.xlsx") -> Path:
    """``source`` with ``xl/sharedStrings.xml`` renamed ``xl/SharedStrings.xml``, its relationship and
    content type following (as some writers name it)."""
    members = [("xl/SharedStrings.xml" if n == "xl/sharedStrings.xml" else n, d) for n, d in members_of(source)]
    members = _edit(members, WORKBOOK_RELS, _sub(b'Target="sharedStrings.xml"', b'Target="SharedStrings.xml"'))
    members = _edit(members, "[Content_Types].xml", _sub(b"/xl/sharedStrings.xml", b"/xl/SharedStrings.xml"))
    return write_members(dir / name, members)


def make_moved_workbook(
    dir: Path, source: Path, folder: str = "book", root_rels: bool = True, name: str = "moved.xlsx"
) -> Path:
    """``source`` with every ``xl/`` part moved under ``folder/`` and the workbook part renamed ``main.xml``:
    legal, since the package's relationships and content types say where things are. Without ``root_rels``,
    ``_rels/.rels`` is left out, so only ``[Content_Types].xml`` names the workbook part."""

    def move(member: str) -> str:
        if member == "xl/workbook.xml":
            return f"{folder}/main.xml"
        if member == WORKBOOK_RELS:
            return f"{folder}/_rels/main.xml.rels"
        return folder + member[2:] if member.startswith("xl/") else member

    members = [(move(n), d) for n, d in members_of(source) if root_rels or n != "_rels/.rels"]
    if root_rels:
        members = _edit(
            members, "_rels/.rels", _sub(b'Target="xl/workbook.xml"', f'Target="{folder}/main.xml"'.encode())
        )
    members = _edit(members, "[Content_Types].xml", _sub(b'PartName="/xl/', f'PartName="/{folder}/'.encode(), 0))
    members = _edit(
        members, "[Content_Types].xml", _sub(f"/{folder}/workbook.xml".encode(), f"/{folder}/main.xml".encode())
    )
    return write_members(dir / name, members)


def make_backslash_names(dir: Path, source: Path, name: str = "backslashes.xlsx") -> Path:
    """``source`` with ``\\`` for ``/`` in every member name, as some Windows zip tools write them."""
    return write_members(dir / name, [(n.replace("/", "\\"), d) for n, d in members_of(source)])


# --- damaged packages --------------------------------------------------------------------------------------


def make_missing_part(dir: Path, source: Path, member: str, name: str = "missing_part.xlsx") -> Path:
    """``source`` without ``member`` (what a zip "repair" tool can leave); everything that names it is kept."""
    members = members_of(source)
    if member not in dict(members):
        raise KeyError(member)
    return write_members(dir / name, [(n, d) for n, d in members if n != member])


def make_dangling_relationship(dir: Path, source: Path, target: str, name: str = "dangling_rel.xlsx") -> Path:
    """``source`` whose workbook relationships no longer define the one with Target ``target``, although
    a ``<sheet>`` still refers to its id."""
    rel = _sub(rb'<Relationship [^>]*Target="' + re.escape(target.encode()) + rb'"/>', b"")
    return write_members(dir / name, _edit(members_of(source), WORKBOOK_RELS, rel))


def make_duplicate_member(
    dir: Path, source: Path, member: str, rename: Callable[[str], str] = str, name: str = "duplicate.xlsx"
) -> Path:
    """``source`` plus a second member named ``rename(member)`` (the same name, or one that differs only
    in case or separators) holding an empty sheet: readers differ on which copy they read."""
    empty = (_SHEET_HEAD + _SHEET_TAIL).encode()
    return write_members(dir / name, [*members_of(source), (rename(member), empty)])


def make_many_sheets_one_part(
    dir: Path, n: int = 2000, cells: int = 10, padding: int = 0, name: str = "many_sheets.xlsx"
) -> Path:
    """A minimal workbook whose ``n`` ``<sheet>`` entries all refer to one worksheet part of ``cells`` cells,
    followed by a comment of ``padding`` random letters from "acgt" (big, compressing about 4:1, as in the
    637 KB file that took 17-31 s and 4.1 GB when each <sheet> inflated the part again)."""
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i + 1}" r:id="rId1"/>' for i in range(n))
    workbook = _MINIMAL_PARTS["xl/workbook.xml"].replace('<sheet name="Sheet1" sheetId="1" r:id="rId1"/>', sheets)
    row = "".join(f'<c r="A{i + 1}"><v>{i}</v></c>' for i in range(cells))
    noise = "".join(random.Random(0).choices("acgt", k=padding))
    sheet = _SHEET_HEAD + f'<row r="1">{row}</row>' + _SHEET_TAIL + (f"<!--{noise}-->" if padding else "")
    members = [(k, v.encode()) for k, v in {**_MINIMAL_PARTS, "xl/workbook.xml": workbook}.items()]
    return write_members(dir / name, [*members, ("xl/worksheets/sheet1.xml", sheet.encode())])


def make_xlsb(dir: Path, declared: str = "default", name: str = "binary.xlsb") -> Path:
    """The package of an Excel binary workbook: its main part is ``xl/workbook.bin`` (here, random records).
    Its content type is ``declared`` by extension (``default``), by part name (``override``) or not at all (``none``).
    """
    workbook_type = (
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    )
    binary_type = {
        "default": f'<Default Extension="bin" ContentType="{BINARY_MAIN}"/>',
        "override": f'<Override PartName="/xl/workbook.bin" ContentType="{BINARY_MAIN}"/>',
        "none": "",
    }[declared]
    types = _MINIMAL_PARTS["[Content_Types].xml"].replace(workbook_type, binary_type)
    rels = _MINIMAL_PARTS["_rels/.rels"].replace("xl/workbook.xml", "xl/workbook.bin")
    body = random.Random(0).randbytes(300)
    return write_members(
        dir / name, [("[Content_Types].xml", types.encode()), ("_rels/.rels", rels.encode()), ("xl/workbook.bin", body)]
    )


def make_compression_method(dir: Path, source: Path, member: str, method: int, name: str = "method.xlsx") -> Path:
    """``source`` with ``member``'s compression method set to ``method`` in both its headers (its bytes unchanged):
    e.g. 9, Deflate64, which Windows' own zip tool writes and Python cannot inflate."""

    def edit(data: bytearray, local: int, central: int) -> None:
        struct.pack_into("<H", data, local + 8, method)
        struct.pack_into("<H", data, central + 10, method)

    return _patch(source, dir / name, member, edit)


def make_flagged(dir: Path, source: Path, member: str, flags: int, name: str = "flagged.xlsx") -> Path:
    """``source`` with general-purpose flag bits ``flags`` added to ``member``'s headers
    (0x20: compressed patched data; 0x40: strong encryption)."""

    def edit(data: bytearray, local: int, central: int) -> None:
        for at in (local + 6, central + 8):
            (bits,) = struct.unpack_from("<H", data, at)
            struct.pack_into("<H", data, at, bits | flags)

    return _patch(source, dir / name, member, edit)


def make_overlong_member(dir: Path, source: Path, member: str, name: str = "overlong_member.xlsx") -> Path:
    """``source`` whose ``member`` claims to be stored (not compressed) and to run past the end of the file:
    reading it runs out of bytes (``EOFError``), as a file cut short after its directory was written would."""

    def edit(data: bytearray, local: int, central: int) -> None:
        size = len(data) - _data_start(bytes(data), local) + 1000
        for method_at, sizes_at in ((local + 8, local + 18), (central + 10, central + 20)):
            struct.pack_into("<H", data, method_at, zipfile.ZIP_STORED)
            struct.pack_into("<II", data, sizes_at, size, size)

    return _patch(source, dir / name, member, edit)


def make_bad_name_encoding(dir: Path, source: Path, member: str, name: str = "bad_name.xlsx") -> Path:
    """``source`` whose central directory says ``member``'s name is UTF-8 (flag bit 11) but holds an invalid byte."""

    def edit(data: bytearray, _local: int, central: int) -> None:
        (bits,) = struct.unpack_from("<H", data, central + 8)
        struct.pack_into("<H", data, central + 8, bits | 0x800)
        data[central + 46] = 0xFF

    return _patch(source, dir / name, member, edit)


def make_garbled_member(
    dir: Path, source: Path, member: str, compression: int, keep: int = 0, name: str = "garbled.xlsx"
) -> Path:
    """``source`` with ``member`` stored with ``compression`` (BZIP2, LZMA), then its compressed bytes after
    the first ``keep`` replaced by ``0xFF`` and random bytes (for LZMA, keep its 9-byte header so the
    decoder itself meets the damage)."""
    members = members_of(source)
    path = dir / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member_name, data in members:
            archive.writestr(member_name, data, compression if member_name == member else zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    local, _central = _member_offsets(bytes(data), member)
    start = _data_start(bytes(data), local) + keep
    (compressed,) = struct.unpack_from("<I", data, local + 18)
    data[start : start + compressed - keep] = b"\xff" + random.Random(1).randbytes(compressed - keep - 1)
    path.write_bytes(bytes(data))
    return path
