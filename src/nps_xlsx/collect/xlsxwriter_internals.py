"""Every use of XlsxWriter beyond its documented API, in one place.

The summary's large tables are written fast by :class:`~nps_xlsx.collect.rows.RowWriter` (worksheet XML, about
3 µs a cell against xlsxwriter's 20) and spliced into the workbook xlsxwriter wrote around them. That needs
what xlsxwriter does not document: a format's style index, adding a table in constant-memory mode, the
name of a worksheet's part, and the form of its output (edited here with regular expressions).

Each is relied on only through this module. ``pyproject.toml`` pins XlsxWriter to the minor version these were
checked against; tests/test_splice.py checks that a spliced sheet equals the same sheet written entirely
by xlsxwriter, cell for cell and style for style. On upgrading XlsxWriter, run it first.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

# The parts of xlsxwriter's output that splice() edits, as xlsxwriter writes them.
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?"/>')
_SHEET_DATA_END = b"</sheetData>"
_SHARED_STRINGS = "xl/sharedStrings.xml"
# The deflate level of a sheet with rows spliced in (most of a large summary's bytes): level 3 takes under half
# the time of zipfile's default (6), for a file about a quarter larger.
ROWS_LEVEL = 3
_EMPTY_SST = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
)
_TABLE_NAME = re.compile(rb'<table\b[^>]*? name="([^"]*)"')
_TABLE_REF = re.compile(rb'(<table\b[^>]*? ref=")[A-Z]+[0-9]+:[A-Z]+[0-9]+"')
_FILTER_REF = re.compile(rb'<autoFilter ref="[A-Z]+[0-9]+:[A-Z]+[0-9]+"')


def style_index(fmt: Format) -> int:
    """The format's index in the workbook's style table (the ``s`` of a cell), for cells written as XML.

    Private: xlsxwriter assigns the index when a write method first uses the format, through this method.
    """
    index: int = fmt._get_xf_index()
    return index


def add_table_streaming(
    sheet: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int, options: dict[str, Any]
) -> None:
    """``sheet.add_table`` on a sheet in constant-memory mode; the caller writes the header row afterwards.

    Private: xlsxwriter refuses ``add_table()`` in constant-memory mode (it writes the header cells, which
    that mode cannot take back), so the sheet's ``constant_memory`` flag is off while the table is declared.
    """
    streaming, sheet.constant_memory = sheet.constant_memory, False
    try:
        sheet.add_table(first_row, first_col, last_row, last_col, options)
    finally:
        sheet.constant_memory = streaming


def streaming(sheet: Worksheet) -> bool:
    """Whether ``sheet`` is in constant-memory mode (cells written as they come, text inline).

    Private: the flag xlsxwriter sets from the workbook's ``constant_memory`` option (off with ``in_memory``).
    """
    return bool(sheet.constant_memory)


def worksheet_part(book: Workbook, sheet: Worksheet) -> str:
    """The zip member xlsxwriter writes ``sheet`` to.

    Private: xlsxwriter numbers worksheets ``sheet1.xml``… in the order added, chart sheets apart.
    """
    worksheets = [s for s in book.worksheets() if not s.is_chartsheet]
    return f"xl/worksheets/sheet{worksheets.index(sheet) + 1}.xml"


@dataclass
class Splice:
    """Rows waiting in ``path`` (or, without a path, in ``text``) to be inserted into worksheet ``member``, whose
    cells then span ``ref``.

    If the sheet holds the table called ``table``, its range (declared with one data row) becomes ``ref``.
    """

    member: str
    path: Path | None
    ref: str
    table: str | None = None
    text: str = ""


def splice(source: IO[bytes], target: Path | IO[bytes], splices: list[Splice], strings_inline: bool = False) -> None:
    """Copy the workbook xlsxwriter wrote in ``source`` to ``target``, inserting each splice's rows at the end
    of its sheet's ``<sheetData>`` and setting the sheet's ``<dimension>``. Members keep their order and
    zip metadata, so the output is as reproducible as xlsxwriter's.

    With ``strings_inline`` (every cell of the workbook holds its text inline), the shared-strings table is
    emptied: xlsxwriter lists in it the table headers it was given, which no cell refers to, and Excel
    expects its counts to be true.
    """
    by_member = {s.member: s for s in splices}
    tables = {s.table.encode(): s.ref.encode() for s in splices if s.table}
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info)
            piece = by_member.pop(info.filename, None)
            if piece is None:
                if strings_inline and info.filename == _SHARED_STRINGS:
                    data = _EMPTY_SST
                elif (table := _table_name(info.filename, data)) in tables:
                    data = _set_table_range(data, tables.pop(table))
                out.writestr(info, data)
                continue
            end = data.rfind(_SHEET_DATA_END)
            if end < 0:
                raise ValueError(f"{info.filename} has no <sheetData> to add rows to")
            head, tail = data[:end], data[end:]
            head = _DIMENSION.sub(f'<dimension ref="{piece.ref}"/>'.encode(), head, count=1)
            _set_level(info, ROWS_LEVEL)
            with out.open(info, "w") as member:
                member.write(head)
                if piece.path is None:
                    member.write(piece.text.encode())
                else:
                    with piece.path.open("rb") as rows:
                        shutil.copyfileobj(rows, member, 1 << 20)
                member.write(tail)
    if by_member or tables:
        missing = [*sorted(by_member), *(f"table {name.decode()}" for name in tables)]
        raise ValueError(f"no such worksheet or table in the workbook: {', '.join(missing)}")


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    """Deflate the member ``info`` at ``level``. Private: zipfile has no public way to set the level of a member
    written as a stream; its attribute is ``compress_level`` from Python 3.13, ``_compresslevel`` before (if neither
    is there, the member keeps zipfile's default level)."""
    for name in ("compress_level", "_compresslevel"):
        if hasattr(info, name):
            setattr(info, name, level)
            return


def _table_name(member: str, data: bytes) -> bytes | None:
    """The name of the table in ``member``, if it is a table part."""
    found = _TABLE_NAME.search(data) if member.startswith("xl/tables/") else None
    return found[1] if found else None


def _set_table_range(data: bytes, ref: bytes) -> bytes:
    """A table part with its range (and its filter's) set to ``ref``."""
    data = _TABLE_REF.sub(lambda m: m[1] + ref + b'"', data, count=1)
    return _FILTER_REF.sub(b'<autoFilter ref="' + ref + b'"', data, count=1)
