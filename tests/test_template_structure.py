"""The generated workbook, opened with openpyxl: sheets, inputs, validation, names, protection, identity."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from nps_xlsx import __version__, a1, layout
from nps_xlsx.output import build_time
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook

from .conftest import DACORUM, FIXED_TIME


@pytest.fixture(scope="module")
def book(template_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template_path)


def test_sheets_in_order(book: openpyxl.Workbook, rubric: Rubric) -> None:
    expected = [layout.COVER_SHEET, *(a.sheet for a in rubric.areas), layout.SUMMARY_SHEET, layout.META_SHEET]
    assert book.sheetnames == expected
    assert book[layout.META_SHEET].sheet_state == "hidden"
    assert all(book[name].sheet_state == "visible" for name in expected[:-1])
    assert book.active.title == layout.COVER_SHEET


def test_area_sheet_rows_hold_each_value_code(book: openpyxl.Workbook, rubric: Rubric) -> None:
    score_col = layout.score_col(rubric) + 1
    for area in rubric.areas:
        sheet = book[area.sheet]
        header = [sheet.cell(layout.HEADER_ROW + 1, c).value for c in range(1, layout.comment_col(rubric) + 2)]
        assert header == [
            "ID",
            "Value code",
            "Description",
            "1 - Minimum",
            "2 - Developing",
            "3 - Mature",
            "4 - Leader",
            "5 - Innovator",
            "Your score",
            "Priority for us",
            "Support wanted",
            "Your comment",
        ]
        assert sheet["A1"].value == area.name
        assert area.what_it_is in str(sheet.cell(layout.INTRO_ROW + 1, 1).value)
        for index, code in enumerate(area.value_codes):
            row = layout.code_row(index) + 1
            values = [sheet.cell(row, c).value for c in range(1, score_col)]
            assert values == [code.id, code.name, code.description, *code.statements]
            assert sheet.cell(row, score_col).value is None
        assert sheet.freeze_panes == a1.cell_ref(layout.FIRST_CODE_ROW, layout.NAME_COL + 1)


def test_score_cells_have_dropdown_with_message_and_stop_alert(book: openpyxl.Workbook, rubric: Rubric) -> None:
    choices = layout.score_choices(rubric)
    assert choices == ["1 - Minimum", "2 - Developing", "3 - Mature", "4 - Leader", "5 - Innovator", "Unscored"]
    inline = '"' + ",".join(choices) + '"'
    assert len(inline) < 255
    for area in rubric.areas:
        sheet = book[area.sheet]
        by_cell = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
        for cells in layout.code_cells(rubric, area):
            dv = by_cell[a1.cell_ref(cells.row, cells.score_col)]
            assert dv.type == "list"
            assert dv.formula1 == inline
            assert dv.showDropDown in (None, False)  # openpyxl's inverted flag: False means the arrow shows
            assert dv.showInputMessage and dv.promptTitle == "Your score" and "Unscored" in dv.prompt
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop") and dv.error


def test_chosen_level_is_highlighted_by_conditional_formatting(book: openpyxl.Workbook, rubric: Rubric) -> None:
    sheet = book[rubric.areas[0].sheet]
    rules = {str(rng.sqref): [f for r in rng.rules for f in r.formula] for rng in sheet.conditional_formatting}
    # one rule per level column over all value-code rows; the relative row makes each row test its own score
    assert rules == {f"{col}5:{col}7": [f'LEFT(TRIM($I5),1)="{level}"'] for level, col in enumerate("DEFGH", 1)}


def test_defined_names_point_at_unlocked_inputs(book: openpyxl.Workbook, rubric: Rubric) -> None:
    expected = {name for name, _ in layout.COVER_FIELDS}
    expected |= {layout.score_name(c.id) for c in rubric.value_codes}
    expected |= {layout.comment_name(c.id) for c in rubric.value_codes}
    expected |= {make(c.id) for c in rubric.value_codes for make in (layout.priority_name, layout.support_name)}
    expected |= {layout.target_name(area.id) for area in rubric.areas}
    assert set(book.defined_names) == expected
    for name in expected:
        [(sheet_name, ref)] = list(book.defined_names[name].destinations)
        cell = book[sheet_name][ref.replace("$", "")]
        assert cell.protection.locked is False, name
        if name.startswith("target_"):
            assert (sheet_name, cell.row, cell.column) == (
                rubric.areas[[a.id for a in rubric.areas].index(name[7:])].sheet,
                layout.TARGET_ROW + 1,
                layout.TARGET_COL + 1,
            )
        elif name.startswith(("score_", "comment_", "priority_", "support_")):
            code_id = name.split("_", 1)[1]
            area = rubric.area_of(code_id)
            assert sheet_name == area.sheet
            assert book[sheet_name].cell(cell.row, 1).value == code_id
        else:
            assert sheet_name == layout.COVER_SHEET
    assert book.defined_names["score_EC3"].attr_text == "'Engaging Councillors'!$I$7"


def test_only_inputs_are_unlocked(book: openpyxl.Workbook) -> None:
    input_cells = set()
    for name in book.defined_names.values():
        for sheet_name, ref in name.destinations:
            input_cells.add((sheet_name, ref.replace("$", "")))
    for sheet in book.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert not sheet.protection.password, sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                if cell.protection.locked is False:
                    assert (sheet.title, cell.coordinate) in input_cells


def test_password_option_sets_a_password(rubric: Rubric) -> None:
    import io

    data = build_workbook(rubric, BuildOptions(FIXED_TIME, password="s3cret"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert all(sheet.protection.password for sheet in book.worksheets)


def test_metadata_sheet_and_properties(book: openpyxl.Workbook, rubric: Rubric) -> None:
    rows = list(book[layout.META_SHEET].iter_rows(values_only=True))
    meta = dict(rows[1:])
    assert list(meta) == list(layout.META_KEYS)
    assert meta["template_id"] == layout.TEMPLATE_ID
    assert meta["rubric_id"] == "lga-nps-2018"
    assert meta["rubric_version"] == rubric.version
    assert meta["rubric_fingerprint"] == rubric.fingerprint and len(rubric.fingerprint) == 64
    assert meta["tool_version"] == __version__
    assert meta["generated_at"] == "2026-01-15T00:00:00Z"
    assert meta["council_code"] is None and meta["council_name"] is None
    assert book.properties.title == rubric.title
    assert "self-assessment" in book.properties.subject
    custom = {p.name: p.value for p in book.custom_doc_props.props}
    assert custom["nps_rubric_fingerprint"] == rubric.fingerprint
    assert custom["nps_template_id"] == layout.TEMPLATE_ID


def test_personalised_copy(personalised_path: Path, rubric: Rubric) -> None:
    book = openpyxl.load_workbook(personalised_path)
    [(sheet_name, ref)] = list(book.defined_names["council_name"].destinations)
    assert book[sheet_name][ref.replace("$", "")].value == DACORUM.name
    meta = dict(list(book[layout.META_SHEET].iter_rows(values_only=True))[1:])
    assert (meta["council_code"], meta["council_name"]) == (DACORUM.code, DACORUM.name)
    assert DACORUM.name in book.properties.title
    assert DACORUM.code in book[layout.COVER_SHEET]["A2"].value


def test_cover_progress_and_summary_formulas(book: openpyxl.Workbook, rubric: Rubric) -> None:
    cover = book[layout.COVER_SHEET]
    progress = cover.cell(layout.cover_input_row(len(layout.COVER_FIELDS)) + 1, 2).value
    assert progress.startswith("=COUNTA('Engaging Councillors'!$I$5:$I$7,")
    assert progress.endswith('&" of 59 answered"')
    summary = book[layout.SUMMARY_SHEET]
    assert summary["B5"].value == "=SUMPRODUCT(--(LEFT(TRIM('Engaging Councillors'!$I$5:$I$7),1)=\"1\"))"
    assert summary["G5"].value == "=COUNTIF('Engaging Councillors'!$I$5:$I$7,\"Unscored\")"
    assert summary["H5"].value == "=COUNTBLANK('Engaging Councillors'!$I$5:$I$7)"


def test_summary_charts_have_titles_and_alt_text(template_path: Path) -> None:
    with zipfile.ZipFile(template_path) as archive:
        names = archive.namelist()
        charts = sorted(n for n in names if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        overall = archive.read(charts[0]).decode()
        by_area = archive.read(charts[1]).decode()
        drawings = "".join(archive.read(n).decode() for n in names if n.startswith("xl/drawings/drawing"))
    assert "Overall score distribution" in overall and '<c:barDir val="col"/>' in overall
    assert "'Your summary'!$B$16:$H$16" in overall
    assert "Score distribution by key area" in by_area and '<c:grouping val="percentStacked"/>' in by_area
    assert by_area.count("<c:ser>") == 7
    assert "'Your summary'!$A$5:$A$15" in by_area
    assert drawings.count('descr="') == 2


def test_print_setup(book: openpyxl.Workbook, rubric: Rubric) -> None:
    for area in rubric.areas:
        sheet = book[area.sheet]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"${layout.HEADER_ROW + 1}:${layout.HEADER_ROW + 1}"


def test_output_is_reproducible(rubric: Rubric, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM)
    assert build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM) == first
    assert build_workbook(rubric, BuildOptions(FIXED_TIME.replace(day=16)), DACORUM) != first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768435200")
    assert build_time().isoformat() == "2026-01-15T00:00:00+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_time().hour == 0 and build_time().minute == 0
