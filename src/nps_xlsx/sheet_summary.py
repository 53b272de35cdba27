"""The live "Your summary" sheet: formula counts per level and two native charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import layout
from .rubric import Rubric
from .style import category_colours

if TYPE_CHECKING:
    import xlsxwriter

    from .template import Formats

TABLE_ROW = 3  # header row of the counts table
NOT_ANSWERED = "Not answered"


def column_labels(rubric: Rubric) -> list[str]:
    """The count columns: each level, Unscored, Not answered."""
    return [*layout.score_choices(rubric), NOT_ANSWERED]


def write_summary_sheet(workbook: xlsxwriter.Workbook, formats: Formats, rubric: Rubric):
    """Add the summary sheet and return it."""
    sheet = workbook.add_worksheet(layout.SUMMARY_SHEET)
    labels = column_labels(rubric)
    n_levels = len(rubric.levels)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, len(labels) + 1, 12)
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
        letter = layout.column_letter(col)
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
            "x_scale": 1.45,
            "y_scale": 1.2,
            "description": "Column chart: how many value codes you have given each level, "
            "plus unscored and not answered.",
        },
    )
    sheet.insert_chart(
        chart_row + 20,
        0,
        _area_chart(workbook, rubric, first, last),
        {
            "x_scale": 1.9,
            "y_scale": 1.7,
            "description": "Stacked bar chart: for each key area, how many value codes you have given each level.",
        },
    )
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)
    return sheet


def _overall_chart(workbook: xlsxwriter.Workbook, rubric: Rubric, total_row: int):
    labels = column_labels(rubric)
    chart = workbook.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "Value codes",
            "categories": [layout.SUMMARY_SHEET, TABLE_ROW, 1, TABLE_ROW, len(labels)],
            "values": [layout.SUMMARY_SHEET, total_row, 1, total_row, len(labels)],
            "points": [
                {"fill": {"color": c}, "border": {"color": "#595959"}} for c in category_colours(len(rubric.levels))
            ],
            "data_labels": {"value": True},
            "gap": 60,
        }
    )
    chart.set_title({"name": "Overall score distribution"})
    chart.set_x_axis({"name": "Level"})
    chart.set_y_axis({"name": "Number of value codes", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    return chart


def _area_chart(workbook: xlsxwriter.Workbook, rubric: Rubric, first: int, last: int):
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
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
    chart.set_x_axis({"name": "Number of value codes", "min": 0})
    chart.set_y_axis({"name": "Key area", "reverse": True})
    chart.set_legend({"position": "bottom"})
    return chart
