"""Write the summary workbook: overview, distributions with native charts, matrix, comments, issues, ledger."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from . import __version__
from .consolidate import COMMENT_COLUMNS, Tables, categories
from .layout import OUTPUT_PROPERTY, column_letter
from .rubric import Rubric
from .sheet_rows import RowWriter, Splice, fit_cell, rows_file, splice
from .sidecar import Sidecar
from .style import FONT, HEADER_FILL, category_colours

TABLE_STYLE = "Table Style Medium 2"
MAX_WIDTH = 60


def write_summary(tables: Tables, rubric: Rubric, produced: datetime, path: Path, parallel: bool = False) -> None:
    """Write the summary workbook to ``path``; with ``parallel``, the Comments rows in a second process.

    Rows are streamed to disk as they are written, so memory stays flat however many returns there are.
    """
    with tempfile.TemporaryDirectory(prefix="nps-xlsx-") as scratch:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(
            buffer,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "tmpdir": scratch,
            },
        )
        splices: list[Splice] = []
        with Sidecar(parallel) as side:  # the Comments rows, most of the cells, are written by a second process
            _write_sheets(book, tables, rubric, produced, _Rows(Path(scratch), splices), side)
        book.close()
        buffer.seek(0)
        splice(buffer, path, splices)


def _write_sheets(
    book: xlsxwriter.Workbook, tables: Tables, rubric: Rubric, produced: datetime, rows: _Rows, side: Sidecar
) -> None:
    book.set_properties(
        {
            "title": f"{rubric.short_title} summary",
            "subject": f"Consolidated returns of the {rubric.title}",
            "author": "nps-xlsx",
            "comments": f"Produced by nps-xlsx {__version__}; rubric fingerprint {rubric.fingerprint}",
            "created": produced.replace(tzinfo=None),
        }
    )
    book.set_custom_property(OUTPUT_PROPERTY, "summary")  # how nps-xlsx knows its own summary (own_outputs.py)
    fmt = _Formats(book)
    overview = book.add_worksheet("Overview")
    overall = _table_sheet(
        book, fmt, rows, "Overall distribution", tables.overall.reset_index(names="Scope"), "Overall"
    )
    by_area = _table_sheet(book, fmt, rows, "By key area", tables.by_area.reset_index(), "ByKeyArea")
    by_code = _table_sheet(book, fmt, rows, "By value code", tables.by_code.reset_index(), "ByValueCode")
    matrix = _table_sheet(book, fmt, rows, "Score matrix", tables.matrix, "ScoreMatrix", number_width=6)
    _matrix_colours(matrix, tables.matrix, rubric)
    _table_sheet(book, fmt, rows, "Area averages", tables.averages, "AreaAverages", number_format=fmt.decimal)
    comments = (COMMENT_COLUMNS, tables.comment_rows())
    _table_sheet(book, fmt, rows, "Comments", comments, "Comments", wrap={"Comment": 80}, side=side)
    _table_sheet(book, fmt, rows, "Issues", tables.issues, "Issues", wrap={"Message": 90})
    _table_sheet(book, fmt, rows, "Ledger", tables.ledger, "Ledger", wrap={"first_error": 60, "note": 40})
    _table_sheet(book, fmt, rows, "Not returned", tables.not_returned, "NotReturned")
    review = {"Reason": 70, "What to do": 60}
    _table_sheet(book, fmt, rows, "Needs review", tables.needs_review, "NeedsReview", wrap=review)

    n_cats = len(categories(rubric))
    overall.insert_chart(3, 1, _overall_chart(book, rubric), _alt("Overall score distribution", 1.6, 1.2))
    overview.insert_chart(3, 0, _overall_chart(book, rubric), _alt("Overall score distribution", 1.6, 1.2))
    area_chart = _stacked_chart(
        book, rubric, "By key area", len(rubric.areas), "Score distribution by key area", "Key area", "Number of scores"
    )
    by_area.insert_chart(len(rubric.areas) + 3, 0, area_chart, _alt("Score distribution by key area", 2.2, 1.8))
    code_chart = _stacked_chart(
        book,
        rubric,
        "By value code",
        len(rubric.value_codes),
        "Which value codes were given each level",
        "Value code",
        "Number of councils",
    )
    by_code.insert_chart(1, n_cats + 5, code_chart, _alt("Score distribution by value code", 2.0, 5.2))
    _overview(book, overview, fmt, tables, rubric)
    overview.activate()


def _write_text(sheet, row: int, col: int, text: str, cell_format=None) -> None:
    """Every text cell xlsxwriter writes here goes through this: text, shortened if a cell cannot hold it."""
    sheet.write_string(row, col, fit_cell(text), cell_format)


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.title = book.add_format({"font_name": FONT, "bold": True, "font_size": 18, "font_color": HEADER_FILL})
        self.subtitle = book.add_format({"font_name": FONT, "italic": True, "font_size": 11})
        self.label = book.add_format({"font_name": FONT, "bold": True})
        self.text = book.add_format({"font_name": FONT})
        self.wrap = book.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
        self.top = book.add_format({"font_name": FONT, "valign": "top"})
        self.decimal = book.add_format({"font_name": FONT, "num_format": "0.00", "valign": "top"})
        self.percent = book.add_format({"font_name": FONT, "num_format": "0.0%", "align": "left"})
        self.number = book.add_format({"font_name": FONT, "align": "left"})


@dataclass
class _Rows:
    """Where table rows go: temporary files in ``scratch``, each recorded as a splice."""

    scratch: Path
    splices: list[Splice]


def _style_index(fmt) -> int:
    """The format's index in the workbook's style table, assigned as xlsxwriter's own write methods do."""
    return fmt._get_xf_index()


def _table_sheet(
    book,
    fmt: _Formats,
    rows_to: _Rows,
    title: str,
    frame: pd.DataFrame | tuple[list[str], Iterable[tuple]],
    name: str,
    number_width: int | None = None,
    number_format=None,
    wrap: dict[str, int] | None = None,
    side: Sidecar | None = None,
):
    """A sheet holding one Excel Table (one header row, no merged cells), frozen header and print setup.

    ``frame`` is a DataFrame, or ``(columns, rows)`` for rows generated while writing.
    xlsxwriter writes the header row; the data rows are written by :class:`RowWriter` and spliced in,
    by ``side``'s process if given (the sheet is then finished when ``side`` is waited for).
    """
    sheet = book.add_worksheet(title)
    wrap = wrap or {}
    if isinstance(frame, pd.DataFrame):
        # as Python objects in one step (iterating pandas' extension arrays cell by cell is slow)
        columns, rows = [str(c) for c in frame.columns], frame.astype(object).itertuples(index=False, name=None)
    else:
        columns, rows = frame
    # The table is declared with one data row, and its range set to the rows written when they are
    # spliced in. (Declared at full size, xlsxwriter would record every cell of the range, only to refuse a
    # later overlapping table.) xlsxwriter refuses add_table() in constant-memory mode because it writes
    # the header row as cells; so the mode is off while it is declared, and the header row written after.
    sheet.constant_memory = False
    sheet.add_table(
        0, 0, 1, len(columns) - 1, {"name": name, "style": TABLE_STYLE, "columns": [{"header": c} for c in columns]}
    )
    sheet.constant_memory = True
    for col, column in enumerate(columns):
        _write_text(sheet, 0, col, column)
    styles = [_style_index(fmt.wrap if c in wrap else fmt.top) for c in columns]
    number_styles = [_style_index(number_format) if number_format else style for style in styles]
    path = rows_file(rows_to.scratch)

    def write_rows() -> tuple[int, list[int]]:
        with path.open("w", encoding="utf-8") as stream:
            writer = RowWriter(stream, 1, styles, number_styles)
            for row in rows:
                writer.write(row)
        return writer.rows, writer.longest

    def finish(written: tuple[int, list[int]]) -> None:
        n_rows, longest = written
        if n_rows:
            member = f"xl/worksheets/sheet{book.worksheets().index(sheet) + 1}.xml"
            rows_to.splices.append(Splice(member, path, f"A1:{column_letter(len(columns) - 1)}{n_rows + 1}", name))
        for col, column in enumerate(columns):
            measured = min(MAX_WIDTH, max(len(column) + 4, longest[col] + 2))
            width = wrap.get(column) or (number_width if number_width and not measured > 12 else measured)
            sheet.set_column(col, col, width)

    if side is None:
        finish(write_rows())
    else:  # finished when the side process is waited for, before the workbook is closed
        side.start(write_rows, then=finish)
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_footer(f"&L{title}&RPage &P of &N")
    return sheet


def _matrix_colours(sheet, matrix: pd.DataFrame, rubric: Rubric) -> None:
    """A colour scale on the scores; the numbers stay visible, so colour is not the only signal."""
    if matrix.empty:
        return
    sheet.conditional_format(
        1,
        2,
        len(matrix),
        len(matrix.columns) - 1,
        {
            "type": "3_color_scale",
            "min_type": "num",
            "min_value": 1,
            "min_color": "#F8CBAD",
            "mid_type": "num",
            "mid_value": (1 + len(rubric.levels)) / 2,
            "mid_color": "#FFF2CC",
            "max_type": "num",
            "max_value": len(rubric.levels),
            "max_color": "#A9D08E",
        },
    )


def _alt(text: str, x_scale: float, y_scale: float) -> dict:
    return {
        "description": f"Chart: {text}. The same numbers are in the table on this sheet.",
        "x_scale": x_scale,
        "y_scale": y_scale,
    }


def _overall_chart(book, rubric: Rubric):
    chart = book.add_chart({"type": "column"})
    for col, colour in enumerate(category_colours(len(rubric.levels)), start=1):
        chart.add_series(
            {
                "name": ["Overall distribution", 0, col],
                "categories": ["Overall distribution", 1, 0, 1, 0],
                "values": ["Overall distribution", 1, col, 1, col],
                "fill": {"color": colour},
                "border": {"color": "#404040"},
                "data_labels": {"value": True},
            }
        )
    chart.set_title({"name": "Overall score distribution"})
    chart.set_x_axis({"name": "All value codes, all councils"})
    chart.set_y_axis({"name": "Number of scores", "min": 0})
    chart.set_legend({"position": "right"})
    return chart


def _stacked_chart(book, rubric: Rubric, sheet_name: str, n_rows: int, title: str, axis: str, values_axis: str):
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    first_col = 3 if sheet_name == "By value code" else 1
    for offset, colour in enumerate(category_colours(len(rubric.levels))):
        col = first_col + offset
        chart.add_series(
            {
                "name": [sheet_name, 0, col],
                "categories": [sheet_name, 1, 0, n_rows, 0],
                "values": [sheet_name, 1, col, n_rows, col],
                "fill": {"color": colour},
                "border": {"color": "#404040"},
                "gap": 40,
            }
        )
    chart.set_title({"name": title})
    chart.set_x_axis({"name": values_axis, "min": 0})
    chart.set_y_axis({"name": axis, "reverse": True})
    chart.set_legend({"position": "bottom"})
    return chart


def _overview(book, sheet, fmt: _Formats, tables: Tables, rubric: Rubric) -> None:
    _write_text(sheet, 0, 0, f"{rubric.short_title}: summary of returns", fmt.title)
    _write_text(
        sheet,
        1,
        0,
        "Counts of councils' scores at each level. Sheets: distributions with charts, the score "
        "matrix, averages, every comment, every issue, a ledger of every file received, and the returns "
        "that need your review.",
        fmt.subtitle,
    )
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 70)
    row = 24
    _write_text(sheet, row, 0, "Returns", fmt.label)
    for label, value in tables.overview:
        row += 1
        _write_text(sheet, row, 0, label, fmt.text)
        if isinstance(value, float):
            sheet.write_number(row, 1, value, fmt.percent)
        elif isinstance(value, int):
            sheet.write_number(row, 1, value, fmt.number)
        else:
            _write_text(sheet, row, 1, str(value), fmt.text)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)
