"""The summary's ambition sheets (see :mod:`nps_xlsx.collect.ambition`): the target levels chosen per key area,
each council's gap to its targets, the value codes most often marked High priority and most often marked for
support (with the councils asking). Written in the house style of :mod:`nps_xlsx.collect.sheets`."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from ..columns import PRIORITY_HEADERS
from ..layout import level_choices
from ..rubric import Rubric
from .ambition import NO_TARGET, Ambition
from .sheets import COUNT_WIDTH, Rows, SummaryFormats, table_sheet

PRIORITY_SHEET = ["Grouping", "Segment", "Rank", "ID", "Value code", "Key area", "Returns", "High", "Medium", "Low"]
SUPPORT_SHEET = ["Grouping", "Segment", "Rank", "ID", "Value code", "Key area", "Returns", "Support: yes"]
SUPPORT_SHEET += ["Support: no", "Councils asking for support"]


def write_ambition_sheets(book: Workbook, fmt: SummaryFormats, rows: Rows, ambition: Ambition, rubric: Rubric) -> None:
    """The sheets "Targets", "Target gaps", "Priorities" and "Support wanted"."""
    counts = [*level_choices(rubric), NO_TARGET, "Councils", "Below target", "At or above target"]
    formats = {"Median target": fmt.one_place, "Median gap": fmt.signed}
    widths = dict.fromkeys([*counts, *formats], COUNT_WIDTH)
    wrap = {"Key area": 34, "Council": 30, "Value code": 32, "Grouping": 16, "Segment": 22}
    table_sheet(book, fmt, rows, "Targets", ambition.distribution, "Targets", wrap, widths, formats)
    formats = {"Area median": fmt.one_place, "Target": fmt.integer, "Gap": fmt.signed}
    table_sheet(book, fmt, rows, "Target gaps", ambition.gaps, "TargetGaps", wrap, formats=formats, freeze=2)
    shown = ambition.priorities.rename(columns=PRIORITY_HEADERS)
    for title, name, rank, columns in (
        ("Priorities", "Priorities", "Rank by High", PRIORITY_SHEET),
        ("Support wanted", "SupportWanted", "Rank by support", SUPPORT_SHEET),
    ):
        table = _ranked(shown, rank)[columns]
        wrap = {**wrap, "Councils asking for support": 50}
        widths = dict.fromkeys(["Returns", "High", "Medium", "Low", "Support: yes", "Support: no"], 9)
        table_sheet(book, fmt, rows, title, table, name, wrap, widths, freeze=4)


def _ranked(table: pd.DataFrame, rank: str) -> pd.DataFrame:
    """Each scope's value codes by ``rank`` (ties in rubric order), the scopes in their order."""
    scope = table[["Grouping", "Segment"]]
    order = (scope != scope.shift()).any(axis=1).cumsum()
    ranked = table.assign(_scope=order).sort_values(["_scope", rank], kind="stable")
    return ranked.rename(columns={rank: "Rank"}).reset_index(drop=True)
