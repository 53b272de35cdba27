"""Value-code IDs are found in every cell of a sheet, as a plain reading of each cell finds them."""

from __future__ import annotations

import math
from datetime import datetime

from nps_xlsx import layout
from nps_xlsx.read.raw import RawCell, RawSheet, RawWorkbook
from nps_xlsx.rubric import load_rubric
from nps_xlsx.validate import check

RUBRIC = load_rubric()
IDS = [code.id for code in RUBRIC.value_codes]


def _cells() -> dict[tuple[int, int], RawCell]:
    """IDs as typed (spaced, lower case, as formulas), look-alikes that are not IDs, and cells of every kind."""
    first, second = IDS[0], IDS[1]
    return {
        (0, 0): RawCell("Value code", "text"),
        (1, 1): RawCell(first, "text"),
        (2, 1): RawCell(f"  {second.lower()} ", "text", True),
        (3, 1): RawCell(first + " ", "text"),  # the same ID again, in another form
        (4, 1): RawCell(first + "x", "text"),
        (5, 1): RawCell(first.ljust(21), "text"),  # more than 20 characters: never an ID
        (6, 1): RawCell("x" * 500, "text"),
        (7, 1): RawCell(math.nan, "number"),
        (8, 1): RawCell(3.0, "number"),
        (9, 1): RawCell(True, "bool"),
        (10, 1): RawCell(datetime(2024, 1, 2), "date"),
        (11, 1): RawCell(first, "error"),  # an ID's text in an error cell is not an ID
        (12, 1): RawCell(None, "uncached", True),
    }


def _expected(sheet: RawSheet) -> dict[str, list[tuple[RawSheet, int, int]]]:
    """What a plain reading of every cell finds, worked out here independently."""
    found: dict[str, list[tuple[RawSheet, int, int]]] = {}
    for (row, col), cell in sheet.cells.items():
        if cell.kind == "text" and isinstance(cell.value, str) and len(cell.value) <= 20:
            for code_id in IDS:
                if cell.value.strip().upper() == code_id.upper():
                    found.setdefault(code_id, []).append((sheet, row, col))
    return found


def _located() -> tuple[RawSheet, dict[str, list[tuple[RawSheet, int, int]]]]:
    sheet = RawSheet(layout.COVER_SHEET, cells=_cells())
    locator = check._Locator(RawWorkbook("xlsx", [sheet], {}), RUBRIC, layout.CURRENT)
    return sheet, locator.id_cells


def test_ids_are_found_in_any_cell_as_a_plain_reading_finds_them() -> None:
    sheet, found = _located()
    assert found == _expected(sheet)
    assert [(row, col) for _sheet, row, col in found[IDS[0]]] == [(1, 1), (3, 1)]  # in the sheet's order
    assert [(row, col) for _sheet, row, col in found[IDS[1]]] == [(2, 1)]
