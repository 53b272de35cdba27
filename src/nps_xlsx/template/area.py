"""A key-area sheet: introduction, then one row per value code with its inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import a1, layout
from ..rubric import KeyArea, Rubric
from ..style import A4, row_height

if TYPE_CHECKING:
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    from .formats import Formats

# Widths (character units) chosen so that, at 100% zoom on a 1366 px wide screen, the five statements and
# the score fit beside the frozen ID and name columns, and a printed A4 landscape page keeps text at 70% or more.
NAME_WIDTH, DESCRIPTION_WIDTH, LEVEL_WIDTH, SCORE_WIDTH, COMMENT_WIDTH = 18, 22, 23, 15, 30
CHOICE_WIDTHS = {"priority": 10, "support": 10}  # "Priority for us" and "Support wanted" wrap to two lines
MIN_CODE_ROW_HEIGHT = 110.0  # room for a few paragraphs of comment
TARGET_ROW_HEIGHT = 24.0

SCORE_PROMPT = (
    "Choose the level whose statement best describes your council, judged on its weakest area. "
    "Choose Unscored to leave this value code deliberately unscored."
)
SCORE_ERROR = (
    "Please choose one of the levels from the drop-down list (or Unscored). "
    "Typed scores and other text are not accepted."
)


TARGET_PROMPT = (
    "Optional: the level your council aims to reach in this key area. "
    "There are no national targets; choose what is right for your council."
)
TARGET_HINT = "Optional: the level your council aims to reach in this key area (there are no national targets)."
TARGET_ERROR = "Please choose one of the levels from the drop-down list, or leave it blank."
# The drop-downs beside each score: input title, prompt, error title.
CHOICE_PROMPTS = {
    "priority": (
        layout.PRIORITY_HEADER,
        "Optional: how important this value code is to your council: High, Medium or Low.",
        "High, Medium or Low",
    ),
    "support": (
        layout.SUPPORT_HEADER,
        "Optional: Yes if your council would like support on this value code (from the LGA, a hub or peers).",
        "Yes or No",
    ),
}
CHOICES = {"priority": layout.PRIORITY_CHOICES, "support": layout.SUPPORT_CHOICES}


def column_widths(rubric: Rubric, area: KeyArea) -> list[float]:
    """Each column's width: the ID column fits the longest ID, the others are set for wrapped text."""
    id_width = max(4, max(len(code.id) for code in area.value_codes) + 2)
    levels = [LEVEL_WIDTH] * len(rubric.levels)
    widths = {"score": SCORE_WIDTH, "comment": COMMENT_WIDTH, **CHOICE_WIDTHS}
    return [id_width, NAME_WIDTH, DESCRIPTION_WIDTH, *levels, *(widths[which] for which in layout.CURRENT.inputs)]


def write_area_sheet(
    workbook: xlsxwriter.Workbook, formats: Formats, rubric: Rubric, area: KeyArea, prefilled: bool = False
) -> Worksheet:
    """Add the sheet for ``area`` and return it; ``prefilled`` marks each input while it holds its pre-filled
    answer (see :func:`mark_prefilled`)."""
    sheet = workbook.add_worksheet(area.sheet)
    n_levels = len(rubric.levels)
    score_col, comment_col = layout.score_col(rubric), layout.comment_col(rubric)
    widths = column_widths(rubric, area)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)

    sheet.write_string(layout.TITLE_ROW, 0, area.name, formats.title)
    sheet.set_row(layout.TITLE_ROW, 30)
    sheet.write_url(
        layout.TITLE_ROW,
        score_col,
        f"internal:{a1.sheet_ref(layout.COVER_SHEET, 'A1')}",
        formats.link,
        "Back to the cover",
    )

    intro = f"{area.introduction}\nWhat it is: {area.what_it_is}\nWhy it is important: {area.why_it_is_important}"
    # across the ID, name, description and statements: the width a laptop shows without scrolling
    intro_last = score_col - 1
    sheet.merge_range(layout.INTRO_ROW, 0, layout.INTRO_ROW, intro_last, "", formats.text)
    sheet.write_rich_string(
        layout.INTRO_ROW,
        0,
        formats.text,
        area.introduction + "\n",
        formats.bold,
        "What it is: ",
        formats.text,
        area.what_it_is + "\n",
        formats.bold,
        "Why it is important: ",
        formats.text,
        area.why_it_is_important,
        formats.text,
    )
    sheet.set_row(layout.INTRO_ROW, row_height([(intro, sum(widths[: intro_last + 1]))]))

    _write_target(sheet, formats, rubric, area)
    headers = [layout.ID_HEADER, "Value code", "Description", *layout.score_choices(rubric)[:n_levels]]
    headers += [layout.INPUT_HEADERS[which] for which in layout.CURRENT.inputs]
    for col, header in enumerate(headers):
        sheet.write_string(layout.HEADER_ROW, col, header, formats.header)
    sheet.set_row(layout.HEADER_ROW, 30)

    choices = layout.score_choices(rubric)
    for cells, code in zip(layout.code_cells(rubric, area), area.value_codes, strict=True):
        row = cells.row
        sheet.write_string(row, layout.ID_COL, code.id, formats.id)
        sheet.write_string(row, layout.NAME_COL, code.name, formats.bold)
        sheet.write_string(row, layout.DESCRIPTION_COL, code.description, formats.cell)
        for level, statement in enumerate(code.statements):
            sheet.write_string(row, layout.FIRST_LEVEL_COL + level, statement, formats.cell)
        sheet.write_blank(row, score_col, None, formats.score)
        sheet.write_blank(row, comment_col, None, formats.input)
        for which, col in (("priority", cells.priority_col), ("support", cells.support_col)):
            sheet.write_blank(row, col, None, formats.choice)
            title, prompt, error = CHOICE_PROMPTS[which]
            sheet.data_validation(row, col, row, col, _list(list(CHOICES[which]), title, prompt, error))
        texts: list[tuple[str, float]] = [(code.name, NAME_WIDTH), (code.description, DESCRIPTION_WIDTH)]
        texts += [(statement, LEVEL_WIDTH) for statement in code.statements]
        sheet.set_row(row, row_height(texts, minimum=MIN_CODE_ROW_HEIGHT))
        sheet.data_validation(
            row,
            score_col,
            row,
            score_col,
            {
                "validate": "list",
                "source": choices,
                "input_title": "Your score",
                "input_message": SCORE_PROMPT,
                "error_title": "Not a level",
                "error_message": SCORE_ERROR,
                "error_type": "stop",
            },
        )
    last_row = layout.code_row(len(area.value_codes) - 1)
    score_letter = a1.column_letter(score_col)
    for level in range(n_levels):
        col = layout.FIRST_LEVEL_COL + level
        # one rule per level column; the row in the formula is relative, so each row tests its own score
        sheet.conditional_format(
            layout.FIRST_CODE_ROW,
            col,
            last_row,
            col,
            {
                "type": "formula",
                "criteria": f'=LEFT(TRIM(${score_letter}{layout.FIRST_CODE_ROW + 1}),1)="{level + 1}"',
                "format": formats.chosen,
            },
        )
    if prefilled:
        mark_prefilled(sheet, formats, rubric, area)
    # the header rows, and the ID and name of each row, stay in view while scrolling to the score
    sheet.freeze_panes(layout.FIRST_CODE_ROW, layout.NAME_COL + 1)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    sheet.repeat_rows(layout.HEADER_ROW)
    sheet.print_area(0, 0, last_row, comment_col)
    sheet.set_footer(layout.area_footer(rubric.short_title))
    sheet.hide_gridlines(2)
    return sheet


def mark_prefilled(sheet: Worksheet, formats: Formats, rubric: Rubric, area: KeyArea) -> None:
    """Each input of the sheet shown as pre-filled while it holds, exactly, the answer it was issued with (kept on
    the metadata sheet under a defined name: a name, since a conditional format may not refer to another sheet)."""
    for name, (_sheet, row, col) in layout.input_cells(rubric, [area]).items():
        issued = layout.previous_name(name)
        rule = f'=AND({issued}<>"",EXACT({a1.cell_ref(row, col)},{issued}))'
        sheet.conditional_format(row, col, row, col, {"type": "formula", "criteria": rule, "format": formats.prefilled})


def _list(choices: list[str], title: str, prompt: str, error: str) -> dict[str, object]:
    """An inline drop-down list with an input message and a stop-style error alert."""
    return {
        "validate": "list",
        "source": choices,
        "input_title": title,
        "input_message": prompt,
        "error_title": f"Choose {error}"[:32],
        "error_message": f"Please choose {error} from the drop-down list, or leave it blank.",
        "error_type": "stop",
    }


def _write_target(sheet: Worksheet, formats: Formats, rubric: Rubric, area: KeyArea) -> None:
    """The key area's optional target level: label, drop-down and a hint, above the header row."""
    row, col = layout.TARGET_ROW, layout.TARGET_COL
    sheet.write_string(row, layout.NAME_COL, layout.TARGET_LABEL, formats.target_label)
    sheet.write_blank(row, col, None, formats.score)
    sheet.write_string(row, col + 1, TARGET_HINT, formats.hint)
    sheet.set_row(row, TARGET_ROW_HEIGHT)
    validation = _list(layout.level_choices(rubric), layout.TARGET_LABEL, TARGET_PROMPT, "a level")
    sheet.data_validation(
        row, col, row, col, {**validation, "error_title": "Not a level", "error_message": TARGET_ERROR}
    )
