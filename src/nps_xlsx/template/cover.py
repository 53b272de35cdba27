"""The cover sheet: title, the respondent's details, progress, instructions and key."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .. import a1, layout
from ..councils import Council
from ..respondents import Respondent
from ..rubric import Rubric
from ..style import A4, category_colours, row_height

if TYPE_CHECKING:
    import xlsxwriter
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from .formats import Formats

INPUT_WIDTH = 60
FIELD_PROMPTS = {
    "council_name": "The full name of your council, e.g. Dacorum Borough Council.",
    "respondent_name": "The name of the person completing this workbook.",
    "respondent_role": "Your job title or role.",
    "respondent_email": "An email address we can reply to.",
    "completion_date": "The date you finished this workbook, e.g. 31/01/2027.",
}


def write_cover_sheet(
    workbook: xlsxwriter.Workbook,
    formats: Formats,
    rubric: Rubric,
    council: Council | None,
    meta: dict[str, str],
    prefilled_from: str | None = None,
    respondent: Respondent | None = None,
) -> Worksheet:
    """Add the cover sheet and return it; ``prefilled_from`` (a round) says the copy is pre-filled, ``respondent``
    whose copy it is."""
    sheet = workbook.add_worksheet(layout.COVER_SHEET)
    widths = _column_widths(rubric)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    full_width = sum(widths)

    sheet.write_string(0, 0, rubric.title, formats.title)
    sheet.set_row(0, 30)
    subtitle = f"Self-assessment for {council.name} ({council.code})" if council else "Self-assessment workbook"
    sheet.write_string(1, 0, subtitle, formats.subtitle)
    if prefilled_from is not None:
        _write_paragraph(sheet, formats, 2, prefilled_notice(prefilled_from), full_width, formats.notice)

    # The instructions come first: they refer to "the yellow cells below".
    sheet.write_string(layout.COVER_INSTRUCTIONS_ROW - 1, 0, "How to complete this workbook", formats.heading)
    _write_paragraph(sheet, formats, layout.COVER_INSTRUCTIONS_ROW, rubric.guidance.how_to_complete, full_width)

    sheet.write_string(layout.COVER_FIRST_INPUT_ROW - 1, 0, "Your details", formats.heading)
    if respondent:  # beside the heading, across the input and progress columns, wrapped
        notice = respondent_notice(respondent)
        sheet.merge_range(
            layout.COVER_FIRST_INPUT_ROW - 1, 1, layout.COVER_FIRST_INPUT_ROW - 1, 2, notice, formats.notice
        )
        sheet.set_row(layout.COVER_FIRST_INPUT_ROW - 1, row_height([(notice, widths[1] + widths[2])], minimum=20))
    for index, (name, label) in enumerate(layout.COVER_FIELDS):
        row = layout.cover_input_row(index)
        sheet.write_string(row, layout.COVER_LABEL_COL, label, formats.bold)
        cell_format = formats.date if name == "completion_date" else formats.input
        if name == "council_name" and council:
            sheet.write_string(row, layout.COVER_INPUT_COL, council.name, cell_format)
        else:
            sheet.write_blank(row, layout.COVER_INPUT_COL, None, cell_format)
        sheet.data_validation(
            row, layout.COVER_INPUT_COL, row, layout.COVER_INPUT_COL, _field_validation(name, label, row)
        )
        sheet.set_row(row, 20)

    row = layout.cover_input_row(len(layout.COVER_FIELDS))
    total = len(rubric.value_codes)
    sheet.write_string(row, 0, "Progress", formats.bold)
    ranges = ",".join(layout.score_range(rubric, area) for area in rubric.areas)
    sheet.write_formula(row, 1, f'=COUNTA({ranges})&" of {total} answered"', formats.bold, f"0 of {total} answered")
    row += 1  # targets are counted apart from the scores: they are optional
    n_areas = len(rubric.areas)
    sheet.write_string(row, 0, "Target levels", formats.bold)
    targets = f"0 of {n_areas} key areas have a target"
    formula = f'=COUNTA({layout.target_ranges(rubric.areas)})&" of {n_areas} key areas have a target"'
    sheet.write_formula(row, 1, formula, formats.text, targets)

    row += 2
    sheet.write_string(row, 0, "Key", formats.heading)
    colours = category_colours(len(rubric.levels))
    for index, choice in enumerate(layout.score_choices(rubric)):
        row += 1
        swatch = workbook.add_format(
            {
                "bg_color": colours[index],
                "border": 1,
                "font_size": 10,
                "bold": True,
                "font_color": "#FFFFFF" if 2 < index < len(rubric.levels) else "#000000",
            }
        )
        sheet.write_string(row, 0, choice, swatch)
    sheet.write_string(row, 1, "You decided not to score this value code", formats.text)
    row += 1
    sheet.write_string(row, 0, "(blank)", formats.bold)
    sheet.write_string(row, 1, "Not answered yet", formats.text)

    row += 2
    sheet.write_string(row, 0, "Key areas", formats.heading)
    for area in rubric.areas:
        row += 1
        target = f"internal:{a1.sheet_ref(area.sheet, 'A1')}"
        sheet.write_url(row, 0, target, formats.link, area.sheet, f"Go to {area.name}")
        sheet.write_string(row, 1, area.name, formats.text)
        n = len(area.value_codes)
        sheet.write_formula(
            row,
            2,
            f'=COUNTA({layout.score_range(rubric, area)})&" of {n} answered"',
            formats.text,
            f"0 of {n} answered",
        )

    row += 2
    sheet.write_string(row, 0, "About this diagnostic", formats.heading)
    row += 1
    _write_paragraph(sheet, formats, row, rubric.guidance.about, full_width)

    row += 2
    sheet.write_string(row, 0, "Workbook identity", formats.heading)
    identity = [
        ("Template", f"{meta['template_id']} (layout {meta['layout_version']})"),
        ("Rubric", f"{meta['rubric_id']} version {meta['rubric_version']}"),
        ("Rubric fingerprint", meta["rubric_fingerprint"]),
        ("Generated", f"{meta['generated_at']} by nps-xlsx {meta['tool_version']}"),
    ]
    if council:
        identity.append(("Issued to", f"{council.name} ({council.code})"))
    if respondent:
        identity.append(("Respondent", respondent.label()))
    for label, value in identity:
        row += 1
        sheet.write_string(row, 0, label, formats.small)
        sheet.write_string(row, 1, value, formats.small)

    sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.set_margins(left=0.5, right=0.5)
    sheet.fit_to_pages(1, 0)
    sheet.hide_gridlines(2)
    sheet.activate()
    return sheet


def _column_widths(rubric: Rubric) -> list[float]:
    """Labels (field labels, key choices, key-area sheet names), inputs, and each area's progress count."""
    labels = [label for _name, label in layout.COVER_FIELDS] + layout.score_choices(rubric)
    labels += [area.sheet for area in rubric.areas] + ["Rubric fingerprint"]
    progress = max(len(f"{len(area.value_codes)} of {len(area.value_codes)} answered") for area in rubric.areas)
    return [max(len(text) for text in labels) + 3, INPUT_WIDTH, progress + 3]


def prefilled_notice(round_label: str) -> str:
    """What the cover of a pre-filled copy says about it."""
    return (
        f"This workbook is pre-filled with your answers from {round_label}; review every answer before returning. "
        f"Answers in blue italics are still as you gave them in {round_label}; an answer you change loses the blue."
    )


def respondent_notice(respondent: Respondent) -> str:
    """What the cover of a respondent's copy says beside "Your details"."""
    return f"This copy is for {respondent.label()}"


def _write_paragraph(
    sheet: Worksheet, formats: Formats, row: int, text: str, width: float, cell_format: Format | None = None
) -> None:
    """Wrapped text across the three columns, in a row as tall as it needs."""
    sheet.merge_range(row, 0, row, 2, text, cell_format or formats.text)
    sheet.set_row(row, row_height([(text, width)]))


def _field_validation(name: str, label: str, row: int) -> dict[str, object]:
    """Data validation (and its input message) for one cover input."""
    base = {"input_title": label[:32], "input_message": FIELD_PROMPTS[name]}
    if name == "completion_date":
        return {
            **base,
            "validate": "date",
            "criteria": "between",
            "minimum": date(2018, 1, 1),
            "maximum": date(2099, 12, 31),
            "error_title": "Not a date",
            "error_message": "Type a date, for example 31/01/2027.",
            "error_type": "stop",
        }
    if name == "respondent_email":
        return {
            **base,
            "validate": "custom",
            "value": f'=ISNUMBER(SEARCH("@",{a1.cell_ref(row, layout.COVER_INPUT_COL)}))',
            "error_title": "Email address?",
            "error_message": "That does not look like an email address.",
            "error_type": "warning",
        }
    return {
        **base,
        "validate": "length",
        "criteria": "<=",
        "value": 255,
        "error_title": "Too long",
        "error_message": "Please keep this under 255 characters.",
        "error_type": "stop",
    }
