"""How the template reads on screen and on paper: the summary's value-code grid, frozen panes, the
cover's order, and returns made with the earlier layout."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from nps_xlsx import a1, layout
from nps_xlsx.councils import Council
from nps_xlsx.rubric import Rubric
from nps_xlsx.style import column_pixels
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.template.your_summary import GRID_HEADER, grid_header_row
from nps_xlsx.testing import fill_bytes, random_answers
from nps_xlsx.validate.check import read_return

OLD_RETURN = Path(__file__).parent / "data" / "layout1-return.xlsx"


def test_summary_grid_lists_every_value_code_by_key_area(template_path: Path, rubric: Rubric) -> None:
    sheet = openpyxl.load_workbook(template_path)[layout.SUMMARY_SHEET]
    header = grid_header_row(rubric) + 1
    n_levels = len(rubric.levels)
    labels = [sheet.cell(header, col).value for col in range(1, n_levels + 4)]
    assert labels == ["Value code", *layout.score_choices(rubric), GRID_HEADER]
    row, score_col = header, n_levels + 3
    for area in rubric.areas:
        row += 1
        assert sheet.cell(row, 1).value == area.name
        for cells, code in zip(layout.code_cells(rubric, area), area.value_codes, strict=True):
            row += 1
            assert sheet.cell(row, 1).value == f"{code.id}  {code.name}"
            target = a1.sheet_ref(area.sheet, a1.cell_ref(cells.row, cells.score_col, absolute=True))
            assert sheet.cell(row, score_col).value == f'=""&{target}'
    assert sheet.cell(row + 1, 1).value is None


def test_summary_grid_marks_the_chosen_level_from_the_score(template_path: Path, rubric: Rubric) -> None:
    sheet = openpyxl.load_workbook(template_path)[layout.SUMMARY_SHEET]
    first = grid_header_row(rubric) + 2
    last = first + len(rubric.areas) + len(rubric.value_codes) - 1
    mirror = f"${a1.column_letter(len(rubric.levels) + 2)}{first}"
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in sheet.conditional_formatting}
    expected = {
        f"{a1.column_letter(level)}{first}:{a1.column_letter(level)}{last}": [f'LEFT(TRIM({mirror}),1)="{level}"']
        for level in range(1, len(rubric.levels) + 1)
    }
    unscored = a1.column_letter(len(rubric.levels) + 1)
    expected[f"{unscored}{first}:{unscored}{last}"] = [f'TRIM({mirror})="{rubric.unscored}"']
    assert rules == expected


def test_panes_keep_the_headers_and_the_value_code_in_view(template_path: Path, rubric: Rubric) -> None:
    book = openpyxl.load_workbook(template_path)
    for area in rubric.areas:
        sheet = book[area.sheet]
        assert sheet.freeze_panes == a1.cell_ref(layout.FIRST_CODE_ROW, layout.NAME_COL + 1)
        assert sheet.print_title_rows == f"${layout.HEADER_ROW + 1}:${layout.HEADER_ROW + 1}"
        assert sheet.page_setup.orientation == "landscape"


SCREEN_PX = 1366  # a laptop screen's width, the window maximised
ROW_HEADERS_AND_SCROLL_BAR_PX = 60  # row numbers on the left, the vertical scroll bar on the right


def _column_px(sheet, col: int) -> int:
    """Column ``col`` (0-based) on screen at 100% zoom, from its width as stored (``<col>`` may span columns)."""
    spans = [d for d in sheet.column_dimensions.values() if d.min <= col + 1 <= d.max]
    assert len(spans) == 1, f"{sheet.title}: no width set for column {a1.column_letter(col)}"
    return column_pixels(spans[0].width - 0.71)  # xlsxwriter stores a width plus 0.71 (5 px of padding)


def test_frozen_name_score_and_comment_fit_one_laptop_screen(template_path: Path, rubric: Rubric) -> None:
    """At 100% zoom on a 1366 px screen, the frozen ID and name columns, the score, the priority and support
    drop-downs beside it and the comment are all in view at once: with the score selected, the name has not
    scrolled away (seen in LibreOffice on Xvfb)."""
    book = openpyxl.load_workbook(template_path)
    score, comment = layout.score_col(rubric), layout.comment_col(rubric)
    # side by side: one scroll position shows them all
    assert (layout.input_col(rubric, "priority"), layout.input_col(rubric, "support"), comment) == (
        score + 1,
        score + 2,
        score + 3,
    )
    room = SCREEN_PX - ROW_HEADERS_AND_SCROLL_BAR_PX
    for area in rubric.areas:
        sheet = book[area.sheet]
        frozen = column_index_from_string(coordinate_from_string(sheet.freeze_panes)[0]) - 1
        assert frozen == layout.NAME_COL + 1, area.sheet  # ID and name are frozen, nothing wider
        pixels = sum(_column_px(sheet, col) for col in (*range(frozen), *range(score, comment + 1)))
        assert pixels <= room, f"{area.sheet}: ID, name, score to comment need {pixels} px, the window has {room}"


def test_cover_instructions_come_before_the_yellow_cells(template_path: Path, rubric: Rubric) -> None:
    sheet = openpyxl.load_workbook(template_path)[layout.COVER_SHEET]
    instructions = sheet.cell(layout.COVER_INSTRUCTIONS_ROW + 1, 1).value
    assert instructions == rubric.guidance.how_to_complete and "yellow cells below" in instructions
    assert layout.cover_input_row(0) > layout.COVER_INSTRUCTIONS_ROW
    key = [row for row in sheet.iter_rows(values_only=True) if row[0] in layout.score_choices(rubric)]
    assert [row[0] for row in key] == layout.score_choices(rubric)
    # the key has no "Level N" column; only Unscored needs words
    assert [row[1] for row in key] == [None] * len(rubric.levels) + ["You decided not to score this value code"]


def _facts(report) -> tuple:
    response = report.response
    answers = [(a.code_id, a.status, a.score, a.comment) for a in response.answers]
    cover = (response.council_name, response.respondent_name, response.respondent_email, response.completion_date)
    return report.status, sorted((i.code, i.value_code) for i in report.issues), cover, answers


def test_return_in_the_earlier_layout_reads_as_before(rubric: Rubric, tmp_path: Path) -> None:
    """A return made before the cover and the panes changed reads exactly like the same answers in today's."""
    old = read_return(OLD_RETURN, rubric)
    assert old.response is not None and not [i for i in old.issues if i.code == "name-mismatch"]
    identity = old.response.identity
    generated = datetime.strptime(identity["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    council = Council(identity["council_code"], identity["council_name"])
    fresh = build_workbook(rubric, BuildOptions(generated), council)
    cover = {
        "respondent_name": old.response.respondent_name,
        "respondent_role": old.response.respondent_role,
        "respondent_email": old.response.respondent_email,
        "completion_date": old.response.completion_date,
    }
    path = tmp_path / "new.xlsx"
    path.write_bytes(fill_bytes(fresh, random_answers(rubric, random.Random(11)), cover))
    new = read_return(path, rubric)
    assert _facts(old) == _facts(new)
    assert len(old.response.answers) == len(rubric.value_codes)
    # the old cells are where the layout put them then: score in I, comment in J, council name in B5
    ec1 = old.response.answers[0]
    assert (ec1.score_cell, ec1.comment_cell) == ("I4", "J4")
