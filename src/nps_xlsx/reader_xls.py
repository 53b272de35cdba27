"""Read legacy Excel 97-2003 workbooks (``.xls``) into a :class:`RawWorkbook` with xlrd."""

from __future__ import annotations

from .raw import RawCell, RawSheet, RawWorkbook, ReadFailure
from .safety import Limits


def read_xls(data: bytes, limits: Limits) -> RawWorkbook:
    """Read a BIFF workbook from its bytes (xlrd reads cached formula values only)."""
    import xlrd  # imported here: only .xls returns need it

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=_Silent())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ReadFailure("encrypted", "the workbook is password-protected (encrypted)") from exc
        raise ReadFailure("corrupt-file", f"the .xls file cannot be read ({exc})") from exc
    except Exception as exc:  # xlrd raises many kinds of error on damaged files
        raise ReadFailure("corrupt-file", f"the .xls file is damaged ({type(exc).__name__}: {exc})") from exc
    try:
        sheets = [_sheet(book, index, limits) for index in range(book.nsheets)]
        names = {}
        for name in book.name_obj_list:
            if name.scope == -1 and not name.builtin:
                try:
                    sheet, row, col = _name_cell(book, name)
                except (xlrd.XLRDError, TypeError, IndexError, AttributeError, ValueError):
                    continue
                names[name.name.lower()] = (sheet, row, col)
    finally:
        book.release_resources()
    return RawWorkbook(format="xls", sheets=sheets, names=names)


def _name_cell(book: object, name: object) -> tuple[str, int, int]:
    """The single cell a defined name refers to, from xlrd's parsed formula."""
    sheet, row_lo, _row_hi, col_lo, _col_hi = name.area2d(clipped=False)
    return sheet.name, row_lo, col_lo


def _sheet(book, index: int, limits: Limits) -> RawSheet:
    import xlrd

    sheet = book.sheet_by_index(index)
    raw = RawSheet(name=sheet.name, state="hidden" if sheet.visibility else "visible")
    count = 0
    for row in range(sheet.nrows):
        types = sheet.row_types(row)
        values = sheet.row_values(row)
        for col, (cell_type, value) in enumerate(zip(types, values, strict=True)):
            if cell_type in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            count += 1
            if count > limits.max_cells_per_sheet:
                raise ReadFailure("too-many-cells", f"a sheet has more than {limits.max_cells_per_sheet:,} cells")
            if cell_type == xlrd.XL_CELL_TEXT:
                raw.cells[(row, col)] = RawCell(value, "text")
            elif cell_type == xlrd.XL_CELL_NUMBER:
                raw.cells[(row, col)] = RawCell(float(value), "number")
            elif cell_type == xlrd.XL_CELL_DATE:
                try:
                    raw.cells[(row, col)] = RawCell(xlrd.xldate.xldate_as_datetime(value, book.datemode), "date")
                except (ValueError, OverflowError):
                    raw.cells[(row, col)] = RawCell(float(value), "number")
            elif cell_type == xlrd.XL_CELL_BOOLEAN:
                raw.cells[(row, col)] = RawCell(bool(value), "bool")
            elif cell_type == xlrd.XL_CELL_ERROR:
                raw.cells[(row, col)] = RawCell(xlrd.error_text_from_code.get(value, "#ERROR"), "error")
    return raw


class _Silent:
    """Swallows xlrd's warnings (it writes them to a log file object)."""

    def write(self, _text: str) -> None:
        pass
