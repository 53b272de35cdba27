"""Builders of hostile and broken input files, made in code so no binaries are committed.

Each ``make_xxx(dir, ...)`` writes one file into ``dir`` and returns its path.
``source`` is always a real workbook (usually the ``template_path`` fixture);
the builders that copy it change only what they say they change.
"""

from __future__ import annotations

import random
import re
import shutil
import struct
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import xlsxwriter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
APPLE_DOUBLE_MAGIC = b"\x00\x05\x16\x07"
LAST_CELL = "XFD1048576"
FIRST_AREA_SHEET = "xl/worksheets/sheet2.xml"  # sheet1 is the cover; sheet2 the first key area

_LOCAL_HEADER = b"PK\x03\x04"
_CENTRAL_HEADER = b"PK\x01\x02"
_END_OF_CENTRAL_DIR = b"PK\x05\x06"

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MINIMAL_PARTS = {
    "[Content_Types].xml": _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>",
    "_rels/.rels": _XML_DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": _XML_DECL + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": _XML_DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>",
}
_SHEET_HEAD = _XML_DECL + f'<worksheet xmlns="{_NS}"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"


# --- helpers -----------------------------------------------------------------


def rewrite_members(source: Path, target: Path, transforms: Mapping[str, Callable[[bytes], bytes]]) -> Path:
    """Copy the zip ``source`` to ``target``, passing the named members through their transforms.

    Every other member is copied unchanged, in the same order and with the same compression.
    """
    missing = set(transforms)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in transforms:
                data = transforms[info.filename](data)
                missing.discard(info.filename)
            zout.writestr(info, data)
    if missing:
        raise KeyError(f"{source} has no member(s) {sorted(missing)}")
    return target


def rewrite_member(source: Path, target: Path, member: str, transform: Callable[[bytes], bytes]) -> Path:
    """Copy the zip ``source`` to ``target`` with one member passed through ``transform``."""
    return rewrite_members(source, target, {member: transform})


def _member_offsets(data: bytes, member: str) -> tuple[int, int]:
    """(local header offset, central directory entry offset) of ``member`` in zip ``data``."""
    eocd = data.rindex(_END_OF_CENTRAL_DIR)
    count, _size, pos = struct.unpack_from("<HII", data, eocd + 10)
    for _ in range(count):
        if data[pos : pos + 4] != _CENTRAL_HEADER:
            raise ValueError("unexpected central directory layout")
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        (local,) = struct.unpack_from("<I", data, pos + 42)
        if data[pos + 46 : pos + 46 + name_len].decode("utf-8") == member:
            return local, pos
        pos += 46 + name_len + extra_len + comment_len
    raise KeyError(member)


def _data_start(data: bytes, local: int) -> int:
    """Where a member's compressed bytes start, given its local header offset."""
    if data[local : local + 4] != _LOCAL_HEADER:
        raise ValueError("not a local file header")
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    return local + 30 + name_len + extra_len


def _copy(source: Path, dir: Path, name: str) -> Path:
    path = dir / name
    shutil.copyfile(source, path)
    return path


# --- 1-3: broken containers and impostors --------------------------------------


def make_truncated_zip(dir: Path, source: Path, name: str = "truncated.xlsx") -> Path:
    """The first half of a valid workbook: no central directory, so not a zip at all."""
    data = source.read_bytes()
    path = dir / name
    path.write_bytes(data[: len(data) // 2])
    return path


def make_corrupt_zip(dir: Path, source: Path, member: str = "xl/workbook.xml", name: str = "corrupt_zip.xlsx") -> Path:
    """A structurally valid zip whose ``member`` has its compressed bytes replaced by garbage.

    The directory lists every member, but reading ``member`` fails (``zlib.error`` or a bad CRC).
    """
    data = bytearray(source.read_bytes())
    local, _central = _member_offsets(bytes(data), member)
    start = _data_start(bytes(data), local)
    (compressed,) = struct.unpack_from("<I", data, local + 18)
    data[start : start + compressed] = random.Random(0).randbytes(compressed)
    path = dir / name
    path.write_bytes(bytes(data))
    return path


def make_corrupt_xml(dir: Path, source: Path, name: str = "corrupt_xml.xlsx") -> Path:
    """A valid zip whose ``xl/workbook.xml`` is malformed XML (cut off mid-way, with a stray ``<&``)."""
    return rewrite_member(source, dir / name, "xl/workbook.xml", lambda xml: xml[: len(xml) // 2] + b"<&")


def make_renamed_text(dir: Path, name: str = "return.xlsx") -> Path:
    """A CSV export saved under an ``.xlsx`` name."""
    path = dir / name
    path.write_text("ID,Your score,Your comment\nEC1,3 - Mature,We have a plan\nEC2,2 - Developing,\n", "utf-8")
    return path


def make_renamed_pdf(dir: Path, name: str = "renamed_pdf.xlsx") -> Path:
    """A (tiny, valid-looking) PDF saved under an ``.xlsx`` name."""
    path = dir / name
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return path


def make_empty(dir: Path, name: str = "empty.xlsx") -> Path:
    """A 0-byte ``.xlsx``."""
    path = dir / name
    path.write_bytes(b"")
    return path


def make_mismatched_extension(dir: Path, ods_source: Path, name: str = "spreadsheet_ods.xlsx") -> Path:
    """An OpenDocument spreadsheet's bytes under an ``.xlsx`` name."""
    return _copy(ods_source, dir, name)


def make_minimal_ods(dir: Path, name: str = "minimal.ods") -> Path:
    """A small but well-formed ``.ods`` (uncompressed ``mimetype`` first), for when LibreOffice is absent."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    manifest = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:table="{table}" xmlns:text="{text}" office:version="1.2"><office:body><office:spreadsheet>'
        '<table:table table:name="Sheet1"><table:table-row><table:table-cell office:value-type="string">'
        "<text:p>hello</text:p></table:table-cell></table:table-row></table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = dir / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/manifest.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="{manifest}" '
            'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        zf.writestr("content.xml", content)
    return path


def make_non_nps_workbook(dir: Path, name: str = "budget.xlsx") -> Path:
    """A perfectly valid workbook that is not the diagnostic: one sheet, "Budget", of numbers."""
    path = dir / name
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Budget")
    sheet.write_row(0, 0, ["Service", "2017/18", "2018/19"])
    for row, (service, a, b) in enumerate([("Waste", 4.2, 4.4), ("Leisure", 1.9, 1.7), ("Planning", 2.5, 2.6)], 1):
        sheet.write_row(row, 0, [service, a, b])
    sheet.write_formula(4, 1, "=SUM(B2:B4)", None, 8.6)
    sheet.write_formula(4, 2, "=SUM(C2:C4)", None, 8.7)
    workbook.close()
    return path


# --- 4: encryption ---------------------------------------------------------------


def make_encrypted(dir: Path, source: Path, password: str = "secret", name: str = "encrypted.xlsx") -> Path:
    """``source`` encrypted with ``password`` as Excel does (ECMA-376 Agile): an OLE compound file
    holding ``EncryptionInfo`` and ``EncryptedPackage``. Skips unless msoffcrypto-tool is installed.
    """
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        pytest.skip("msoffcrypto-tool is not installed (pip install msoffcrypto-tool) to build an encrypted workbook")
    path = dir / name
    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return path


# --- 5: resource exhaustion --------------------------------------------------------


def make_zip_bomb(dir: Path, size: int = 200 * 2**20, name: str = "zip_bomb.xlsx") -> Path:
    """A minimal valid workbook whose one cell holds ``size`` bytes of ``0``: tiny on disk, huge unpacked.

    Streamed in 1 MiB chunks, so building it needs little memory.
    """
    path = dir / name
    chunk = b"0" * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for member, xml in _MINIMAL_PARTS.items():
            zf.writestr(member, xml)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=size > 2**31) as sheet:
            sheet.write((_SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr"><is><t>').encode())
            left = size
            while left > 0:
                sheet.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            sheet.write(("</t></is></c></row>" + _SHEET_TAIL).encode())
    return path


def make_many_members(dir: Path, n: int = 20000, name: str = "many_members.xlsx") -> Path:
    """A minimal valid workbook plus ``n`` tiny extra members (``xl/extra/NNNNN.xml``)."""
    path = dir / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, xml in _MINIMAL_PARTS.items():
            zf.writestr(member, xml)
        zf.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + _SHEET_TAIL)
        for i in range(n):
            zf.writestr(f"xl/extra/{i:05d}.xml", "<x/>")
    return path


def make_lying_sizes(
    dir: Path, source: Path, member: str = "xl/sharedStrings.xml", declared: int = 100, name: str = "lying_sizes.xlsx"
) -> Path:
    """A copy of ``source`` whose ``member`` declares an uncompressed size of ``declared`` bytes
    (in both its local header and the central directory) but inflates to its real, larger size.
    The CRC is left alone, so it matches the real content, not the declared size.
    """
    data = bytearray(source.read_bytes())
    local, central = _member_offsets(bytes(data), member)
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    path = dir / name
    path.write_bytes(bytes(data))
    return path


# --- 6: XML attacks ----------------------------------------------------------------


def _insert_doctype(xml: bytes, root: bytes, subset: bytes) -> bytes:
    """Put ``<!DOCTYPE root [subset]>`` right after the XML declaration."""
    end = xml.index(b"?>") + 2
    return xml[:end] + b"\n<!DOCTYPE " + root + b" [" + subset + b"]>" + xml[end:]


def make_billion_laughs(dir: Path, source: Path, depth: int = 9, name: str = "billion_laughs.xlsx") -> Path:
    """A copy of ``source`` whose ``xl/sharedStrings.xml`` defines nested entities (10**depth ``lol``s)
    and uses the outermost one as the text of the first shared string. Other strings are kept.
    """
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, depth + 1)
    )

    def transform(xml: bytes) -> bytes:
        xml = re.sub(rb"<si>.*?</si>", b"<si><t>&lol%d;</t></si>" % depth, xml, count=1, flags=re.S)
        return _insert_doctype(xml, b"sst", entities)

    return rewrite_member(source, dir / name, "xl/sharedStrings.xml", transform)


def make_external_entity(
    dir: Path, source: Path, target: str = "file:///etc/passwd", name: str = "external_entity.xlsx"
) -> Path:
    """A copy of ``source`` whose ``xl/workbook.xml`` declares an external entity (XXE) for ``target``
    and uses it as the content of a new defined name, ``xxe_probe``.
    """

    def transform(xml: bytes) -> bytes:
        xml = xml.replace(b"<definedNames>", b'<definedNames><definedName name="xxe_probe">&xxe;</definedName>', 1)
        return _insert_doctype(xml, b"workbook", b'<!ENTITY xxe SYSTEM "%s">' % target.encode())

    return rewrite_member(source, dir / name, "xl/workbook.xml", transform)


# --- 7: grid extremes --------------------------------------------------------------


def make_huge_grid(dir: Path, source: Path, member: str = FIRST_AREA_SHEET, name: str = "huge_grid.xlsx") -> Path:
    """A copy of ``source`` with one more cell, ``XFD1048576`` (the last cell of the grid), on ``member``.
    The sheet's ``<dimension>`` is left as it was.
    """
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def transform(xml: bytes) -> bytes:
        if b"<sheetData/>" in xml:
            return xml.replace(b"<sheetData/>", b"<sheetData>" + cell + b"</sheetData>", 1)
        return xml.replace(b"</sheetData>", cell + b"</sheetData>", 1)

    return rewrite_member(source, dir / name, member, transform)


def make_lying_dimension(
    dir: Path, source: Path, member: str = FIRST_AREA_SHEET, name: str = "lying_dimension.xlsx"
) -> Path:
    """A copy of ``source`` whose ``member`` claims ``<dimension ref="A1:XFD1048576"/>``."""

    def transform(xml: bytes) -> bytes:
        xml, count = re.subn(rb"<dimension\b[^>]*/>", b'<dimension ref="A1:XFD1048576"/>', xml, count=1)
        if not count:
            raise ValueError(f"{member} has no <dimension>")
        return xml

    return rewrite_member(source, dir / name, member, transform)


def make_no_dimension(dir: Path, source: Path, name: str = "no_dimension.xlsx") -> Path:
    """A copy of ``source`` with every worksheet's ``<dimension>`` element removed."""
    with zipfile.ZipFile(source) as zf:
        sheets = [n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]

    def strip(xml: bytes) -> bytes:
        return re.sub(rb"<dimension\b[^>]*/>", b"", xml)

    return rewrite_members(source, dir / name, dict.fromkeys(sheets, strip))


# --- 8: litter that sits next to real returns ---------------------------------------


def make_lock_file(dir: Path, user: str = "Jane Smith", name: str = "~$return.xlsx") -> Path:
    """An Office owner ("lock") file: 165 bytes; a length byte, the user name in ANSI padded to 54 bytes,
    then the name again in UTF-16, padded.
    """
    ansi = user.encode("latin-1")[:54]
    wide = user.encode("utf-16-le")
    data = bytes([len(ansi)]) + ansi.ljust(54, b" ") + struct.pack("<H", len(user)) + wide
    path = dir / name
    path.write_bytes(data.ljust(165, b"\x00")[:165])
    return path


def make_ds_store(dir: Path, name: str = ".DS_Store") -> Path:
    """A macOS Finder ``.DS_Store`` (its ``Bud1`` header, then padding)."""
    path = dir / name
    header = b"\x00\x00\x00\x01Bud1" + struct.pack(">III", 0x1000, 0x800, 0x1000)
    path.write_bytes(header.ljust(6148, b"\x00"))
    return path


def make_apple_double(dir: Path, name: str = "._return.xlsx") -> Path:
    """A macOS AppleDouble resource file (``._name``) as left on shared drives and in zips."""
    header = APPLE_DOUBLE_MAGIC + b"\x00\x02\x00\x00" + b"Mac OS X".ljust(16, b" ")
    entries = struct.pack(">H", 2) + struct.pack(">III", 9, 50, 32) + struct.pack(">III", 2, 82, 4014)
    path = dir / name
    path.write_bytes((header + entries).ljust(4096, b"\x00"))
    return path


def make_thumbs_db(dir: Path, name: str = "Thumbs.db") -> Path:
    """A Windows ``Thumbs.db``: an OLE compound file header, then empty sectors."""
    header = OLE_MAGIC + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    path = dir / name
    path.write_bytes(header.ljust(512, b"\x00") + bytes(3 * 512))
    return path
