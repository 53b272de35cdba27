"""Write the summary workbook: overview, distributions with native charts, matrix, comments, issues, ledger."""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..a1 import column_letter
from ..columns import COMMENT_COLUMNS, EXCELLENCE_HEADERS
from ..layout import OUTPUT_PROPERTY, categories
from ..rubric import Rubric
from ..style import A4, FONT, HouseFormats, category_colours, column_pixels, level_points, row_height
from .chase import LABELS as CHASE_STATUSES
from .rounds import Comparison
from .rows import RowWriter, fit_cell, rows_file
from .sheet_cohort import SummaryKit, write_cohort_sheets
from .sidecar import Sidecar
from .tables import LEDGER_STATUSES, Tables, for_people
from .xlsxwriter_internals import Splice, add_table_streaming, splice, style_index, worksheet_part

TABLE_STYLE = "Table Style Medium 2"
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
        splice(buffer, path, splices, strings_inline=True)  # constant-memory mode writes text inline


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
    book.set_custom_property(OUTPUT_PROPERTY, "summary")  # how nps-xlsx knows its own summary (read/own_outputs.py)
    fmt = _Formats(book)
    overview = book.add_worksheet("Overview")
    counts = {column: COUNT_WIDTH for column in [*categories(rubric), "Total"]}
    overall = _table_sheet(
        book, fmt, rows, "Overall distribution", tables.overall.reset_index(names="Scope"), "Overall", widths=counts
    )
    by_area_table, by_code_table = tables.by_area.reset_index(), tables.by_code.reset_index()
    by_area = _table_sheet(
        book, fmt, rows, "By key area", by_area_table, "ByKeyArea", wrap={"Key area": 34}, widths=counts
    )
    _table_sheet(
        book,
        fmt,
        rows,
        "By value code",
        by_code_table,
        "ByValueCode",
        wrap={"Value code": 36, "Key area": 36},
        widths=counts,
        freeze=2,
    )
    code_chart_sheet = _chart_sheet(book, "By value code (chart)")
    codes = {c.id: CODE_WIDTH for c in rubric.value_codes}
    matrix = _table_sheet(
        book,
        fmt,
        rows,
        "Score matrix",
        tables.matrix,
        "ScoreMatrix",
        wrap={"Council": 30},
        widths=codes,
        formats=dict.fromkeys(codes, fmt.centre),
        freeze=2,
    )
    _matrix_colours(matrix, tables.matrix, rubric)
    averages = {"Mean": fmt.two_places, "Median": fmt.one_place, "n": fmt.integer}
    wrap = {"Council": 30, "Key area": 36}
    _table_sheet(book, fmt, rows, "Area averages", tables.averages, "AreaAverages", wrap=wrap, formats=averages)
    if tables.cohort is not None:
        kit = SummaryKit(partial(_table_sheet, book, fmt, rows), fmt, _alt, COUNT_WIDTH)
        write_cohort_sheets(book, kit, tables.cohort, rubric)
    if tables.rounds is not None:
        _round_sheets(book, fmt, rows, tables.rounds, rubric)
    wrap = {"Value code": 28, "Key area": 24, "Council": 26, "Statement": 50, "Comment": 60}
    _table_sheet(
        book, fmt, rows, "Excellence", (EXCELLENCE_HEADERS, tables.excellence()), "Excellence", wrap=wrap, freeze=2
    )
    comments = (COMMENT_COLUMNS, tables.comment_rows())
    wrap = {"Council": 28, "Value code": 28, "Comment": 70}
    _table_sheet(book, fmt, rows, "Comments", comments, "Comments", wrap=wrap, side=side, freeze=2)
    wrap = {"File": 28, "Sheet": 18, "Value": 16, "Message": 60}
    _table_sheet(book, fmt, rows, "Issues", tables.issues, "Issues", wrap=wrap)
    ledger = for_people(tables.ledger, LEDGER_STATUSES)
    wrap = {"File": 30, "Status": 14, "Council": 24, "Template version": 14, "First error": 40, "Note": 30}
    _table_sheet(book, fmt, rows, "Ledger", ledger, "Ledger", wrap={**wrap, "SHA-256": 34})
    chase = for_people(tables.chase, CHASE_STATUSES)
    wrap = {"Council": 24, "Status": 14, "File(s)": 26, "First error": 32, "What to do": 30, "Note": 24}
    _table_sheet(book, fmt, rows, "Chase list", chase, "ChaseList", wrap=wrap, freeze=2)
    wrap = {"File": 28, "SHA-256": 18, "Issued to": 22, "Name typed": 22, "Reason": 36, "What to do": 36}
    _table_sheet(book, fmt, rows, "Needs review", tables.needs_review, "NeedsReview", wrap=wrap)

    overall.insert_chart(3, 0, _overall_chart(book, rubric), _alt("Overall score distribution", 1.6, 1.2))
    overview.insert_chart(3, 0, _overall_chart(book, rubric), _alt("Overall score distribution", 2.0, 1.25))
    area_chart = _stacked_chart(
        book, rubric, "By key area", by_area_table, "Score distribution by key area", "Key area", "key area"
    )
    by_area.insert_chart(len(rubric.areas) + 3, 0, area_chart, _alt("Score distribution by key area", 2.0, 1.6))
    by_area.fit_to_pages(1, 1)  # the table and its chart on one page
    overall.fit_to_pages(1, 1)
    code_chart = _stacked_chart(
        book,
        rubric,
        "By value code",
        by_code_table,
        "Which value codes were given each level",
        "Value code",
        "value code",
    )
    # a bar for each value code, labelled by its ID, filling a portrait A4 page
    code_chart_sheet.insert_chart(0, 0, code_chart, _alt("Score distribution by value code", 1.35, 3.3))
    _overview(book, overview, fmt, tables, rubric)
    overview.activate()


def _round_sheets(book: Workbook, fmt: _Formats, rows: _Rows, rounds: Comparison, rubric: Rubric) -> None:
    """The movement since the previous round: councils matched, movement by key area (with a chart of the area
    medians then and now) and by value code, and the councils that moved most."""
    wrap = {"Council": 30, "Council, previous": 30}
    _table_sheet(book, fmt, rows, "Councils by round", rounds.councils, "CouncilsByRound", wrap=wrap)
    formats = {
        "n previous": fmt.integer,
        "n now": fmt.integer,
        "Mature or above, previous": fmt.share,
        "Mature or above, now": fmt.share,
        "Change (points)": fmt.points,
        "Median, previous": fmt.two_places,
        "Median, now": fmt.two_places,
        "Median change": fmt.signed,
    }
    wrap = {"Key area": 34, "Value code": 30, "Councils": 14}
    widths = dict.fromkeys(formats, COUNT_WIDTH)
    sheet = _table_sheet(
        book, fmt, rows, "Movement by key area", rounds.by_area, "MovementByKeyArea", wrap, widths, formats, freeze=2
    )
    _table_sheet(
        book,
        fmt,
        rows,
        "Movement by value code",
        rounds.by_code,
        "MovementByValueCode",
        wrap,
        widths,
        formats,
        freeze=2,
    )
    wrap = {"Key area": 34, "Council": 30}
    formats = {"Area score, previous": fmt.two_places, "Area score, now": fmt.two_places, "Change": fmt.signed}
    _table_sheet(book, fmt, rows, "Movers", rounds.movers, "Movers", wrap, dict.fromkeys(formats, COUNT_WIDTH), formats)
    n_areas = len(rubric.areas)
    title = f"Median area score, {rounds.then_label} and {rounds.now_label} (councils in both rounds)"
    sheet.insert_chart(
        2 * n_areas + 3, 0, _medians_chart(book, rounds, n_areas, title, len(rubric.levels)), _alt(title, 2.0, 1.6)
    )
    sheet.fit_to_pages(1, 1)  # the table and its chart on one page


def _medians_chart(book: Workbook, rounds: Comparison, n_areas: int, title: str, top: int) -> Chart:
    """Clustered bars: each key area's median area score in the previous round and in this one (the first
    ``n_areas`` rows of the sheet "Movement by key area": the councils in both rounds)."""
    chart = book.add_chart({"type": "bar"})
    assert chart is not None
    sheet = "Movement by key area"
    columns = list(rounds.by_area.columns)
    now_name = rounds.now_label if rounds.now_label != rounds.then_label else f"{rounds.now_label} (this round)"
    for header, name, colour in (
        ("Median, previous", rounds.then_label, "#BFBFBF"),
        ("Median, now", now_name, "#2F5597"),
    ):
        col = columns.index(header)
        chart.add_series(
            {
                "name": name or "this round",
                "categories": [sheet, 1, 0, n_areas, 0],
                "values": [sheet, 1, col, n_areas, col],
                "fill": {"color": colour},
                "border": {"color": "#404040"},
                "gap": 60,
            }
        )
    chart.set_title({"name": title})
    chart.set_x_axis({"name": "Median of the councils' mean scores in the key area", "min": 0, "max": top})
    chart.set_y_axis({"name": "Key area", "reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    return chart


def _write_text(sheet: Worksheet, row: int, col: int, text: str, cell_format: Format | None = None) -> None:
    """Every text cell xlsxwriter writes here goes through this: text, shortened if a cell cannot hold it."""
    sheet.write_string(row, col, fit_cell(text), cell_format)


class _Formats(HouseFormats):
    """The cell formats of the summary workbook, created once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        super().__init__(book)
        self.subtitle = book.add_format({"font_name": FONT, "italic": True, "font_size": 11, "text_wrap": True})
        self.label = book.add_format({"font_name": FONT, "bold": True})
        self.text = book.add_format({"font_name": FONT})
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
class _Rows:
    """Where table rows go: temporary files in ``scratch``, each recorded as a splice."""

    scratch: Path
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


def _table_sheet(
    book: Workbook,
    fmt: _Formats,
    rows_to: _Rows,
    title: str,
    frame: pd.DataFrame | tuple[list[str], Iterable[tuple[object, ...]]],
    name: str,
    wrap: Mapping[str, float] | None = None,
    widths: Mapping[str, float] | None = None,
    formats: Mapping[str, Format] | None = None,
    freeze: int = 1,
    side: Sidecar | None = None,
) -> Worksheet:
    """A sheet holding one Excel Table (one header row, no merged cells), frozen header and print setup.

    ``frame`` is a DataFrame, or ``(columns, rows)`` for rows generated while writing. Columns named in
    ``wrap`` wrap their text at most that wide (rows are as tall as their text needs); ``widths`` are the
    least widths of columns of numbers; ``formats`` the formats of columns (text and numbers); the first
    ``freeze`` columns identify a row and stay in view. xlsxwriter writes the header row; the data rows
    are written by :class:`RowWriter` and spliced in, by ``side``'s process if given (the sheet is then
    finished when ``side`` is waited for).
    """
    sheet = book.add_worksheet(title)
    wrap, widths, formats = wrap or {}, widths or {}, formats or {}
    if isinstance(frame, pd.DataFrame):
        # as Python objects in one step (iterating pandas' extension arrays cell by cell is slow)
        columns, rows = [str(c) for c in frame.columns], frame.astype(object).itertuples(index=False, name=None)
    else:
        columns, rows = frame
    # The table is declared with one data row, and its range set to the rows written when they are
    # spliced in. (Declared at full size, xlsxwriter would record every cell of the range, only to refuse a
    # later overlapping table.) The header row is written after, as the data rows are.
    add_table_streaming(
        sheet,
        0,
        0,
        1,
        len(columns) - 1,
        {"name": name, "style": TABLE_STYLE, "columns": [{"header": c} for c in columns]},
    )
    styles = [style_index(formats.get(c) or (fmt.wrap if c in wrap else fmt.top)) for c in columns]
    path = rows_file(rows_to.scratch)
    wrap_widths = [wrap.get(c) for c in columns]

    def write_rows() -> tuple[int, list[int]]:
        with path.open("w", encoding="utf-8") as stream:
            writer = RowWriter(stream, 1, styles, styles, wrap_widths)
            for row in rows:
                writer.write(row)
        return writer.rows, writer.longest

    def finish(written: tuple[int, list[int]]) -> None:
        n_rows, longest = written
        if n_rows:
            member = worksheet_part(book, sheet)
            rows_to.splices.append(Splice(member, path, f"A1:{column_letter(len(columns) - 1)}{n_rows + 1}", name))
        final = [column_width(c, n, wrap.get(c), widths.get(c)) for c, n in zip(columns, longest, strict=True)]
        for col, width in enumerate(final):
            sheet.set_column(col, col, width)
        # header text beside the filter button; a long header wraps
        header_room = [(c, max(1.0, w - FILTER_BUTTON)) for c, w in zip(columns, final, strict=True)]
        sheet.set_row(0, row_height(header_room, 11))
        for col, column in enumerate(columns):
            _write_text(sheet, 0, col, column, fmt.header)
        print_setup(sheet, title, final, freeze)

    if side is None:
        finish(write_rows())
    else:  # finished when the side process is waited for, before the workbook is closed
        side.start(write_rows, then=finish)
    sheet.freeze_panes(1, freeze)
    return sheet


def _matrix_colours(sheet: Worksheet, matrix: pd.DataFrame, rubric: Rubric) -> None:
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


def _alt(text: str, x_scale: float, y_scale: float) -> dict[str, str | float]:
    return {
        "description": f"Chart: {text}. The same numbers are in the table on this sheet.",
        "x_scale": x_scale,
        "y_scale": y_scale,
    }


def _overall_chart(book: Workbook, rubric: Rubric) -> Chart:
    """A column for each level, Unscored and Not answered: how many scores of all value codes, all councils."""
    chart = book.add_chart({"type": "column"})
    assert chart is not None  # None only for a chart type xlsxwriter does not know
    n_cats = len(categories(rubric))
    chart.add_series(
        {
            "name": "Scores",
            "categories": ["Overall distribution", 0, 1, 0, n_cats],
            "values": ["Overall distribution", 1, 1, 1, n_cats],
            "points": level_points(len(rubric.levels), "#404040"),
            "data_labels": {"value": True},
            "gap": 60,
        }
    )
    chart.set_title({"name": "Overall score distribution (all value codes, all councils)"})
    chart.set_x_axis({"name": "Level"})
    chart.set_y_axis({"name": "Number of scores", "min": 0})
    chart.set_legend({"none": True})
    return chart


def _stacked_chart(
    book: Workbook, rubric: Rubric, sheet_name: str, table: pd.DataFrame, title: str, axis: str, of_what: str
) -> Chart:
    """100% stacked bars: each row's share of scores at each level, so rows of different sizes compare
    (the counts stay in the table). ``table`` is the table as written on ``sheet_name``, from column A."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    assert chart is not None
    first_col = list(table.columns).index(categories(rubric)[0])  # the first level's column
    n_rows = len(table)
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
    chart.set_x_axis({"name": f"Share of the {of_what}'s scores", "min": 0, "num_format": "0%"})
    chart.set_y_axis({"name": axis, "reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    return chart


def _chart_sheet(book: Workbook, name: str) -> Worksheet:
    """A worksheet for one chart, printed on one portrait page (LibreOffice does not print chart sheets)."""
    sheet = book.add_worksheet(name)
    sheet.hide_gridlines(2)
    sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 1)
    sheet.set_footer(f"&L{name}&RPage &P of &N")
    return sheet


def _overview(book: Workbook, sheet: Worksheet, fmt: _Formats, tables: Tables, rubric: Rubric) -> None:
    _write_text(sheet, 0, 0, f"{rubric.short_title}: summary of returns", fmt.title)
    about = (
        "Counts of councils' scores at each level. Sheets: distributions with charts, the score "
        "matrix, averages, statistics per value code (and per segment of the council list, with --group-by), "
        "every comment, every issue, a ledger of every file received, the chase list (every expected "
        "council's status and what to do) and the returns that need your review."
    )
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 100)
    sheet.merge_range(1, 0, 1, 1, fit_cell(about), fmt.subtitle)  # not a data sheet: a merged line of prose
    sheet.set_row(1, row_height([(about, 38 + 100)], 11))
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
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)
