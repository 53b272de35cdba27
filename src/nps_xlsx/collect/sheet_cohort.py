"""The summary's cohort sheets (see :mod:`nps_xlsx.collect.cohort`): statistics per value code, the widest spread, and
with ``--group-by`` participation, key areas and value codes per segment, with a chart per grouping and key area.

Written in the house style of :mod:`nps_xlsx.collect.sheets`.
"""

from __future__ import annotations

import math
from functools import partial

from xlsxwriter.workbook import Workbook

from ..layout import categories
from ..rubric import Rubric
from .cohort import Cohort
from .sheets import COUNT_WIDTH, Rows, SummaryFormats, alt_text, chart_sheet, stacked_chart, table_sheet

AREAS_SHEET = "Segments by key area"
CHART_WIDTH = 640  # pixels: a portrait A4 page's width
ROW_PIXELS = 20
PAGE_ROWS = 48  # default rows on a portrait A4 page, fitted to its width


def write_cohort_sheets(book: Workbook, fmt: SummaryFormats, rows: Rows, cohort: Cohort, rubric: Rubric) -> None:
    """The sheets "Value code statistics" and "Widest spread"; with groupings, "Segments", "Segments by key
    area", "Segment charts" and "Value codes by segment"."""
    table = partial(table_sheet, book, fmt, rows)
    stats = {
        "Median": fmt.one_place,
        "Lower quartile": fmt.two_places,
        "Upper quartile": fmt.two_places,
        "Interquartile range": fmt.two_places,
        "Minimum": fmt.integer,
        "Maximum": fmt.integer,
        **dict.fromkeys([c for c in cohort.statistics.columns if c.startswith("At ")], fmt.share),
        "Unscored or blank": fmt.share,
    }
    wrap = {"Value code": 32, "Key area": 28, "Grouping": 16, "Segment": 26}
    table("Value code statistics", cohort.statistics, "ValueCodeStatistics", wrap, formats=stats, freeze=2)
    table("Widest spread", cohort.widest, "WidestSpread", wrap, formats=stats, freeze=3)
    if not cohort.groupings:
        return
    shares = {"Share returned": fmt.share}
    table("Segments", cohort.participation, "Segments", wrap, formats=shares, freeze=2)
    counts = dict.fromkeys([*categories(rubric), "Total"], COUNT_WIDTH)
    areas = {"Median": fmt.one_place}
    table(AREAS_SHEET, cohort.areas, "SegmentAreas", wrap, counts, areas, freeze=3)
    _charts_sheet(book, cohort, rubric)
    table("Value codes by segment", cohort.by_segment, "SegmentValueCodes", wrap, formats=stats, freeze=3)


def _charts_sheet(book: Workbook, cohort: Cohort, rubric: Rubric) -> None:
    """A 100% stacked bar chart per grouping and key area, a bar per segment, charts whole on each page."""
    sheet = chart_sheet(book, "Segment charts", pages_down=0)
    row, breaks = 0, []
    blocks = cohort.areas.groupby(["Grouping", "Key area"], sort=False).indices
    for (grouping, area), at in blocks.items():
        title = f"{area}: by {grouping}"
        share = "Share of the segment's answers"
        bars = (int(at[0]), int(at[-1]))
        chart = stacked_chart(book, rubric, AREAS_SHEET, cohort.areas, title, share, rows=bars, label="Segment")
        height = 150 + 24 * len(at)
        rows = math.ceil(height / ROW_PIXELS) + 1
        if row and row % PAGE_ROWS + rows > PAGE_ROWS:  # start the chart on a new page
            row += PAGE_ROWS - row % PAGE_ROWS
            breaks.append(row)
        sheet.insert_chart(row, 0, chart, alt_text(title, CHART_WIDTH / 480, height / 288))
        row += rows
    sheet.set_h_pagebreaks(breaks)
