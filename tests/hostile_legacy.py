"""Builders of OpenDocument (``.ods``) and legacy Excel (``.xls``) files, hostile or odd, made in code.

Each ``make_xxx(dir, ...)`` writes one file into ``dir`` and returns its path. The ``.xls``
builder writes BIFF8 records by hand into an OLE compound file (xlwt is not installed), so
tests can make sheets of any size and damage them at will.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from .cfb import compound_file

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"

# --- .ods ----------------------------------------------------------------------------------------------------


def ods_table(name: str, rows: str) -> str:
    """One ``<table:table>`` holding ``rows`` (``<table:table-row>`` elements)."""
    return f'<table:table table:name="{name}">{rows}</table:table>'


def ods_cell(text: str, repeat: int = 1, attrs: str = 'office:value-type="string"') -> str:
    """A text cell, repeated across ``repeat`` columns."""
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" {attrs}><text:p>{text}</text:p></table:table-cell>'
    )


def ods_row(cells: str, repeat: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>'


def make_ods(
    dir: Path,
    tables: str,
    name: str = "book.ods",
    extra: str = "",
    encrypted: bool = False,
    properties: dict[str, str] | None = None,
) -> Path:
    """An ``.ods`` whose spreadsheet holds ``tables`` then ``extra`` (named expressions, say), with a meta.xml
    of custom ``properties`` if given.

    ``encrypted`` writes the manifest LibreOffice writes for a password-protected file (an
    ``encryption-data`` element on content.xml) and replaces content.xml with random-looking bytes.
    """
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{OFFICE}" '
        f'xmlns:table="{TABLE}" xmlns:text="{TEXT}" xmlns:calcext="{CALCEXT}" office:version="1.3">'
        f"<office:body><office:spreadsheet>{tables}{extra}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#'
        'sha256-1k" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name='
        '"http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" '
        'manifest:iteration-count="100000" manifest:salt="AAAA"/></manifest:encryption-data>'
        if encrypted
        else ""
    )
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="{MANIFEST}" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{encryption}'
        "</manifest:file-entry></manifest:manifest>"
    )
    path = dir / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", bytes(range(256)) * 8 if encrypted else content.encode())
        if properties is not None:
            zf.writestr("meta.xml", _ods_meta(properties))
    return path


def _ods_meta(properties: dict[str, str]) -> str:
    fields = "".join(
        f'<meta:user-defined meta:name="{escape(name)}">{escape(value)}</meta:user-defined>'
        for name, value in properties.items()
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="{OFFICE}" xmlns:meta="{META}" '
        f'office:version="1.3"><office:meta>{fields}</office:meta></office:document-meta>'
    )


def make_ods_repeat_bomb(dir: Path, sheets: int = 40, columns: int = 1_000, rows: int = 199) -> Path:
    """``sheets`` sheets, each one text cell repeated across ``columns`` columns and ``rows`` rows:
    a few hundred bytes that mean ``sheets * columns * rows`` cells, each sheet under the per-sheet cap."""
    row = ods_row(ods_cell("x", columns), rows)
    return make_ods(dir, "".join(ods_table(f"S{i}", row) for i in range(sheets)), "repeat_bomb.ods")


def make_ods_space_bomb(dir: Path, cells: int = 30, spaces: int = 100_000_000) -> Path:
    """``cells`` text cells each holding ``<text:s text:c="spaces"/>``: a kilobyte meaning gigabytes of spaces."""
    cell = (
        '<table:table-cell office:value-type="string">'
        f'<text:p>a<text:s text:c="{spaces}"/>b</text:p></table:table-cell>'
    )
    return make_ods(dir, ods_table("Sheet1", ods_row(cell * cells)), "space_bomb.ods")


# --- .xls (BIFF8 in an OLE compound file) ----------------------------------------------------------------------


def ole_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding one stream in regular sectors.

    Layout: the stream's sectors, one directory sector, the allocation table (SAT), then the
    extra master-table (MSAT) sectors a big stream needs beyond the header's 109 entries.
    """
    return compound_file({name: stream.ljust(max(len(stream), 4096), b"\x00")})  # at least the mini-stream cutoff


def biff_record(rc: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", rc, len(payload)) + payload


def _bof(kind: int) -> bytes:
    return biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _short_text(text: str) -> bytes:
    """A BIFF8 unicode string with an 8-bit length (sheet names)."""
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


def _long_text(text: str) -> bytes:
    """A BIFF8 unicode string with a 16-bit length (shared strings)."""
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


DATE_XF = 1  # the cell format that shows a number as a date and time


def number_record(row: int, col: int, value: float, xf: int = 0) -> bytes:
    """A NUMBER cell; ``xf`` 1 (:data:`DATE_XF`) shows it as a date and time."""
    return biff_record(0x0203, struct.pack("<HHHd", row, col, xf, value))


def label_record(row: int, col: int, index: int) -> bytes:
    """A LABELSST cell showing shared string ``index``."""
    return biff_record(0x00FD, struct.pack("<HHHI", row, col, 0, index))


def _sst(strings: Sequence[str]) -> bytes:
    """The shared-string table: an SST record, then CONTINUE records, each ending at a string's end."""
    records, current = [], struct.pack("<II", len(strings), len(strings))
    for text in strings:
        encoded = _long_text(text)
        if len(current) + len(encoded) > 8224:
            records.append(current)
            current = b""
        current += encoded
    records.append(current)
    return biff_record(0x00FC, records[0]) + b"".join(biff_record(0x003C, r) for r in records[1:])


def _xf(number_format: int) -> bytes:
    return biff_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, number_format, 1, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def biff_workbook(
    sheets: list[tuple[str, Iterable[bytes]]], strings: Sequence[str] = (), date1904: bool = False
) -> bytes:
    """A BIFF8 Workbook stream: globals (two cell formats: general, and :data:`DATE_XF`; the date system;
    shared strings; one sheet record per sheet), then each sheet's cells."""
    bodies = [b"".join(cells) for _name, cells in sheets]
    sst = _sst(strings)
    xf = _xf(0) + _xf(22)  # 22: the built-in "m/d/yy h:mm"
    datemode = biff_record(0x0022, struct.pack("<H", int(date1904)))
    head = _bof(0x0005) + biff_record(0x0042, struct.pack("<H", 1200)) + datemode + xf  # CODEPAGE: UTF-16
    names = [_short_text(name) for name, _cells in sheets]
    offset = len(head) + sum(4 + 6 + len(n) for n in names) + len(sst) + 4  # + EOF
    boundsheets = streams = b""
    for name, body in zip(names, bodies, strict=True):
        boundsheets += biff_record(0x0085, struct.pack("<IBB", offset, 0, 0) + name)
        sheet = _bof(0x0010) + body + biff_record(0x000A)
        streams += sheet
        offset += len(sheet)
    return head + boundsheets + sst + biff_record(0x000A) + streams


def make_xls(
    dir: Path,
    sheets: list[tuple[str, Iterable[bytes]]],
    strings: Sequence[str] = (),
    name: str = "book.xls",
    date1904: bool = False,
) -> Path:
    """A BIFF8 ``.xls`` of ``sheets`` (name, cell records) and shared ``strings``, in the 1900 or 1904 date system."""
    path = dir / name
    path.write_bytes(ole_file(biff_workbook(sheets, strings, date1904)))
    return path


def make_xls_many_numbers(dir: Path, sheets: int = 1, cells: int = 2_000_000, name: str = "big.xls") -> Path:
    """``sheets`` sheets of ``cells`` NUMBER records each, in rows of 200."""
    body = [b"".join(number_record(i // 200, i % 200, float(i)) for i in range(cells))]
    return make_xls(dir, [(f"Sheet{s + 1}", body) for s in range(sheets)], name=name)


def make_xls_big_text_table(dir: Path, strings: int = 280_000, length: int = 80, name: str = "big_text.xls") -> Path:
    """A one-cell workbook whose shared-string table holds ``strings`` distinct strings of ``length`` characters."""
    table = [f"{i:08d}".ljust(length, "x") for i in range(strings)]
    return make_xls(dir, [("Sheet1", [label_record(0, 0, 0)])], table, name=name)
