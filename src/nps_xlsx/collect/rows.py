"""Data rows of large tables, written as worksheet XML directly and spliced into a finished workbook.

xlsxwriter spends about 20 µs on each cell it writes; at 1,000 returns the summary's tables
hold about 400,000 cells (the Comments table most of them), which made writing the summary
the slowest step of ``collect``. So xlsxwriter writes each table sheet with its header row,
table definition, widths and print setup, and the data rows are written here, in the form
xlsxwriter's constant-memory mode uses (inline strings, the same escapes), to a temporary
file; :func:`~nps_xlsx.collect.xlsxwriter_internals.splice` then inserts them into the sheet's ``<sheetData>``
when the workbook is copied to its destination.
"""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..a1 import column_letter
from ..style import CHARS_PER_WIDTH_UNIT, lines_height, text_lines
from ..text import EXCEL_CELL_LIMIT, escape_text, utf16_len

CELL_PADDING = 2.0  # width units of a wrapped column not counted on when estimating its lines
_HALF_LIMIT = EXCEL_CELL_LIMIT // 2  # text up to this long fits in a cell however it is counted
MEMO_SIZE = 10_000  # distinct texts remembered per repeated column


def fit_cell(text: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """``text`` if one cell can hold it (``limit`` UTF-16 units, as Excel counts); else its start, ending
    with a visible marker that says how long it was: ``… [shortened: 40,000 characters]``."""
    if len(text) <= limit // 2:  # the usual case, decided without counting
        return text
    length = utf16_len(text)
    if length <= limit:
        return text
    marker = f"… [shortened: {length:,} characters]"
    budget = limit - utf16_len(marker)
    head = text[:budget]
    while (excess := utf16_len(head) - budget) > 0:  # characters beyond U+FFFF count two
        head = head[: len(head) - (excess + 1) // 2]
    return head + marker


def is_blank(value: object) -> bool:
    """None, pandas' NA and NaN are written as nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ == "NAType"


@dataclass
class RowWriter:
    """Writes data rows (0-based ``first_row`` onwards) of a table of ``len(styles)`` columns.

    ``styles`` are the xlsxwriter format indices of each column's text cells, ``number_styles`` of
    its number cells. ``wrap`` gives, per column, the width of a column whose text wraps (``None`` for the
    others): a row holding text longer than one line of such a column gets the height
    :func:`~nps_xlsx.style.row_height` estimates (text of ``font_size`` points), as no spreadsheet sizes rows
    by itself. ``repeated`` marks the columns whose texts recur from row to row (names, the rubric's text): each
    distinct text of those is escaped and measured once. Tracks, per column, the longest text written (for
    column widths).
    """

    stream: IO[str]
    first_row: int
    styles: list[int]
    number_styles: list[int]
    wrap: list[float | None] | None = None
    font_size: int = 11
    rows: int = 0
    longest: list[int] = field(default_factory=list)
    repeated: list[bool] | None = None

    def __post_init__(self) -> None:
        self._starts = [f'<c r="{column_letter(col)}' for col in range(len(self.styles))]  # a cell up to its row
        self._numbers: list[dict[int, str]] = [{} for _ in self.styles]  # per column, each integer's cell
        self.longest = [0] * len(self.styles)
        # estimated on a little less than the width: a cell's padding, and proportional fonts, take some
        wrap = [max(1.0, width - CELL_PADDING) if width else None for width in self.wrap or [None] * len(self.styles)]
        chars = CHARS_PER_WIDTH_UNIT[self.font_size]
        self._one_line = [int(width * chars) if width else 0 for width in wrap]  # surely one line (0: never wraps)
        self._widths = [width or 0.0 for width in wrap]  # 0.0 for no width: read only where one_line is set
        # per repeated column, each text's cell (after its reference) and lines (see _text)
        self._known: list[dict[str, tuple[str, int]] | None] = [
            {} if repeats else None for repeats in self.repeated or [False] * len(self.styles)
        ]

    @property
    def last_row(self) -> int:
        """The 0-based index of the last row written (``first_row - 1`` if none)."""
        return self.first_row + self.rows - 1

    def write(self, values: Iterable[object]) -> None:
        """Write the next row: text as text (never a formula or link; shortened by :func:`fit_cell` if a cell
        cannot hold it), numbers as numbers, blanks as nothing."""
        number = self.first_row + self.rows + 1
        row = str(number)
        starts, known, numbers_known = self._starts, self._known, self._numbers
        cells = []
        lines = 0  # of the row's tallest wrapped text; 0 if none wraps
        for col, value in enumerate(values):
            if type(value) is str:
                memo = known[col]
                if memo is None or (seen := memo.get(value)) is None:
                    cell, needs = self._text(col, value, memo)
                else:
                    cell, needs = seen
                if needs > lines:
                    lines = needs
                cells.append(f"{starts[col]}{row}{cell}")
                continue
            if type(value) is int:  # the usual numbers (scores, counts): each one's cell made once
                known_numbers = numbers_known[col]
                if (number_cell := known_numbers.get(value)) is None:
                    if len(known_numbers) >= MEMO_SIZE:
                        known_numbers.clear()
                    number_cell = known_numbers[value] = self._number(col, value)
                cells.append(f"{starts[col]}{row}{number_cell}")
                continue
            if value is None:
                continue
            if type(value) is float and value == value:
                cells.append(f"{starts[col]}{row}{self._number(col, value)}")
                continue
            if is_blank(value):
                continue
            if isinstance(value, bool):
                cells.append(f'{starts[col]}{row}" s="{self.styles[col]}" t="b"><v>{int(value)}</v></c>')
                continue
            if isinstance(value, numbers.Real):  # Python or NumPy numbers
                cells.append(f"{starts[col]}{row}{self._number(col, float(value))}")
                continue
            cell, needs = self._text(col, str(value), known[col])
            if needs > lines:
                lines = needs
            cells.append(f"{starts[col]}{row}{cell}")
        if lines:
            height = lines_height(lines, self.font_size)
            self.stream.write(f'<row r="{number}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>')
        else:
            self.stream.write(f'<row r="{number}">{"".join(cells)}</row>')
        self.rows += 1

    def _number(self, col: int, value: float) -> str:
        """A number cell after its row number."""
        return f'" s="{self.number_styles[col]}"><v>{value:.16G}</v></c>'

    def _text(self, col: int, value: str, memo: dict[str, tuple[str, int]] | None = None) -> tuple[str, int]:
        """A text cell after its row number, and the lines it takes if it wraps (0 if it cannot), remembered in
        ``memo`` (a repeated column's); counts its length towards the column's longest."""
        if memo is not None:
            if len(memo) >= MEMO_SIZE:  # not so few after all: start again
                memo.clear()
            memo[value] = cell = self._text(col, value)
            return cell
        if len(value) > self.longest[col]:
            self.longest[col] = len(value)
        if len(value) > _HALF_LIMIT:
            value = fit_cell(value)
        one_line = self._one_line[col]
        wraps = one_line and (len(value) > one_line or "\n" in value)
        needs = text_lines(value, self._widths[col], self.font_size) if wraps else 0
        text = escape_text(value)
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'" s="{self.styles[col]}" t="inlineStr"><is><t{space}>{text}</t></is></c>', needs


def rows_file(directory: Path) -> Path:
    """A new, empty file for rows in ``directory`` (removed with it)."""
    handle, name = tempfile.mkstemp(suffix=".xml", dir=directory)
    os.close(handle)
    return Path(name)
