"""The summary's sheets comparing this round with the previous one (see :mod:`nps_xlsx.collect.rounds`): councils by
round, movement by key area (with a chart of the area medians then and now) and by value code, and the movers."""

from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook

from ..rubric import Rubric
from .rounds import Comparison
from .sheets import COUNT_WIDTH, Rows, SummaryFormats, alt_text, table_sheet


def write_round_sheets(book: Workbook, fmt: SummaryFormats, rows: Rows, rounds: Comparison, rubric: Rubric) -> None:
    """The movement since the previous round: councils matched, movement by key area (with a chart of the area
    medians then and now) and by value code, and the councils that moved most."""
    wrap = {"Council": 30, "Council, previous": 30}
    table_sheet(book, fmt, rows, "Councils by round", rounds.councils, "CouncilsByRound", wrap=wrap)
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
    sheet = table_sheet(
        book, fmt, rows, "Movement by key area", rounds.by_area, "MovementByKeyArea", wrap, widths, formats, freeze=2
    )
    table_sheet(
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
    table_sheet(book, fmt, rows, "Movers", rounds.movers, "Movers", wrap, dict.fromkeys(formats, COUNT_WIDTH), formats)
    n_areas = len(rubric.areas)
    title = f"Median area score, {rounds.then_label} and {rounds.now_label} (councils in both rounds)"
    sheet.insert_chart(
        2 * n_areas + 3, 0, _medians_chart(book, rounds, n_areas, title, len(rubric.levels)), alt_text(title, 2.0, 1.6)
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
