"""The live "Your summary" sheet: counts per level (overall and per key area, with charts), then the
grid of which value codes were given each level (the original tool's third view)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import a1, layout
from ..rubric import Rubric
from ..style import A4, category_colours, column_pixels, level_points, row_height

if TYPE_CHECKING:
    import xlsxwriter
    from xlsxwriter.chart import Chart
    from xlsxwriter.worksheet import Worksheet

    from .formats import Formats

TABLE_ROW = 3  # header row of the counts table
NAME_WIDTH, COUNT_WIDTH, LAST_WIDTH = 40, 10, 14  # key area / value code; each count; not answered / your score
OVERALL_CHART = {"x_scale": 1.5, "y_scale": 1.0}
AREA_CHART = {"x_scale": 1.5, "y_scale": 1.6}
DEFAULT_ROW_PX = 20  # a row of the default height (15 pt)
PRINTABLE_PORTRAIT_PX = (8.27 - 1.0) * 96  # A4 portrait less half-inch margins
GRID_HEADER = "Your score"


def write_summary_sheet(workbook: xlsxwriter.Workbook, formats: Formats, rubric: Rubric) -> Worksheet:
    """Add the summary sheet and return it."""
    sheet = workbook.add_worksheet(layout.SUMMARY_SHEET)
    labels = layout.categories(rubric)
    n_levels = len(rubric.levels)
    # the column after Unscored is "Not answered" above and "Your score" in the grid: the wider one
    widths = [NAME_WIDTH] + [COUNT_WIDTH] * (n_levels + 1) + [LAST_WIDTH, COUNT_WIDTH]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, "Your summary", formats.title)
    sheet.set_row(0, 30)
    sheet.write_string(
        1,
        0,
        "How many value codes you have given each level. This page updates as you choose scores.",
        formats.subtitle,
    )

    for col, label in enumerate(["Key area", *labels, "Value codes"]):
        sheet.write_string(TABLE_ROW, col, label, formats.header)
    sheet.set_row(TABLE_ROW, 30)
    for index, area in enumerate(rubric.areas):
        row = TABLE_ROW + 1 + index
        scores = layout.score_range(rubric, area)
        n = len(area.value_codes)
        sheet.write_string(row, 0, area.sheet, formats.cell)
        for level in range(1, n_levels + 1):
            sheet.write_formula(row, level, f'=SUMPRODUCT(--(LEFT(TRIM({scores}),1)="{level}"))', formats.count, 0)
        sheet.write_formula(row, n_levels + 1, f'=COUNTIF({scores},"{rubric.unscored}")', formats.count, 0)
        sheet.write_formula(row, n_levels + 2, f"=COUNTBLANK({scores})", formats.count, n)
        sheet.write_number(row, n_levels + 3, n, formats.count)
    first, last = TABLE_ROW + 1, TABLE_ROW + len(rubric.areas)
    total_row = last + 1
    sheet.write_string(total_row, 0, "All key areas", formats.label_total)
    for col in range(1, len(labels) + 2):
        letter = a1.column_letter(col)
        cached = len(rubric.value_codes) if col >= n_levels + 2 else 0
        sheet.write_formula(
            total_row, col, f"=SUM({letter}{first + 1}:{letter}{last + 1})", formats.count_total, cached
        )

    chart_row = total_row + 2
    sheet.insert_chart(
        chart_row,
        0,
        _overall_chart(workbook, rubric, total_row),
        {
            **OVERALL_CHART,
            "description": "Column chart: how many value codes you have given each level, "
            "plus unscored and not answered.",
        },
    )
    area_row = chart_row + _rows_for(OVERALL_CHART["y_scale"]) + 1  # the charts one above the other
    sheet.insert_chart(
        area_row,
        0,
        _area_chart(workbook, rubric, first, last),
        {
            **AREA_CHART,
            "description": "100% stacked bar chart: for each key area, the share of its value codes "
            "you have given each level.",
        },
    )
    grid_row = grid_header_row(rubric) - 1
    _write_grid(sheet, formats, rubric, grid_row)
    sheet.set_h_pagebreaks([grid_row])
    sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.set_margins(left=0.5, right=0.5)
    sheet.set_print_scale(print_scale(widths))
    sheet.hide_gridlines(2)
    return sheet


def print_scale(widths: Sequence[float]) -> int:
    """The largest print scale (percent) at which these columns fit across an A4 portrait page."""
    # 0.92: LibreOffice draws columns a little wider than Excel's formula
    return min(100, int(92 * PRINTABLE_PORTRAIT_PX / sum(column_pixels(w) for w in widths)))


def _rows_for(y_scale: float) -> int:
    """How many default-height rows a chart of this vertical scale covers (charts are 288 px tall)."""
    return -(-int(288 * y_scale) // DEFAULT_ROW_PX)


def grid_header_row(rubric: Rubric) -> int:
    """The header row of the value-code grid: below the counts table and the two charts, after its heading."""
    chart_row = TABLE_ROW + len(rubric.areas) + 3
    return chart_row + _rows_for(OVERALL_CHART["y_scale"]) + 1 + _rows_for(AREA_CHART["y_scale"]) + 2


def _write_grid(sheet: Worksheet, formats: Formats, rubric: Rubric, top: int) -> None:
    """Every value code against the levels and Unscored; the chosen one is filled in its level's colour.

    The last column repeats the score (a formula, so it is live); conditional formats on the level
    columns test that column, so they need no reference to another sheet.
    """
    n_levels = len(rubric.levels)
    score_col = n_levels + 2
    sheet.write_string(top, 0, "Which value codes you have given each level", formats.heading)
    sheet.set_row(top, 20)
    header = top + 1
    headers = ["Value code", *layout.score_choices(rubric), GRID_HEADER]
    for col, label in enumerate(headers):
        sheet.write_string(header, col, label, formats.header)
    sheet.set_row(header, 30)
    row = header
    for area in rubric.areas:
        row += 1
        sheet.merge_range(row, 0, row, score_col, area.name, formats.grid_area)
        for cells, code in zip(layout.code_cells(rubric, area), area.value_codes, strict=True):
            row += 1
            label = f"{code.id}  {code.name}"
            sheet.write_string(row, 0, label, formats.grid_code)
            for col in range(1, score_col):
                sheet.write_blank(row, col, None, formats.grid_cell)
            score = a1.sheet_ref(area.sheet, a1.cell_ref(cells.row, cells.score_col, absolute=True))
            sheet.write_formula(row, score_col, f'=""&{score}', formats.grid_score, "")
            sheet.set_row(row, row_height([(label, NAME_WIDTH)], font_size=9, minimum=13.0, padding=1.0))
    mirror = f"${a1.column_letter(score_col)}{header + 2}"
    unscored = rubric.unscored.replace('"', '""')
    tests = [f'LEFT(TRIM({mirror}),1)="{level}"' for level in range(1, n_levels + 1)]
    tests.append(f'TRIM({mirror})="{unscored}"')
    for col, (test, fill) in enumerate(zip(tests, formats.level_fills, strict=True), start=1):
        sheet.conditional_format(header + 1, col, row, col, {"type": "formula", "criteria": "=" + test, "format": fill})


def _overall_chart(workbook: xlsxwriter.Workbook, rubric: Rubric, total_row: int) -> Chart:
    labels = layout.categories(rubric)
    chart = workbook.add_chart({"type": "column"})
    assert chart is not None  # None only for a chart type xlsxwriter does not know
    chart.add_series(
        {
            "name": "Value codes",
            "categories": [layout.SUMMARY_SHEET, TABLE_ROW, 1, TABLE_ROW, len(labels)],
            "values": [layout.SUMMARY_SHEET, total_row, 1, total_row, len(labels)],
            "points": level_points(len(rubric.levels), "#595959"),
            "data_labels": {"value": True},
            "gap": 60,
        }
    )
    chart.set_title({"name": "Overall score distribution"})
    chart.set_x_axis({"name": "Level"})
    chart.set_y_axis({"name": "Number of value codes", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    return chart


def _area_chart(workbook: xlsxwriter.Workbook, rubric: Rubric, first: int, last: int) -> Chart:
    chart = workbook.add_chart({"type": "bar", "subtype": "percent_stacked"})
    assert chart is not None
    for col, colour in enumerate(category_colours(len(rubric.levels)), start=1):
        chart.add_series(
            {
                "name": [layout.SUMMARY_SHEET, TABLE_ROW, col],
                "categories": [layout.SUMMARY_SHEET, first, 0, last, 0],
                "values": [layout.SUMMARY_SHEET, first, col, last, col],
                "fill": {"color": colour},
                "border": {"color": "#595959"},
                "gap": 50,
            }
        )
    chart.set_title({"name": "Score distribution by key area"})
    chart.set_x_axis({"name": "Share of the key area's value codes", "min": 0, "num_format": "0%"})
    chart.set_y_axis({"name": "Key area", "reverse": True})
    chart.set_legend({"position": "bottom"})
    return chart
