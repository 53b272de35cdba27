"""A table sheet written by RowWriter and spliced in equals the same sheet written entirely by xlsxwriter.

This is the check on xlsxwriter_internals.py (style indices, add_table in constant-memory mode, worksheet
part names, the edits of xlsxwriter's output): run it first when upgrading XlsxWriter.
"""

from __future__ import annotations

import io
import math
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from nps_xlsx.collect.rows import CELL_PADDING, fit_cell, is_blank
from nps_xlsx.collect.sheets import TABLE_STYLE, Rows, SummaryFormats, table_sheet
from nps_xlsx.collect.xlsxwriter_internals import splice
from nps_xlsx.read.safety import Limits, Package
from nps_xlsx.read.xlsx import read_xlsx
from nps_xlsx.style import row_height
from nps_xlsx.text import EXCEL_CELL_LIMIT

COLUMNS = ["Council", "Score", "Comment", "Flag"]
WRAP = {"Comment": 30.0}
LONG = "word " * 40  # wraps in a column 30 wide
ROWS: list[tuple[object, ...]] = [
    ("Plain", 3, "short", True),
    ("A & B <c>", 2.5, LONG, False),
    ("  leading space", np.int64(4), "line\nbreak", None),
    ("trailing space ", np.float64(1.25), "=1+1", math.nan),
    ("\x01 control _x0041_", None, "https://example.com", "\ufffe"),
    ("astral 😀", 1e20, "x" * (EXCEL_CELL_LIMIT + 10), 12345678901234567),
    (None, -7, None, None),
]
WRAPPED_ROWS = {1, 2, 5}  # indices of the ROWS whose comment takes more than one line


def _options(spliced: bool, scratch: str) -> dict[str, object]:
    never = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    return {**never, "constant_memory": spliced, "tmpdir": scratch}


def _column_formats(fmt: SummaryFormats) -> dict[str, object]:
    return {"Score": fmt.two_places}


def _write_spliced(path: Path) -> None:
    """As the summary writes a table: through table_sheet (RowWriter, then splice)."""
    with tempfile.TemporaryDirectory() as scratch:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, _options(True, scratch))
        fmt = SummaryFormats(book)
        book.add_worksheet("Before")  # the table's sheet is the second part
        splices: list = []
        rows = Rows(Path(scratch), splices)
        table_sheet(book, fmt, rows, "Data", (COLUMNS, iter(ROWS)), "Data", wrap=WRAP, formats=_column_formats(fmt))
        book.close()
        buffer.seek(0)
        splice(buffer, path, splices, strings_inline=True)


def _write_by_xlsxwriter(path: Path) -> None:
    """The same table, every cell written by xlsxwriter's own write methods, rows sized where text wraps."""
    with tempfile.TemporaryDirectory() as scratch:
        book = xlsxwriter.Workbook(str(path), _options(False, scratch))
        fmt = SummaryFormats(book)
        book.add_worksheet("Before")
        sheet = book.add_worksheet("Data")
        columns = [{"header": c} for c in COLUMNS]
        sheet.add_table(0, 0, len(ROWS), len(COLUMNS) - 1, {"name": "Data", "style": TABLE_STYLE, "columns": columns})
        for col, column in enumerate(COLUMNS):
            sheet.write_string(0, col, column, fmt.header)
        styles = [_column_formats(fmt).get(c) or (fmt.wrap if c in WRAP else fmt.top) for c in COLUMNS]
        for row, values in enumerate(ROWS, start=1):
            for col, value in enumerate(values):
                if isinstance(value, str):
                    sheet.write_string(row, col, fit_cell(value), styles[col])
                elif isinstance(value, bool):
                    sheet.write_boolean(row, col, value, styles[col])
                elif not is_blank(value):
                    sheet.write_number(row, col, value, styles[col])
            if row - 1 in WRAPPED_ROWS:
                comment = fit_cell(str(values[COLUMNS.index("Comment")]))
                sheet.set_row(row, row_height([(comment, WRAP["Comment"] - CELL_PADDING)], 11))
        book.close()


def _cells(path: Path) -> dict[str, tuple[object, ...]]:
    """Each cell with a value: its value and type as Excel reads them (our reader; openpyxl decodes ``_xHHHH_``
    differently in inline and shared strings), and its style as openpyxl resolves it."""
    with zipfile.ZipFile(path) as archive:
        data = read_xlsx(Package(archive, Limits())).sheet("Data")
    assert data is not None
    sheet = openpyxl.load_workbook(path)["Data"]
    return {
        # openpyxl's cell styles are proxies, which compare equal only to the style objects themselves
        cell.coordinate: (
            data.cells[cell.row - 1, cell.column - 1],
            cell.number_format,
            *(repr(style) for style in (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)),
        )
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def _rows_and_table(path: Path) -> tuple[object, ...]:
    """The data rows' heights, the table's and its filter's ranges, and the sheet's declared dimension."""
    sheet = openpyxl.load_workbook(path)["Data"]
    heights = {
        r: (sheet.row_dimensions[r].height, sheet.row_dimensions[r].customHeight) for r in range(2, 2 + len(ROWS))
    }
    table = sheet.tables["Data"]
    dimension = openpyxl.load_workbook(path, read_only=True)["Data"].calculate_dimension()
    return heights, table.ref, table.autoFilter.ref, dimension


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("splice")
    spliced, reference = directory / "spliced.xlsx", directory / "xlsxwriter.xlsx"
    _write_spliced(spliced)
    _write_by_xlsxwriter(reference)
    return spliced, reference


def test_spliced_cells_equal_xlsxwriters_in_value_type_and_style(written: tuple[Path, Path]) -> None:
    spliced, reference = _cells(written[0]), _cells(written[1])
    assert spliced.keys() == reference.keys()
    for ref, cell in reference.items():
        assert spliced[ref] == cell, ref
    number_format, alignment = reference["B3"][1], reference["C3"][5]
    assert number_format == "0.00" and "wrapText=True" in alignment  # the styles compared are not defaults


def test_spliced_row_heights_and_table_range_equal_xlsxwriters(written: tuple[Path, Path]) -> None:
    heights, *ranges = _rows_and_table(written[0])
    reference_heights, *reference_ranges = _rows_and_table(written[1])
    # xlsxwriter's set_row rounds a height to whole pixels (3/4 pt); RowWriter writes the estimate as it is
    assert heights.keys() == reference_heights.keys()
    for row, (height, custom) in reference_heights.items():
        assert heights[row][1] == custom, row
        assert height is None if heights[row][0] is None else abs(heights[row][0] - height) <= 0.375, row
    assert ranges == reference_ranges
    assert sum(1 for _height, custom in reference_heights.values() if custom) == len(WRAPPED_ROWS)
