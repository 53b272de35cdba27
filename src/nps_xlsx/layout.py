"""Where everything lives in a diagnostic workbook.

The template writer and the return reader both take positions, names and
labels from here, so the two ends of the round trip cannot drift apart.
Rows and columns are 0-based, as in xlsxwriter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .a1 import cell_ref, sheet_ref
from .columns import NOT_ANSWERED, categories_of, score_choices_of

TEMPLATE_ID = "nps-xlsx-diagnostic"
LAYOUT_VERSION = "1"

COVER_SHEET = "Cover"
SUMMARY_SHEET = "Your summary"
META_SHEET = "nps_xlsx_meta"
# The custom document property naming which output of ours a workbook is (see read/own_outputs.py).
OUTPUT_PROPERTY = "nps_output"
RESERVED_SHEETS = (COVER_SHEET, SUMMARY_SHEET, META_SHEET)

# Area sheets: a title row, an introduction row, a header row, then one row per value code.
TITLE_ROW = 0
INTRO_ROW = 1
HEADER_ROW = 2
FIRST_CODE_ROW = 3
ID_COL = 0
NAME_COL = 1
DESCRIPTION_COL = 2
FIRST_LEVEL_COL = 3
ID_HEADER = "ID"
SCORE_HEADER = "Your score"
COMMENT_HEADER = "Your comment"

# Cover inputs: defined name and label, in the order shown.
COVER_FIELDS = (
    ("council_name", "Council name"),
    ("respondent_name", "Your name"),
    ("respondent_role", "Your role"),
    ("respondent_email", "Your email"),
    ("completion_date", "Date completed"),
)
COVER_LABEL_COL = 0
COVER_INPUT_COL = 1
COVER_INSTRUCTIONS_ROW = 4  # "How to complete this workbook" (heading in the row above), before the inputs
COVER_FIRST_INPUT_ROW = 7

# Metadata keys, in the order written to the hidden sheet (column A key, column B value).
META_KEYS = (
    "template_id",
    "layout_version",
    "rubric_id",
    "rubric_version",
    "rubric_title",
    "rubric_fingerprint",
    "tool_version",
    "generated_at",
    "council_code",
    "council_name",
)

MAX_PROPERTY_TEXT = 255  # a custom document property's text, in UTF-16 units (identity travels in them)
MAX_LIST_VALIDATION = 255  # a drop-down list's entries joined by commas
MAX_HEADER_FOOTER = 255


def score_name(code_id: str) -> str:
    """Defined name of a value code's score cell, e.g. ``score_EC1``."""
    return f"score_{code_id}"


def comment_name(code_id: str) -> str:
    """Defined name of a value code's comment cell, e.g. ``comment_EC1``."""
    return f"comment_{code_id}"


def area_footer(short_title: str) -> str:
    """The page footer of a key-area sheet: the rubric's short title, the sheet name, the page number."""
    return f"&L{short_title.replace('&', '&&')} - &A&RPage &P of &N"


class Rubric(Protocol):
    """What the layout needs to know of a rubric (:class:`nps_xlsx.rubric.Rubric` has it)."""

    @property
    def levels(self) -> Sequence[str]: ...
    @property
    def unscored(self) -> str: ...


class ValueCode(Protocol):
    @property
    def id(self) -> str: ...


class KeyArea(Protocol):
    """What the layout needs to know of a key area (:class:`nps_xlsx.rubric.KeyArea` has it)."""

    @property
    def sheet(self) -> str: ...
    @property
    def value_codes(self) -> Sequence[ValueCode]: ...


def score_choices(rubric: Rubric) -> list[str]:
    """Every dropdown entry: the levels in order, then the unscored choice."""
    return score_choices_of(rubric.levels, rubric.unscored)


def categories(rubric: Rubric) -> list[str]:
    """The distribution columns: each level as in the drop-down, then Unscored, then Not answered."""
    return categories_of(rubric.levels, rubric.unscored)


def answer_categories(rubric: Rubric, scores: Iterable[float | None], levels: Iterable[str]) -> list[str]:
    """The distribution column each answer counts in: its level as in the drop-down if scored, else its level
    text (the unscored label) or :data:`~nps_xlsx.columns.NOT_ANSWERED` (a blank level)."""
    labels = categories(rubric)
    return [
        labels[int(score) - 1] if score is not None and score == score else (level or NOT_ANSWERED)
        for score, level in zip(scores, levels, strict=True)
    ]


def score_col(rubric: Rubric) -> int:
    """Column of the score cells on an area sheet."""
    return FIRST_LEVEL_COL + len(rubric.levels)


def comment_col(rubric: Rubric) -> int:
    """Column of the comment cells on an area sheet."""
    return score_col(rubric) + 1


def code_row(index: int) -> int:
    """Row of the ``index``-th (0-based) value code on its area sheet."""
    return FIRST_CODE_ROW + index


def cover_input_row(field_index: int) -> int:
    """Row of the ``field_index``-th cover input (see :data:`COVER_FIELDS`)."""
    return COVER_FIRST_INPUT_ROW + field_index


@dataclass(frozen=True)
class CodeCells:
    """Where one value code's inputs live."""

    code_id: str
    sheet: str
    row: int
    score_col: int
    comment_col: int


def code_cells(rubric: Rubric, area: KeyArea) -> list[CodeCells]:
    """The input cells of every value code of ``area``."""
    return [
        CodeCells(code.id, area.sheet, code_row(i), score_col(rubric), comment_col(rubric))
        for i, code in enumerate(area.value_codes)
    ]


def score_range(rubric: Rubric, area: KeyArea) -> str:
    """The absolute range of an area's score cells, e.g. ``'Enablers'!$I$4:$I$7``."""
    cells = code_cells(rubric, area)
    first = cell_ref(cells[0].row, cells[0].score_col, absolute=True)
    last = cell_ref(cells[-1].row, cells[-1].score_col, absolute=True)
    return sheet_ref(area.sheet, f"{first}:{last}")
