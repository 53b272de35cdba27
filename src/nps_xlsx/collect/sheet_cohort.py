"""The summary's cohort sheets (see :mod:`nps_xlsx.collect.cohort`): statistics per value code, the widest spread, and
with ``--group-by`` participation, key areas and value codes per segment, with a chart per grouping and key area.

Written in the house style of :mod:`nps_xlsx.collect.summary`, by the helpers it lends (:class:`SummaryKit`), so
that this module need not import it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..layout import categories
from ..rubric import Rubric
from ..style import category_colours
from .cohort import Cohort

AREAS_SHEET = "Segments by key area"
CHART_WIDTH = 640  # pixels: a portrait A4 page's width
ROW_PIXELS = 20
PAGE_ROWS = 48  # default rows on a portrait A4 page, fitted to its width
_REFERENCE = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")  # a chart title xlsxwriter would take for a cell reference


class TableSheet(Protocol):
    """The summary's writer of a sheet holding one Excel Table (see ``summary._table_sheet``)."""

    def __call__(
        self,
        title: str,
        frame: pd.DataFrame,
        name: str,
        wrap: Mapping[str, float] | None = None,
        widths: Mapping[str, float] | None = None,
        formats: Mapping[str, Format] | None = None,
        freeze: int = 1,
    ) -> Worksheet: ...


class NumberFormats(Protocol):
    one_place: Format
    two_places: Format
    integer: Format
    share: Format


@dataclass(frozen=True)
class SummaryKit:
    """What the summary lends its cohort sheets: its table-sheet writer, number formats, chart alt text and
    the width of a column of counts."""

    table_sheet: TableSheet
    formats: NumberFormats
    alt: Callable[[str, float, float], dict[str, str | float]]
    count_width: float


def write_cohort_sheets(book: Workbook, kit: SummaryKit, cohort: Cohort, rubric: Rubric) -> None:
    """The sheets "Value code statistics" and "Widest spread"; with groupings, "Segments", "Segments by key
    area", "Segment charts" and "Value codes by segment"."""
    fmt, table_sheet = kit.formats, kit.table_sheet
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
    table_sheet("Value code statistics", cohort.statistics, "ValueCodeStatistics", wrap, formats=stats, freeze=2)
    table_sheet("Widest spread", cohort.widest, "WidestSpread", wrap, formats=stats, freeze=3)
    if not cohort.groupings:
        return
    shares = {"Share returned": fmt.share}
    table_sheet("Segments", cohort.participation, "Segments", wrap, formats=shares, freeze=2)
    counts = dict.fromkeys([*categories(rubric), "Total"], kit.count_width)
    areas = {"Median": fmt.one_place}
    table_sheet(AREAS_SHEET, cohort.areas, "SegmentAreas", wrap, counts, areas, freeze=3)
    _chart_sheet(book, kit, cohort, rubric)
    table_sheet("Value codes by segment", cohort.by_segment, "SegmentValueCodes", wrap, formats=stats, freeze=3)


def _chart_sheet(book: Workbook, kit: SummaryKit, cohort: Cohort, rubric: Rubric) -> None:
    """A 100% stacked bar chart per grouping and key area, a bar per segment, charts whole on each page."""
    sheet = book.add_worksheet("Segment charts")
    sheet.hide_gridlines(2)
    sheet.set_portrait()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&LSegment charts&RPage &P of &N")
    row, breaks = 0, []
    blocks = cohort.areas.groupby(["Grouping", "Key area"], sort=False).indices
    for (grouping, area), at in blocks.items():
        title = f"{area}: by {grouping}"
        chart = _segment_chart(book, rubric, int(at[0]) + 1, int(at[-1]) + 1, title)
        height = 150 + 24 * len(at)
        rows = math.ceil(height / ROW_PIXELS) + 1
        if row and row % PAGE_ROWS + rows > PAGE_ROWS:  # start the chart on a new page
            row += PAGE_ROWS - row % PAGE_ROWS
            breaks.append(row)
        sheet.insert_chart(row, 0, chart, kit.alt(title, CHART_WIDTH / 480, height / 288))
        row += rows
    sheet.set_h_pagebreaks(breaks)


def _segment_chart(book: Workbook, rubric: Rubric, first: int, last: int, title: str) -> Chart:
    """100% stacked bars of rows ``first``-``last`` of the key-area table: each segment's share at each level."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    assert chart is not None
    first_col = 3  # after Grouping, Segment and Key area
    for offset, colour in enumerate(category_colours(len(rubric.levels))):
        col = first_col + offset
        chart.add_series(
            {
                "name": [AREAS_SHEET, 0, col],
                "categories": [AREAS_SHEET, first, 1, last, 1],
                "values": [AREAS_SHEET, first, col, last, col],
                "fill": {"color": colour},
                "border": {"color": "#404040"},
                "gap": 40,
            }
        )
    chart.set_title({"name": title if not _REFERENCE.match(title) else title.replace("!", "! "), "overlay": False})
    chart.set_x_axis({"name": "Share of the segment's answers", "min": 0, "num_format": "0%"})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    return chart
