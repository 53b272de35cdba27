"""The summary's respondent-mode sheets (see :mod:`nps_xlsx.collect.agreement`), in the house style of
:mod:`nps_xlsx.collect.sheets`: "Agreement" (per council and value code: respondents, scores, median, minimum,
maximum, spread, the disagreement flag and the consensus), "Agreement map" (value code x council: the spread, each
cell filled by its band and bold from a disagreement on, the number always shown), and "By department" and "By
role" (each group's median per key area), each with a chart sheet."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..a1 import column_letter
from ..rubric import Rubric
from ..style import FONT
from .agreement import DISAGREEMENT, RULE_TEXT, Agreement
from .sheets import COUNT_WIDTH, Rows, SummaryFormats, alt_text, chart_sheet, table_sheet

YES = "Yes"
COUNCIL_WIDTH = 12  # a council's column on the map: its name wraps in the header
HEADERS = {
    "council": "Council",
    "council_code": "Code",
    "code_id": "ID",
    "value_code": "Value code",
    "n_respondents": "Respondents",
    "n": "Scored",
    "median": "Median",
    "min": "Minimum",
    "max": "Maximum",
    "spread": "Spread",
    "disagreement": "Disagreement",
    "score": "Consensus",
    "level": "Consensus level",
}
# The map's fills, by spread: all agree (0) to the widest; from DISAGREEMENT on, amber to red, the number bold.
SPREAD_FILLS = ("#E2EFDA", "#F2F2F2", "#FFE699", "#F4B183", "#E06666")
MAP_SHEET = "Agreement map"
MAP_COLUMNS = ("ID", "Value code", "Key area")  # the map's first columns; a column per council follows


def agreement_rows(agreed: Agreement) -> pd.DataFrame:
    """The sheet "Agreement": :data:`HEADERS` in that order, the disagreement flag as ``Yes`` or blank."""
    table = agreed.table.assign(disagreement=agreed.table["disagreement"].map({True: YES, False: None}))
    return table[list(HEADERS)].rename(columns=HEADERS)


def spread_map(agreed: Agreement, rubric: Rubric) -> pd.DataFrame:
    """Value code x council: the spread of each council's respondents' scores (blank where none scored). A row
    per value code (ID, value code, key area), a column per council named as it is (with its code where two names
    are alike, ignoring case), so that a council's column reads down its value codes."""
    table = agreed.table
    key = table["council_code"].where(table["council_code"] != "", "name:" + table["council"])
    councils = table.assign(key=key).drop_duplicates("key")
    headers: list[str] = []
    taken = {c.casefold() for c in MAP_COLUMNS}
    for name, code in zip(councils["council"], councils["council_code"], strict=True):
        header = name or code
        if header.casefold() in taken:
            header = f"{header} ({code})" if code else header
        while header.casefold() in taken:
            header += "'"
        taken.add(header.casefold())
        headers.append(header)
    spreads = table.assign(key=key).pivot(index="code_id", columns="key", values="spread")
    ids = [code.id for code in rubric.value_codes]
    spreads = spreads.reindex(index=ids, columns=councils["key"].to_numpy()).set_axis(headers, axis=1)
    spreads = spreads.astype(object).where(spreads.notna(), None)
    spreads.insert(0, MAP_COLUMNS[0], ids)
    spreads.insert(1, MAP_COLUMNS[1], [code.name for code in rubric.value_codes])
    spreads.insert(2, MAP_COLUMNS[2], [rubric.area_of(code).name for code in ids])
    return spreads.reset_index(drop=True)


def group_rows(groups: pd.DataFrame, column: str) -> pd.DataFrame:
    """The sheet "By department" (or "By role"): the group, the key area, its respondents, scores and median."""
    names = {column: column.capitalize(), "area": "Key area", "respondents": "Respondents"}
    return groups.rename(columns={**names, "n": "Scored", "median": "Median"})


def agreement_overview(agreed: Agreement, reason: str) -> list[tuple[str, object]]:
    """The Overview's lines in respondent mode: why, the consensus rule, the disagreements, how to read the map."""
    table = agreed.table
    return [
        ("Respondent mode", f"{reason}; the tables of councils' answers give each council's consensus"),
        ("Consensus rule", f"{agreed.rule}: {RULE_TEXT[agreed.rule]}; Unscored if nobody scored but one chose it"),
        (f"Disagreements (spread of {DISAGREEMENT} or more)", int(table["disagreement"].sum())),
        ("  of value codes, per council", len(table)),
        (
            "Agreement map",
            f"each council's spread per value code, the highest minus the lowest score: 0 (all agree, green) up; "
            f"{DISAGREEMENT} or more is a disagreement (bold, amber to red)",
        ),
    ]


def write_agreement_sheets(book: Workbook, fmt: SummaryFormats, rows: Rows, agreed: Agreement, rubric: Rubric) -> None:
    """The sheets "Agreement", "Agreement map", "By department" and "By role"."""
    numbers = {"Median": fmt.one_place, "Minimum": fmt.integer, "Maximum": fmt.integer, "Spread": fmt.integer}
    wrap = {"Council": 24, "Value code": 28, "Consensus level": 12}
    widths = dict.fromkeys(["Respondents", "Scored", *numbers, "Disagreement", "Consensus"], COUNT_WIDTH)
    table = agreement_rows(agreed)
    sheet = table_sheet(book, fmt, rows, "Agreement", table, "Agreement", wrap, widths, numbers, freeze=3)
    spread_col = list(table.columns).index("Spread")
    spread_fills(book, sheet, (1, spread_col, len(table), spread_col), len(rubric.levels))
    matrix = spread_map(agreed, rubric)
    councils = list(matrix.columns[len(MAP_COLUMNS) :])
    wrap = {"Value code": 30, "Key area": 30, **dict.fromkeys(councils, COUNCIL_WIDTH)}
    centred = dict.fromkeys(councils, fmt.centre)
    sheet = table_sheet(book, fmt, rows, MAP_SHEET, matrix, "AgreementMap", wrap, formats=centred, freeze=3)
    spread_fills(book, sheet, (1, len(MAP_COLUMNS), len(matrix), len(matrix.columns) - 1), len(rubric.levels))
    for column, title, name in (("department", "By department", "ByDepartment"), ("role", "By role", "ByRole")):
        groups = agreed.departments if column == "department" else agreed.roles
        shown = group_rows(groups, column)
        formats = {"Median": fmt.one_place, "Respondents": fmt.integer, "Scored": fmt.integer}
        label = str(shown.columns[0])
        wrap = {label: 26, "Key area": 34}
        table_sheet(book, fmt, rows, title, shown, name, wrap, dict.fromkeys(formats, COUNT_WIDTH), formats)
        n_groups = max(1, shown[label].nunique())
        n_areas = len(shown) // n_groups
        if n_areas:
            chart_title = f"Median score per key area, {title.lower()}"
            chart = _groups_chart(book, title, shown, n_areas, chart_title, len(rubric.levels))
            height = (150 + 12 * n_areas * (n_groups + 1)) / 288
            place = chart_sheet(book, f"{title} (chart)")
            place.insert_chart(0, 0, chart, alt_text(chart_title, 1.35, max(1.6, height)))


def spread_fills(book: Workbook, sheet: Worksheet, cells: tuple[int, int, int, int], n_levels: int) -> None:
    """Fill each spread by its band (:data:`SPREAD_FILLS`), bold from :data:`DISAGREEMENT` on."""
    first_row, first_col, last_row, last_col = cells
    if last_row < first_row:
        return
    widest, cell = n_levels - 1, f"{column_letter(first_col)}{first_row + 1}"  # relative to the range's first cell
    for spread in range(widest + 1):
        fill = SPREAD_FILLS[min(spread, len(SPREAD_FILLS) - 1)]
        cell_format = book.add_format({"font_name": FONT, "bg_color": fill, "bold": spread >= DISAGREEMENT})
        test = f"{cell}{'>=' if spread == widest else '='}{spread}"  # a blank cell is no spread, not 0
        rule = {"type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{test})", "format": cell_format}
        sheet.conditional_format(first_row, first_col, last_row, last_col, rule)


def _groups_chart(book: Workbook, sheet: str, shown: pd.DataFrame, n_areas: int, title: str, top: int) -> Chart:
    """Clustered bars: each key area's median score, a bar per group (the table's blocks of ``n_areas`` rows)."""
    chart = book.add_chart({"type": "bar"})
    assert chart is not None
    median = list(shown.columns).index("Median")
    area = list(shown.columns).index("Key area")
    for block, group in enumerate(dict.fromkeys(shown.iloc[:, 0])):
        first = 1 + block * n_areas
        chart.add_series(
            {
                "name": str(group),
                "categories": [sheet, 1, area, n_areas, area],
                "values": [sheet, first, median, first + n_areas - 1, median],
                "border": {"color": "#404040"},
                "gap": 60,
            }
        )
    chart.set_title({"name": title})
    chart.set_x_axis({"name": "Median of the group's scores in the key area", "min": 0, "max": top, "major_unit": 1})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})  # the key areas name themselves
    chart.set_legend({"position": "bottom"})
    return chart
