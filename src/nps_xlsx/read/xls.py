"""Read legacy Excel 97-2003 workbooks (``.xls``) into a :class:`RawWorkbook` with xlrd.

xlrd parses a whole sheet, in Python, before we see a cell, so the file's record stream is
checked first, cheaply, by walking its record headers:

* the workbook's global part (styles, names, the shared-string table) must have at most
  :data:`MAX_GLOBAL_RECORDS` records and a shared-string table of at most one string per
  cell the workbook may hold;
* each sheet is parsed only when the validator first looks at it (sheets it never reads cost
  nothing), and only after its own part of the stream has been walked: a sheet with more
  cells than the caps allow, or with more records than :data:`MAX_RECORDS_PER_CELL` per
  allowed cell, is refused before xlrd parses it.

Any failure of xlrd on a damaged file becomes a ``corrupt-file`` issue in plain words.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .raw import EPOCH_1900, EPOCH_1904, RawCell, RawSheet, RawWorkbook, ReadFailure, from_serial
from .safety import Budget, Limits

if TYPE_CHECKING:
    from xlrd.book import Book  # xlrd is imported when an .xls is read

MAX_GLOBAL_RECORDS = 100_000  # Excel allows about 64,000 cell styles; a return has a few hundred records
MAX_RECORDS_PER_CELL = 2  # a sheet may have this many records per cell of the per-sheet cap

_BOF, _EOF, _BOUNDSHEET, _SST, _MULRK, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x00FC, 0x00BD, 0x002F
# Records that hold one cell with a value (BIFF2-8): NUMBER, RK, LABELSST, LABEL, RSTRING, BOOLERR, FORMULA.
_CELL_RECORDS = frozenset(
    {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006, 0x0206, 0x0406, 0x0002, 0x0003, 0x0004, 0x0005}
)
_HEADER = struct.Struct("<HH")
# A defined name's formula that is one reference: one tRef3d or tArea3d token (in any of its three operand
# classes) and nothing else, so the formula's size is that token's (BIFF5's tokens are longer).
_REFERENCE_SIZES_BIFF8 = {0x3A: 7, 0x5A: 7, 0x7A: 7, 0x3B: 11, 0x5B: 11, 0x7B: 11}
_REFERENCE_SIZES_BIFF5 = {0x3A: 17, 0x5A: 17, 0x7A: 17, 0x3B: 21, 0x5B: 21, 0x7B: 21}
_DAMAGED = "; it may still open in Excel or LibreOffice, which can save it as .xlsx"


@dataclass
class _Layout:
    """Where each worksheet's records are in the Workbook stream (positions relative to its start)."""

    stream: bytes | memoryview
    sheets: list[tuple[int, int]] = field(default_factory=list)  # worksheet i: (start, end)
    walked: list[int] = field(default_factory=lambda: [0])  # records walked so far in sheets


def read_xls(data: bytes, limits: Limits, budget: Budget | None = None) -> RawWorkbook:
    """Read a BIFF workbook from its bytes (xlrd reads cached formula values only); sheets are read lazily."""
    import xlrd  # imported here: only .xls returns need it

    budget = budget or Budget(limits)
    layout = _check_stream(data, limits, budget)
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=_Silent())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ReadFailure("encrypted", "the workbook is password-protected (encrypted)") from exc
        raise _damaged("the workbook's global part") from exc
    except Exception as exc:  # xlrd raises many kinds of error on damaged files
        raise _damaged("the workbook's global part") from exc
    try:
        names = _names(book)
        sheet_names = book.sheet_names()
        visibility = getattr(book, "_sheet_visibility", [0] * len(sheet_names))
    except Exception as exc:
        raise _damaged("the workbook's global part") from exc
    if layout is not None and len(layout.sheets) != len(sheet_names):  # xlrd saw other sheets than we did
        _count_cells(layout.stream, 0, len(layout.stream), "the workbook", limits, budget, [0])
        layout = None
    sheets = []
    for index, name in enumerate(sheet_names):
        state = "hidden" if index < len(visibility) and visibility[index] else "visible"
        span = layout.sheets[index] if layout else None
        sheets.append(RawSheet(name, state, loader=_loader(book, index, name, span, layout, limits, budget)))
    return RawWorkbook(format="xls", sheets=sheets, names=names)


def _damaged(where: str) -> ReadFailure:
    return ReadFailure("corrupt-file", f"the .xls file is damaged: {where} cannot be read{_DAMAGED}")


def _check_stream(data: bytes, limits: Limits, budget: Budget) -> _Layout | None:
    """Walk the global part of the Workbook stream; refuse it if too big; say where each worksheet is.

    ``None`` for an old single-sheet file (BIFF2-4), which xlrd reads whole: then the whole
    stream is checked as one sheet here.
    """
    from xlrd.compdoc import CompDoc

    try:
        document = CompDoc(data, logfile=_Silent())
        for name in ("Workbook", "Book"):
            mem, base, size = document.locate_named_stream(name)
            if mem is not None:
                break
    except Exception as exc:
        raise _damaged("the file's internal directory") from exc
    if mem is None:
        raise ReadFailure("not-a-spreadsheet", "the file is an Office document but holds no Excel workbook")
    stream = memoryview(mem)[base : base + size]
    if len(stream) < 8:
        raise _damaged("the workbook's global part")
    rc, _length = _HEADER.unpack_from(stream, 0)
    version = _HEADER.unpack_from(stream, 4)[0]
    if rc != _BOF or version not in (0x0500, 0x0600):
        _count_cells(stream, 0, len(stream), "the workbook", limits, budget, [0])
        return None
    layout = _Layout(stream)
    starts: list[tuple[int, bool]] = []  # every sub-stream's start; True for a worksheet
    position = records = 0
    while position + 4 <= len(stream):
        rc, length = _HEADER.unpack_from(stream, position)
        body = position + 4
        records += 1
        if records > MAX_GLOBAL_RECORDS:
            raise ReadFailure(
                "too-many-cells",
                f"the workbook's global part (styles, names and text) has more than {MAX_GLOBAL_RECORDS:,} records",
            )
        if rc == _BOUNDSHEET and length >= 6:
            offset, _visible, kind = struct.unpack_from("<iBB", stream, body)
            starts.append((offset, kind == 0))
        elif rc == _SST and length >= 8:
            unique = struct.unpack_from("<i", stream, body + 4)[0]
            if unique > limits.max_cells_per_workbook:
                raise ReadFailure(
                    "too-many-cells",
                    f"the workbook's text table has {unique:,} entries, more than the "
                    f"{limits.max_cells_per_workbook:,} cells a workbook may have",
                )
        elif rc == _FILEPASS:
            raise ReadFailure("encrypted", "the workbook is password-protected (encrypted)")
        elif rc == _EOF:
            break
        position = body + length
    ends = sorted({offset for offset, _sheet in starts if 0 <= offset <= len(stream)} | {len(stream)})
    for offset, is_sheet in starts:
        if is_sheet:
            end = next((e for e in ends if e > offset), offset)
            layout.sheets.append((offset, end) if 0 <= offset < len(stream) else (0, 0))
    return layout


def _count_cells(
    stream: bytes | memoryview, start: int, end: int, where: str, limits: Limits, budget: Budget, walked: list[int]
) -> int:
    """Cells with a value in ``stream[start:end]``, by walking record headers; refuses, before xlrd parses
    anything, a part with more cells than a sheet may have, or more records than the sheet's or the workbook's
    cap allows (``walked`` holds the records walked so far in this workbook)."""
    most_records = MAX_RECORDS_PER_CELL * limits.max_cells_per_sheet
    most_in_book = MAX_RECORDS_PER_CELL * limits.max_cells_per_workbook - walked[0]
    most_cells = min(limits.max_cells_per_sheet, limits.max_cells_per_workbook - budget.cells)
    position, records, cells = start, 0, 0
    while position + 4 <= end:
        rc, length = _HEADER.unpack_from(stream, position)
        records += 1
        if rc in _CELL_RECORDS:
            cells += 1
        elif rc == _MULRK and length >= 6:
            cells += (length - 6) // 6
        if records > most_records or records > most_in_book:
            raise ReadFailure(
                "too-many-cells",
                f"{where} has more than {min(most_records, most_in_book):,} records, far more than its cells need",
            )
        if cells > most_cells:
            if cells > limits.max_cells_per_sheet:
                raise ReadFailure(
                    "too-many-cells", f"{where} has more than {limits.max_cells_per_sheet:,} cells (a sheet's limit)"
                )
            budget.charge_cells(cells)  # over the workbook's cap: raises, with the budget's message
        position += 4 + length
    walked[0] += records
    return cells


def _loader(
    book: object,
    index: int,
    name: str,
    span: tuple[int, int] | None,
    layout: _Layout | None,
    limits: Limits,
    budget: Budget,
) -> Callable[[], dict[tuple[int, int], RawCell]]:
    def load() -> dict[tuple[int, int], RawCell]:
        if layout is not None and span is not None:
            _count_cells(layout.stream, span[0], span[1], f"the sheet {name!r}", limits, budget, layout.walked)
        try:
            return _cells(book, index, limits, budget)
        except ReadFailure:
            raise
        except Exception as exc:
            raise _damaged(f"the sheet {name!r}") from exc

    return load


def _names(book: Book) -> dict[str, tuple[str, int, int]]:
    """Workbook-level defined names whose formula is one reference to one cell of this workbook, as in .xlsx:
    a name that refers to another name, a union or a constant (which xlrd evaluates) is skipped."""
    names = {}
    sizes = _REFERENCE_SIZES_BIFF8 if book.biff_version >= 80 else _REFERENCE_SIZES_BIFF5
    for name in book.name_obj_list:
        if name.scope != -1 or name.builtin:
            continue
        formula = bytes(name.raw_formula or b"")
        if not formula or name.basic_formula_len != sizes.get(formula[0]):
            continue
        try:
            sheet, row_lo, row_hi, col_lo, col_hi = name.area2d(clipped=False)
        except Exception:  # xlrd raises many kinds of error on names that are not one area of this workbook
            continue
        if row_hi - row_lo == 1 and col_hi - col_lo == 1:
            names[name.name.lower()] = (sheet.name, row_lo, col_lo)
    return names


def _cells(book: Book, index: int, limits: Limits, budget: Budget) -> dict[tuple[int, int], RawCell]:
    import xlrd

    sheet = book.sheet_by_index(index)
    epoch = EPOCH_1904 if book.datemode else EPOCH_1900
    cells: dict[tuple[int, int], RawCell] = {}
    text, number, date, boolean, error = (
        xlrd.XL_CELL_TEXT,
        xlrd.XL_CELL_NUMBER,
        xlrd.XL_CELL_DATE,
        xlrd.XL_CELL_BOOLEAN,
        xlrd.XL_CELL_ERROR,
    )
    for row in range(sheet.nrows):
        for col, (cell_type, value) in enumerate(zip(sheet.row_types(row), sheet.row_values(row), strict=True)):
            if cell_type == text:
                cells[(row, col)] = RawCell(value, "text")
            elif cell_type == number:
                cells[(row, col)] = RawCell(float(value), "number")
            elif cell_type == date:
                try:  # the .xlsx reader's rule (xlrd's puts a time of day on 1899-12-31, a day after the others)
                    cells[(row, col)] = RawCell(from_serial(value, epoch), "date")
                except (ValueError, OverflowError):
                    cells[(row, col)] = RawCell(float(value), "number")
            elif cell_type == boolean:
                cells[(row, col)] = RawCell(bool(value), "bool")
            elif cell_type == error:
                cells[(row, col)] = RawCell(xlrd.error_text_from_code.get(value, "#ERROR"), "error")
        if len(cells) > limits.max_cells_per_sheet:  # the walk counted them already; this is a backstop
            raise ReadFailure("too-many-cells", f"a sheet has more than {limits.max_cells_per_sheet:,} cells")
    budget.charge_cells(len(cells))
    book.unload_sheet(index)
    return cells


class _Silent:
    """Swallows xlrd's warnings (it writes them to a log file object)."""

    def write(self, _text: str) -> None:
        pass
