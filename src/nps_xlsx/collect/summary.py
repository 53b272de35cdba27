"""Write the summary workbook: overview, distributions with native charts, matrix, comments, issues, ledger."""

from __future__ import annotations

import contextlib
import io
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..columns import COMMENT_COLUMNS, EXCELLENCE_HEADERS
from ..layout import categories
from ..rubric import Rubric
from ..style import A4, level_points, row_height
from .chase import LABELS as CHASE_STATUSES
from .rows import fit_cell
from .sheet_agreement import write_agreement_sheets
from .sheet_ambition import write_ambition_sheets
from .sheet_cohort import write_cohort_sheets
from .sheet_prefilled import write_prefilled_sheet
from .sheet_rounds import write_round_sheets
from .sheets import (
    CODE_WIDTH,
    COUNT_WIDTH,
    Rows,
    SummaryFormats,
    TableRows,
    alt_text,
    chart_sheet,
    set_properties,
    stacked_chart,
    start_rows,
    table_sheet,
    write_text,
)
from .sidecar import Sidecar
from .tables import LEDGER_STATUSES, LargeRows, Tables, for_people
from .xlsxwriter_internals import Splice, splice


class Summary:
    """The summary workbook, begun before its tables are built: ``with Summary(...) as summary: ...;
    summary.write(tables, path)``.

    Beginning it starts the rows of the Comments and Excellence sheets (most of the cells), made from the returns
    by ``rows`` (not from the tables), with ``parallel`` each in a process of its own: forked before the tables
    are built, a process does not start with their memory. :meth:`write` writes the rest. Rows are streamed to
    disk as they are written, so memory stays flat however many returns there are. Left without :meth:`write`
    (the summary was refused, or something failed), the processes are stopped.
    """

    def __init__(self, rubric: Rubric, produced: datetime, rows: LargeRows, parallel: bool = False) -> None:
        self._rubric, self._produced, self._rows, self._parallel = rubric, produced, rows, parallel
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Summary:
        with self._stack as stack:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="nps-xlsx-"))
            self._buffer = io.BytesIO()
            self._book = xlsxwriter.Workbook(
                self._buffer,
                {
                    "constant_memory": True,
                    "strings_to_numbers": False,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                    "tmpdir": scratch,
                },
            )
            self._splices: list[Splice] = []
            self._to = Rows(Path(scratch), self._splices)
            self._sides = [stack.enter_context(Sidecar(self._parallel)) for _ in range(2)]
            stack.callback(self._stop)
            self._fmt, self._excellence, self._comments = _begin(
                self._book, self._rubric, self._produced, self._to, self._rows, *self._sides
            )
            self._stack = stack.pop_all()
        return self

    def write(self, tables: Tables, path: Path) -> None:
        """Write the sheets, wait for the rows, and the workbook to ``path``."""
        fmt, book, rubric = self._fmt, self._book, self._rubric
        _write_sheets(book, fmt, tables, rubric, self._to, self._excellence, self._comments)
        for side in self._sides:
            side.wait()
        book.close()
        self._buffer.seek(0)
        splice(self._buffer, path, self._splices, strings_inline=True)  # constant-memory mode writes text inline

    def _stop(self) -> None:
        """Stop the rows' processes not waited for (the summary was not written)."""
        for side in self._sides:
            side.stop()

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _begin(
    book: xlsxwriter.Workbook,
    rubric: Rubric,
    produced: datetime,
    rows: Rows,
    large: LargeRows,
    excellence_side: Sidecar,
    comments_side: Sidecar,
) -> tuple[SummaryFormats, TableRows, TableRows]:
    """The workbook's properties and formats, and the two largest tables' rows started."""
    title, subject = f"{rubric.short_title} summary", f"Consolidated returns of the {rubric.title}"
    set_properties(book, "summary", title, subject, rubric, produced)
    fmt = SummaryFormats(book)
    wrap = {"Value code": 28, "Key area": 24, "Council": 26, "Statement": 50, "Comment": 60}
    named = [c for c in EXCELLENCE_HEADERS if c not in ("Comment", "Top level without evidence")]
    excellence_rows = (EXCELLENCE_HEADERS, large.excellence())
    excellence = start_rows(fmt, rows, excellence_rows, wrap, side=excellence_side, repeated=named)
    wrap = {"Council": 28, "Value code": 28, "Comment": 70}
    named = [c for c in COMMENT_COLUMNS if c != "Comment"]
    comments = start_rows(fmt, rows, (COMMENT_COLUMNS, large.comments()), wrap, side=comments_side, repeated=named)
    return fmt, excellence, comments


def _write_sheets(
    book: xlsxwriter.Workbook,
    fmt: SummaryFormats,
    tables: Tables,
    rubric: Rubric,
    rows: Rows,
    excellence: TableRows,
    comments: TableRows,
) -> None:
    overview = book.add_worksheet("Overview")
    counts = {column: COUNT_WIDTH for column in [*categories(rubric), "Total"]}
    overall = table_sheet(
        book, fmt, rows, "Overall distribution", tables.overall.reset_index(names="Scope"), "Overall", widths=counts
    )
    by_area_table, by_code_table = tables.by_area.reset_index(), tables.by_code.reset_index()
    by_area = table_sheet(
        book, fmt, rows, "By key area", by_area_table, "ByKeyArea", wrap={"Key area": 34}, widths=counts
    )
    table_sheet(
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
    code_chart_sheet = chart_sheet(book, "By value code (chart)")
    codes = {c.id: CODE_WIDTH for c in rubric.value_codes}
    matrix = table_sheet(
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
    named = ["Council", "Code", "Key area"]
    table_sheet(
        book, fmt, rows, "Area averages", tables.averages, "AreaAverages", wrap=wrap, formats=averages, repeated=named
    )
    if tables.agreement is not None:
        write_agreement_sheets(book, fmt, rows, tables.agreement, rubric)
    if tables.cohort is not None:
        write_cohort_sheets(book, fmt, rows, tables.cohort, rubric)
    if tables.rounds is not None:
        write_round_sheets(book, fmt, rows, tables.rounds, rubric)
    if tables.ambition is not None:
        write_ambition_sheets(book, fmt, rows, tables.ambition, rubric)
    if tables.prefilled is not None:
        write_prefilled_sheet(book, fmt, rows, tables.prefilled)
    table_sheet(book, fmt, rows, "Excellence", excellence, "Excellence", freeze=2)
    table_sheet(book, fmt, rows, "Comments", comments, "Comments", freeze=2)
    wrap = {"File": 28, "Sheet": 18, "Value": 16, "Message": 60}
    named = ["File", "Severity", "Code", "Sheet", "Cell", "Value code", "Value"]  # all recur but the message
    table_sheet(book, fmt, rows, "Issues", tables.issues, "Issues", wrap=wrap, repeated=named)
    ledger = for_people(tables.ledger, LEDGER_STATUSES)
    wrap = {"File": 30, "Status": 14, "Council": 24, "Template version": 14, "First error": 40, "Note": 30}
    table_sheet(book, fmt, rows, "Ledger", ledger, "Ledger", wrap={**wrap, "SHA-256": 34})
    chase = for_people(tables.chase, CHASE_STATUSES)
    wrap = {"Council": 24, "Status": 14, "File(s)": 26, "First error": 32, "What to do": 30, "Note": 24}
    table_sheet(book, fmt, rows, "Chase list", chase, "ChaseList", wrap=wrap, freeze=2)
    wrap = {"File": 28, "SHA-256": 18, "Issued to": 22, "Name typed": 22, "Reason": 36, "What to do": 36}
    table_sheet(book, fmt, rows, "Needs review", tables.needs_review, "NeedsReview", wrap=wrap)

    overall.insert_chart(3, 0, _overall_chart(book, rubric), alt_text("Overall score distribution", 1.6, 1.2))
    overview.insert_chart(3, 0, _overall_chart(book, rubric), alt_text("Overall score distribution", 2.0, 1.25))
    title, share = "Score distribution by key area", "Share of the key area's scores"
    area_chart = stacked_chart(book, rubric, "By key area", by_area_table, title, share, "Key area")
    by_area.insert_chart(len(rubric.areas) + 3, 0, area_chart, alt_text("Score distribution by key area", 2.0, 1.6))
    by_area.fit_to_pages(1, 1)  # the table and its chart on one page
    overall.fit_to_pages(1, 1)
    title, share = "Which value codes were given each level", "Share of the value code's scores"
    code_chart = stacked_chart(book, rubric, "By value code", by_code_table, title, share, "Value code")
    # a bar for each value code, labelled by its ID, filling a portrait A4 page
    code_chart_sheet.insert_chart(0, 0, code_chart, alt_text("Score distribution by value code", 1.35, 3.3))
    _overview(book, overview, fmt, tables, rubric)
    overview.activate()


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


def _overview(book: Workbook, sheet: Worksheet, fmt: SummaryFormats, tables: Tables, rubric: Rubric) -> None:
    write_text(sheet, 0, 0, f"{rubric.short_title}: summary of returns", fmt.title)
    about = (
        "Counts of councils' scores at each level. Sheets: distributions with charts, the score "
        "matrix, averages, statistics per value code (and per segment of the council list, with --group-by), "
        "the movement since the previous round (with --previous), the councils' target levels, priorities "
        "and support wanted, the examples of excellence, "
        "every comment, every issue, a ledger of every file received, the chase list (every expected "
        "council's status and what to do) and the returns that need your review."
    )
    if tables.agreement is not None:
        about = (
            "Respondent mode: several respondents per council. Every table of councils' answers gives each "
            f"council's consensus of its respondents' scores ({tables.agreement.rule}: see Consensus rule below). "
            "The respondents' own answers are on the sheets Agreement (per council and value code: the spread, "
            "the disagreement flag and the consensus), Agreement map (the spread, council by value code), By "
            f"department and By role. {about}"
        )
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 100)
    sheet.merge_range(1, 0, 1, 1, fit_cell(about), fmt.subtitle)  # not a data sheet: a merged line of prose
    sheet.set_row(1, row_height([(about, 38 + 100)], 11))
    row = 24
    write_text(sheet, row, 0, "Returns", fmt.label)
    for label, value in tables.overview:
        row += 1
        write_text(sheet, row, 0, label, fmt.text)
        if isinstance(value, float):
            sheet.write_number(row, 1, value, fmt.percent)
        elif isinstance(value, int):
            sheet.write_number(row, 1, value, fmt.number)
        else:
            write_text(sheet, row, 1, str(value), fmt.text)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)
