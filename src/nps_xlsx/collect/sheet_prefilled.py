"""Pre-filled returns (``generate --prefill``): per council, how many answers are unchanged since the copy was
issued with its earlier round's answers (see :class:`~nps_xlsx.validate.response.Prefill`), for the summary's sheet
"Pre-filled returns" (house style of :mod:`nps_xlsx.collect.sheets`) and the ledger's ``all_unchanged``."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from ..validate.response import Response
from .collection import Collection
from .sheets import COUNT_WIDTH, Rows, SummaryFormats, table_sheet

COLUMNS = ["Council", "Council code", "Pre-filled from", "Answers", "Unchanged", "Changed", "Every answer unchanged"]
YES, NO = "yes", "no"


def all_unchanged(response: Response | None) -> str | None:
    """The ledger's ``all_unchanged``: ``yes`` for a pre-filled return with every answer as issued, ``no`` for one
    with a change, ``None`` for a return that was not pre-filled."""
    if response is None or response.prefill is None:
        return None
    return YES if response.prefill.all_unchanged else NO


def prefilled_table(collection: Collection) -> pd.DataFrame:
    """One row per used return that was pre-filled, in input order (:data:`COLUMNS`)."""
    rows = []
    for entry in collection.used:
        response = entry.report.response
        if response is None or (prefill := response.prefill) is None:
            continue
        changed = prefill.answers - prefill.unchanged
        flag = YES if prefill.all_unchanged else NO
        rows.append(
            (response.council_name, entry.code, prefill.round, prefill.answers, prefill.unchanged, changed, flag)
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def prefilled_overview(table: pd.DataFrame) -> list[tuple[str, object]]:
    """The Overview's lines on pre-filled returns (none when there are none)."""
    if table.empty:
        return []
    return [
        ("Pre-filled returns (see Pre-filled returns)", len(table)),
        ("  with every answer unchanged", int((table["Every answer unchanged"] == YES).sum())),
    ]


def write_prefilled_sheet(book: Workbook, fmt: SummaryFormats, rows: Rows, table: pd.DataFrame) -> None:
    """The sheet "Pre-filled returns", when any return was pre-filled."""
    if table.empty:
        return
    widths = dict.fromkeys(["Answers", "Unchanged", "Changed"], COUNT_WIDTH)
    formats = dict.fromkeys(["Answers", "Unchanged", "Changed"], fmt.integer)
    wrap = {"Council": 30, "Pre-filled from": 16}
    table_sheet(book, fmt, rows, "Pre-filled returns", table, "PrefilledReturns", wrap, widths, formats, freeze=2)
