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
LAYOUT_VERSION = "2"

COVER_SHEET = "Cover"
SUMMARY_SHEET = "Your summary"
META_SHEET = "nps_xlsx_meta"
# The custom document property naming which output of ours a workbook is (see read/own_outputs.py).
OUTPUT_PROPERTY = "nps_output"
RESERVED_SHEETS = (COVER_SHEET, SUMMARY_SHEET, META_SHEET)

# Area sheets: a title row, an introduction row, the target level's row, a header row, then one row per value code.
TITLE_ROW = 0
INTRO_ROW = 1
TARGET_ROW = 2
HEADER_ROW = 3
FIRST_CODE_ROW = 4
ID_COL = 0
NAME_COL = 1
DESCRIPTION_COL = 2
FIRST_LEVEL_COL = 3
TARGET_COL = DESCRIPTION_COL  # the target level's drop-down; its label is in the name column, to its left
ID_HEADER = "ID"
SCORE_HEADER = "Your score"
COMMENT_HEADER = "Your comment"
PRIORITY_HEADER = "Priority for us"
SUPPORT_HEADER = "Support wanted"
TARGET_LABEL = "Your target level"
PRIORITY_CHOICES = ("High", "Medium", "Low")
SUPPORT_CHOICES = ("Yes", "No")
# Each input of a value code's row: its header on the sheet.
INPUT_HEADERS = {
    "score": SCORE_HEADER,
    "priority": PRIORITY_HEADER,
    "support": SUPPORT_HEADER,
    "comment": COMMENT_HEADER,
}


@dataclass(frozen=True)
class Version:
    """Where one layout version of the template puts a key-area sheet's inputs, and which inputs it has.

    ``inputs`` are the value-code row's input columns in order, the first just after the last level's;
    ``target`` is the (row, column) of a key area's target level, ``None`` if the version has none.
    """

    version: str
    header_row: int
    first_code_row: int
    inputs: tuple[str, ...]
    target: tuple[int, int] | None = None

    def column(self, n_levels: int, which: str) -> int | None:
        """The column of input ``which`` (``score``, ``comment``...) on a sheet of ``n_levels`` levels, or ``None``
        if this version has no such input."""
        return FIRST_LEVEL_COL + n_levels + self.inputs.index(which) if which in self.inputs else None


# The compatibility table: every layout version ever issued, so a return of any of them is read exactly.
VERSIONS = {
    "1": Version("1", header_row=2, first_code_row=3, inputs=("score", "comment")),
    # a target level per key area; priority and support wanted beside each score
    "2": Version(
        "2", HEADER_ROW, FIRST_CODE_ROW, ("score", "priority", "support", "comment"), (TARGET_ROW, TARGET_COL)
    ),
}
CURRENT = VERSIONS[LAYOUT_VERSION]


def layout_version(found: str | None) -> Version | None:
    """The layout of a workbook whose identity says ``found`` (none said: the first), or ``None`` if this
    nps-xlsx does not know it (a newer one made it)."""
    return VERSIONS.get((found or "1").strip())


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

# The identity record's keys for a respondent's copy: its id (or email), name, department and role.
RESPONDENT_KEYS = ("respondent_id", "respondent_name", "respondent_department", "respondent_role")

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
    # a respondent's copy (generate --respondents): who it was issued to; blank in any other workbook
    *RESPONDENT_KEYS,
)

# A pre-filled copy (``generate --prefill``) keeps the answers it was issued with on the metadata sheet, below the
# identity after a blank row: the round they came from, then each input's text under ``previous_<its defined
# name>`` (column A the key, column B the text; blank for an input issued blank). Each of those value cells is also
# a defined name of the same key, which the input's conditional format compares the input with.
PREVIOUS_ROUND_KEY = "previous_round"
PREVIOUS_FIRST_ROW = len(META_KEYS) + 2

MAX_PROPERTY_TEXT = 255  # a custom document property's text, in UTF-16 units (identity travels in them)
MAX_LIST_VALIDATION = 255  # a drop-down list's entries joined by commas
MAX_HEADER_FOOTER = 255


def score_name(code_id: str) -> str:
    """Defined name of a value code's score cell, e.g. ``score_EC1``."""
    return f"score_{code_id}"


def comment_name(code_id: str) -> str:
    """Defined name of a value code's comment cell, e.g. ``comment_EC1``."""
    return f"comment_{code_id}"


def priority_name(code_id: str) -> str:
    """Defined name of a value code's "Priority for us" cell, e.g. ``priority_EC1``."""
    return f"priority_{code_id}"


def support_name(code_id: str) -> str:
    """Defined name of a value code's "Support wanted" cell, e.g. ``support_EC1``."""
    return f"support_{code_id}"


def target_name(area_id: str) -> str:
    """Defined name of a key area's target level, e.g. ``target_EC``."""
    return f"target_{area_id}"


def previous_name(input_name: str) -> str:
    """Key (and defined name) of the answer an input was pre-filled with, e.g. ``previous_score_EC1``."""
    return f"previous_{input_name}"


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
    def id(self) -> str: ...
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


def level_choices(rubric: Rubric) -> list[str]:
    """The target level's drop-down entries: the levels only (a target is a level)."""
    return score_choices(rubric)[: len(rubric.levels)]


def input_col(rubric: Rubric, which: str) -> int:
    """Column of input ``which`` (``score``, ``priority``, ``support``, ``comment``) on an area sheet."""
    col = CURRENT.column(len(rubric.levels), which)
    assert col is not None, which
    return col


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
    return input_col(rubric, "score")


def comment_col(rubric: Rubric) -> int:
    """Column of the comment cells on an area sheet."""
    return input_col(rubric, "comment")


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
    priority_col: int
    support_col: int


def code_cells(rubric: Rubric, area: KeyArea) -> list[CodeCells]:
    """The input cells of every value code of ``area``."""
    cols = [input_col(rubric, which) for which in ("score", "comment", "priority", "support")]
    return [CodeCells(code.id, area.sheet, code_row(i), *cols) for i, code in enumerate(area.value_codes)]


def score_range(rubric: Rubric, area: KeyArea) -> str:
    """The absolute range of an area's score cells, e.g. ``'Enablers'!$I$4:$I$7``."""
    cells = code_cells(rubric, area)
    first = cell_ref(cells[0].row, cells[0].score_col, absolute=True)
    last = cell_ref(cells[-1].row, cells[-1].score_col, absolute=True)
    return sheet_ref(area.sheet, f"{first}:{last}")


def target_ranges(areas: Sequence[KeyArea]) -> str:
    """The target level cells of ``areas``, comma-separated absolute references (a formula's arguments)."""
    ref = cell_ref(TARGET_ROW, TARGET_COL, absolute=True)
    return ",".join(sheet_ref(area.sheet, ref) for area in areas)


def input_cells(rubric: Rubric, areas: Sequence[KeyArea]) -> dict[str, tuple[str, int, int]]:
    """Every input a council answers on the key-area sheets, by defined name: (sheet, row, column), in sheet order
    (each area's target level, then each value code's score, priority, support wanted and comment)."""
    cells = {}
    for area in areas:
        cells[target_name(area.id)] = (area.sheet, TARGET_ROW, TARGET_COL)
        for at in code_cells(rubric, area):
            cells[score_name(at.code_id)] = (area.sheet, at.row, at.score_col)
            cells[priority_name(at.code_id)] = (area.sheet, at.row, at.priority_col)
            cells[support_name(at.code_id)] = (area.sheet, at.row, at.support_col)
            cells[comment_name(at.code_id)] = (area.sheet, at.row, at.comment_col)
    return cells


def previous_cells(rubric: Rubric, areas: Sequence[KeyArea]) -> dict[str, tuple[str, int, int]]:
    """Where a pre-filled copy keeps the answer each input was issued with, by key (:func:`previous_name`):
    (metadata sheet, row, column B), in the order of :func:`input_cells`."""
    first = PREVIOUS_FIRST_ROW + 1  # after the round's row
    names = input_cells(rubric, areas)
    return {previous_name(name): (META_SHEET, first + i, 1) for i, name in enumerate(names)}
