"""The summary workbook's house style: table sheets (Excel Tables with human headers, widths, frozen panes and
print setup), their formats, chart sheets and charts' alt text. Every sheet of the summary is written through
these, by :mod:`nps_xlsx.collect.summary` and the modules that add sheets to it (``sheet_cohort``, ``sheet_rounds``)."""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd
import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..a1 import column_letter
from ..layout import OUTPUT_PROPERTY, categories
from ..rubric import Rubric
from ..style import A4, FONT, HouseFormats, category_colours, column_pixels, row_height
from .rows import RowWriter, fit_cell, rows_file
from .sidecar import Sidecar
from .xlsxwriter_internals import Splice, add_table_streaming, streaming, style_index, worksheet_part

TABLE_STYLE = "Table Style Medium 2"
_REFERENCE = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")  # a chart title xlsxwriter would take for a cell reference
MIN_WIDTH = 6  # column widths, in characters
MAX_WIDTH = 60
HEADER_WIDTH = 16  # a header longer than this wraps rather than widening its column
FILTER_BUTTON = 3  # the table header's filter button takes about this much of a column's width
COUNT_WIDTH = 11  # columns of counts: "2 - Developing" wraps to two lines
CODE_WIDTH = 7  # the score matrix's value-code columns: "VCSE8" beside its filter button
PAGE_PIXELS = 980  # the printable width of landscape A4 with the default margins, at 100%
PORTRAIT_PIXELS = 655  # and of portrait A4
PORTRAIT_SCALE = 0.9  # a sheet is printed portrait if it fits the page's width at this scale
LEGIBLE_SCALE = 0.75  # a sheet is fitted to the page's width only if this leaves its text legible
ROWS_BUFFER = 1 << 20  # bytes of a rows file buffered before they are written


def set_properties(
    book: Workbook, kind: Literal["summary", "feedback"], title: str, subject: str, rubric: Rubric, produced: datetime
) -> None:
    """The document properties of a workbook of ours, and the custom property that says which ``kind`` of output
    it is (how nps-xlsx knows its own outputs: read/own_outputs.py)."""
    book.set_properties(
        {
            "title": title,
            "subject": subject,
            "author": "nps-xlsx",
            "comments": f"Produced by nps-xlsx {__version__}; rubric fingerprint {rubric.fingerprint}",
            "created": produced.replace(tzinfo=None),
        }
    )
    book.set_custom_property(OUTPUT_PROPERTY, kind)


def write_text(sheet: Worksheet, row: int, col: int, text: str, cell_format: Format | None = None) -> None:
    """Every text cell xlsxwriter writes here goes through this: text, shortened if a cell cannot hold it."""
    sheet.write_string(row, col, fit_cell(text), cell_format)


class SummaryFormats(HouseFormats):
    """The cell formats of the summary workbook, created once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        super().__init__(book)
        self.subtitle = book.add_format({"font_name": FONT, "italic": True, "font_size": 11, "text_wrap": True})
        self.label = book.add_format({"font_name": FONT, "bold": True, "valign": "top"})
        self.text = book.add_format({"font_name": FONT, "valign": "top"})
        self.header = book.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
        self.wrap = book.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
        self.top = book.add_format({"font_name": FONT, "valign": "top"})
        self.centre = book.add_format({"font_name": FONT, "valign": "top", "align": "center"})
        self.integer = book.add_format({"font_name": FONT, "num_format": "0", "valign": "top"})
        self.one_place = book.add_format({"font_name": FONT, "num_format": "0.0", "valign": "top"})
        self.two_places = book.add_format({"font_name": FONT, "num_format": "0.00", "valign": "top"})
        self.percent = book.add_format({"font_name": FONT, "num_format": "0.0%", "align": "left"})
        self.share = book.add_format({"font_name": FONT, "num_format": "0%", "valign": "top"})
        self.number = book.add_format({"font_name": FONT, "align": "left"})
        self.share = book.add_format({"font_name": FONT, "num_format": "0.0%", "valign": "top"})
        self.points = book.add_format(
            {"font_name": FONT, "num_format": '+0.0" pts";-0.0" pts";0.0" pts"', "valign": "top"}
        )
        self.signed = book.add_format({"font_name": FONT, "num_format": "+0.00;-0.00;0.00", "valign": "top"})


@dataclass
class Rows:
    """Where table rows go, each recorded as a splice: temporary files in ``scratch``, or memory if it is ``None``
    (for small workbooks written in memory: ``in_memory`` in xlsxwriter's options, text in shared strings)."""

    scratch: Path | None
    splices: list[Splice]


def column_width(header: str, longest: int, wrap: float | None = None, width: float | None = None) -> float:
    """A column's width from its content: room for its ``longest`` text and at least a short header's
    (longer headers wrap), within ``MIN_WIDTH``-``MAX_WIDTH``; at most ``wrap`` for a wrapped column.

    ``width`` is the least width of a column of numbers (its header wraps to fit).
    """
    header_room = min(len(header) + FILTER_BUTTON, HEADER_WIDTH)
    measured = max(MIN_WIDTH, longest + 2, width or header_room)
    return float(min(wrap or MAX_WIDTH, measured))


def print_setup(sheet: Worksheet, title: str, widths: list[float], identifying: int) -> None:
    """A4 with the header row on every page: portrait if the columns fit it nearly at full size, else landscape,
    fitted to as few pages across as keep its text legible (scaled to at least ``LEGIBLE_SCALE``); if more than
    one, the ``identifying`` columns repeat on each."""
    pixels = sum(column_pixels(w) for w in widths)
    if pixels * PORTRAIT_SCALE <= PORTRAIT_PIXELS:
        sheet.set_portrait()
        page = PORTRAIT_PIXELS
    else:
        sheet.set_landscape()
        page = PAGE_PIXELS
    sheet.set_paper(A4)
    sheet.repeat_rows(0)
    pages_across = math.ceil(pixels * LEGIBLE_SCALE / page)
    sheet.fit_to_pages(pages_across, 0)
    if pages_across > 1:
        sheet.repeat_columns(0, identifying - 1)
    sheet.set_footer(f"&L{title}&RPage &P of &N")


@dataclass
class TableRows:
    """A table's data rows, written (by a side process, or at once) before or while its sheet is added: see
    :func:`start_rows`. The sheet is finished (widths, header) by ``finish`` once both are done."""

    columns: list[str]
    wrap: Mapping[str, float]
    path: Path | None  # the rows' file, or None for rows kept in ``memory``
    memory: io.StringIO
    written: tuple[int, list[int]] | None = None  # rows written and each column's longest text, once done
    finish: Callable[[tuple[int, list[int]]], None] | None = None

    def deliver(self, written: tuple[int, list[int]]) -> None:
        """The rows are written: finish the sheet now if it was added, else when it is."""
        self.written = written
        if self.finish is not None:
            self.finish(written)

    def attach(self, finish: Callable[[tuple[int, list[int]]], None]) -> None:
        """The sheet is added: finish it now if the rows are written, else when they are."""
        self.finish = finish
        if self.written is not None:
            finish(self.written)


def start_rows(
    fmt: SummaryFormats,
    rows_to: Rows,
    frame: pd.DataFrame | tuple[list[str], Iterable[tuple[object, ...]]],
    wrap: Mapping[str, float] | None = None,
    formats: Mapping[str, Format] | None = None,
    side: Sidecar | None = None,
    repeated: Collection[str] = (),
) -> TableRows:
    """Write a table's data rows (see :func:`table_sheet` for the arguments), by ``side``'s process if given: so a
    large table's rows can be started before the sheets that come before it in the workbook are written."""
    wrap, formats = wrap or {}, formats or {}
    if isinstance(frame, pd.DataFrame):
        # as Python objects in one step (iterating pandas' extension arrays cell by cell is slow)
        columns, rows = [str(c) for c in frame.columns], frame.astype(object).itertuples(index=False, name=None)
    else:
        columns, rows = frame
    styles = [style_index(formats.get(c) or (fmt.wrap if c in wrap else fmt.top)) for c in columns]
    path = rows_file(rows_to.scratch) if rows_to.scratch is not None else None
    table = TableRows(columns, wrap, path, io.StringIO())
    wrap_widths = [wrap.get(c) for c in columns]
    repeats = [c in repeated for c in columns]

    def write_rows() -> tuple[int, list[int]]:
        # rows are written one at a time: a large buffer sends them on to the file in fewer, larger pieces
        memory = contextlib.nullcontext(table.memory)
        with path.open("w", encoding="utf-8", buffering=ROWS_BUFFER) if path is not None else memory as stream:
            writer = RowWriter(stream, 1, styles, styles, wrap_widths, repeated=repeats)
            for row in rows:
                writer.write(row)
        return writer.rows, writer.longest

    if side is None:
        table.written = write_rows()
    else:  # delivered when the side process is waited for, before the workbook is closed
        side.start(write_rows, then=table.deliver)
    return table


def table_sheet(
    book: Workbook,
    fmt: SummaryFormats,
    rows_to: Rows,
    title: str,
    frame: pd.DataFrame | tuple[list[str], Iterable[tuple[object, ...]]] | TableRows,
    name: str,
    wrap: Mapping[str, float] | None = None,
    widths: Mapping[str, float] | None = None,
    formats: Mapping[str, Format] | None = None,
    freeze: int = 1,
    side: Sidecar | None = None,
    repeated: Collection[str] = (),
) -> Worksheet:
    """A sheet holding one Excel Table (one header row, no merged cells), frozen header and print setup.

    ``frame`` is a DataFrame, or ``(columns, rows)`` for rows generated while writing, or rows started earlier
    by :func:`start_rows` (given ``wrap``, ``formats`` and ``repeated`` there, not here). Columns named in ``wrap``
    wrap their text at most that wide (rows are as tall as their text needs); ``widths`` are the least widths of
    columns of numbers; ``formats`` the formats of columns (text and numbers); the first ``freeze`` columns identify
    a row and stay in view; ``repeated`` names the columns whose texts recur from row to row (names, the rubric's
    text), so that each distinct one is escaped and measured once. xlsxwriter writes the header row; the data rows
    are written by :class:`RowWriter` and spliced in, by ``side``'s process if given (the sheet is then finished
    when ``side`` is waited for).
    """
    sheet = book.add_worksheet(title)
    if isinstance(frame, TableRows):
        assert wrap is None and formats is None and side is None and not repeated, "given to start_rows"
        table = frame
    else:
        table = start_rows(fmt, rows_to, frame, wrap, formats, side, repeated)
    columns, wrap, widths = table.columns, table.wrap, widths or {}
    # The table is declared with one data row, and its range set to the rows written when they are
    # spliced in. (Declared at full size, xlsxwriter would record every cell of the range, only to refuse a
    # later overlapping table.) In constant-memory mode the header row is written after, as the data rows are.
    add_table_streaming(
        sheet,
        0,
        0,
        1,
        len(columns) - 1,
        {"name": name, "style": TABLE_STYLE, "columns": [{"header": c, "header_format": fmt.header} for c in columns]},
    )

    def finish(written: tuple[int, list[int]]) -> None:
        n_rows, longest = written
        if n_rows:
            member = worksheet_part(book, sheet)
            ref = f"A1:{column_letter(len(columns) - 1)}{n_rows + 1}"
            rows_to.splices.append(Splice(member, table.path, ref, name, table.memory.getvalue()))
        final = [column_width(c, n, wrap.get(c), widths.get(c)) for c, n in zip(columns, longest, strict=True)]
        for col, width in enumerate(final):
            sheet.set_column(col, col, width)
        # header text beside the filter button; a long header wraps
        header_room = [(c, max(1.0, w - FILTER_BUTTON)) for c, w in zip(columns, final, strict=True)]
        sheet.set_row(0, row_height(header_room, 11))
        if streaming(sheet):  # else add_table wrote the header row
            for col, column in enumerate(columns):
                write_text(sheet, 0, col, column, fmt.header)
        print_setup(sheet, title, final, freeze)

    table.attach(finish)
    sheet.freeze_panes(1, freeze)
    return sheet


def alt_text(text: str, x_scale: float, y_scale: float) -> dict[str, str | float]:
    return {
        "description": f"Chart: {text}. The same numbers are in the table on this sheet.",
        "x_scale": x_scale,
        "y_scale": y_scale,
    }


def chart_sheet(book: Workbook, name: str, pages_down: int = 1) -> Worksheet:
    """A worksheet for charts, printed portrait, one page across and ``pages_down`` pages down (0: as many as it
    takes); LibreOffice does not print chart sheets."""
    sheet = book.add_worksheet(name)
    sheet.hide_gridlines(2)
    sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, pages_down)
    sheet.set_footer(f"&L{name}&RPage &P of &N")
    return sheet


def stacked_chart(
    book: Workbook,
    rubric: Rubric,
    sheet_name: str,
    table: pd.DataFrame,
    title: str,
    x_axis: str,
    y_axis: str | None = None,
    rows: tuple[int, int] | None = None,
    label: str | None = None,
) -> Chart:
    """100% stacked bars: each row's share of the answers at each level, so rows of different sizes compare (the
    counts stay in the table). ``table`` is as written on ``sheet_name`` from A1; its ``rows`` (first, last, 0-based
    in the table; default all) are the bars, labelled by the column ``label`` (default the first)."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    assert chart is not None
    columns = list(table.columns)
    first_col = columns.index(categories(rubric)[0])  # the first level's column
    label_col = columns.index(label) if label else 0
    first, last = (rows[0] + 1, rows[1] + 1) if rows else (1, len(table))  # sheet rows, below the header
    for offset, colour in enumerate(category_colours(len(rubric.levels))):
        col = first_col + offset
        chart.add_series(
            {
                "name": [sheet_name, 0, col],
                "categories": [sheet_name, first, label_col, last, label_col],
                "values": [sheet_name, first, col, last, col],
                "fill": {"color": colour},
                "border": {"color": "#404040"},
                "gap": 40,
            }
        )
    # a title xlsxwriter would take for a cell reference ("Sheet!A1") is kept as text
    chart.set_title({"name": title.replace("!", "! ") if _REFERENCE.match(title) else title, "overlay": False})
    chart.set_x_axis({"name": x_axis, "min": 0, "num_format": "0%"})
    chart.set_y_axis({**({"name": y_axis} if y_axis else {}), "reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    return chart
