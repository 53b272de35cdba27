"""Target levels per key area, and priority and support wanted per value code: in the template and read back."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from nps_xlsx import a1, layout
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes, random_answers
from nps_xlsx.validate.check import FileReport, FileStatus, read_return

GENERATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def template(rubric: Rubric) -> bytes:
    return build_workbook(rubric, BuildOptions(GENERATED))


@pytest.fixture(scope="module")
def book(template: bytes, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("targets") / "template.xlsx"
    path.write_bytes(template)
    return openpyxl.load_workbook(path)


def _named(book: openpyxl.Workbook, name: str) -> tuple[str, str]:
    (sheet, ref), *more = list(book.defined_names[name].destinations)
    assert not more
    return sheet, ref.replace("$", "")


def _validation(book: openpyxl.Workbook, sheet: str, ref: str):
    found = [v for v in book[sheet].data_validations.dataValidation if ref in v.sqref]
    assert len(found) == 1, (sheet, ref)
    return found[0]


def _choices(validation) -> list[str]:
    assert validation.type == "list" and validation.formula1.startswith('"')
    return validation.formula1.strip('"').split(",")


def test_each_key_area_has_an_unlocked_target_drop_down_near_the_top(book: openpyxl.Workbook, rubric: Rubric) -> None:
    levels = [f"{n} - {label}" for n, label in enumerate(rubric.levels, 1)]
    for area in rubric.areas:
        sheet, ref = _named(book, f"target_{area.id}")
        assert (sheet, ref) == (area.sheet, a1.cell_ref(layout.TARGET_ROW, layout.TARGET_COL))
        assert layout.TARGET_ROW < layout.HEADER_ROW  # above the value codes, in the frozen rows
        ws = book[sheet]
        assert ws.cell(layout.TARGET_ROW + 1, layout.TARGET_COL).value == "Your target level"
        assert ws.protection.sheet and ws[ref].protection.locked is False
        validation = _validation(book, sheet, ref)
        assert _choices(validation) == levels  # the levels, without Unscored
        assert validation.promptTitle == "Your target level" and "no national targets" in validation.prompt
        assert validation.showInputMessage and validation.showErrorMessage and validation.errorStyle in (None, "stop")


def test_each_value_code_has_priority_and_support_drop_downs_beside_the_score(
    book: openpyxl.Workbook, rubric: Rubric
) -> None:
    for area in rubric.areas:
        ws = book[area.sheet]
        header = [c.value for c in ws[layout.HEADER_ROW + 1]]
        score = header.index("Your score")
        assert header[score : score + 4] == ["Your score", "Priority for us", "Support wanted", "Your comment"]
        for code in area.value_codes:
            score_sheet, score_ref = _named(book, f"score_{code.id}")
            row = int(re.sub("[A-Z]", "", score_ref))
            for name, offset, choices in (("priority", 1, ["High", "Medium", "Low"]), ("support", 2, ["Yes", "No"])):
                sheet, ref = _named(book, f"{name}_{code.id}")
                assert (sheet, ref) == (score_sheet, f"{a1.column_letter(score + offset)}{row}")
                assert ws[ref].protection.locked is False
                validation = _validation(book, sheet, ref)
                assert _choices(validation) == choices and validation.prompt and validation.showInputMessage
            assert _named(book, f"comment_{code.id}") == (score_sheet, f"{a1.column_letter(score + 3)}{row}")


def test_the_cover_counts_targets_apart_from_scores(book: openpyxl.Workbook, rubric: Rubric) -> None:
    cover = book[layout.COVER_SHEET]
    rows = {row[0].value: row[1].value for row in cover.iter_rows(max_col=2) if row[0].value}
    targets, progress = rows["Target levels"], rows["Progress"]
    cells = re.findall(r"'[^']+'!\$[A-Z]+\$[0-9]+", targets)
    expected = {
        f"'{a}'!${a1.column_letter(c)}${r}"
        for a, c, r in [(area.sheet, layout.TARGET_COL, layout.TARGET_ROW + 1) for area in rubric.areas]
    }
    assert set(cells) == expected and len(cells) == len(rubric.areas)
    assert targets.startswith("=COUNTA(") and f"of {len(rubric.areas)} key areas have a target" in targets
    assert not set(re.findall(r"'[^']+'!\$[A-Z]+\$[0-9]+", progress)) & expected


def _read(template: bytes, tmp_path: Path, rubric: Rubric, answers=None, targets=None) -> FileReport:
    path = tmp_path / "return.xlsx"
    typed = random_answers(rubric, random.Random(8), blank_rate=0) if answers is None else answers
    path.write_bytes(fill_bytes(template, typed, {"council_name": "Dacorum Borough Council"}, targets))
    return read_return(path, rubric)


@pytest.mark.parametrize(
    ("typed", "level"),
    [("4 - Leader", 4), (4, 4), ("4.0", 4), (" 4 ", 4), ("leader", 4), ("4 – Leader", 4), (None, None), ("N/A", None)],
)
def test_a_target_is_read_as_a_score_is(template: bytes, tmp_path: Path, rubric: Rubric, typed, level) -> None:
    area = rubric.areas[2]
    report = _read(template, tmp_path, rubric, targets={area.id: typed})
    assert report.status == FileStatus.ACCEPTED, [i.message for i in report.issues]
    targets = {t.area_id: t for t in report.response.targets}
    assert list(targets) == [a.id for a in rubric.areas]
    assert targets[area.id].level == level
    assert (targets[area.id].sheet, targets[area.id].cell) == (area.sheet, "C3")
    assert all(t.level is None for a, t in targets.items() if a != area.id)


@pytest.mark.parametrize("typed", ["seven", 6, 0, "Unscored target", "3 - Leader", "=1/0"])
def test_a_target_that_is_not_a_level_is_a_located_error(
    template: bytes, tmp_path: Path, rubric: Rubric, typed
) -> None:
    area = rubric.areas[0]
    report = _read(template, tmp_path, rubric, targets={area.id: typed})
    assert report.status == FileStatus.REJECTED
    [issue] = report.issues
    assert issue.code == ("formula-without-value" if str(typed).startswith("=") else "target-invalid")
    assert (issue.location.sheet, issue.location.cell) == (area.sheet, "C3") and area.name in issue.detail
    assert {t.area_id: t.level for t in report.response.targets}[area.id] is None


def test_priority_and_support_are_read_in_any_case_and_spacing(template: bytes, tmp_path: Path, rubric: Rubric) -> None:
    ids = [c.id for c in rubric.value_codes]
    answers = {i: Typed("3 - Mature") for i in ids}
    typed = [("High", "Yes"), (" medium ", "no"), ("LOW", "YES"), (None, "No"), ("High", None)]
    for code_id, (priority, support) in zip(ids, typed, strict=False):
        answers[code_id] = Typed("2 - Developing", None, priority, support)
    report = _read(template, tmp_path, rubric, answers)
    assert report.status == FileStatus.ACCEPTED, [i.message for i in report.issues]
    read = [(a.priority, a.support) for a in report.response.answers]
    expected = [("High", "Yes"), ("Medium", "No"), ("Low", "Yes"), (None, "No"), ("High", None)]
    assert read == expected + [(None, None)] * (len(ids) - len(expected))


@pytest.mark.parametrize(
    ("priority", "support", "bad"),
    [
        ("H", None, "priority"),
        (None, "Y", "support"),
        (1, None, "priority"),
        (None, True, "support"),
        ("High!", "No", "priority"),
    ],
)
def test_a_priority_or_support_off_the_list_is_a_located_error(
    template: bytes, tmp_path: Path, rubric: Rubric, priority, support, bad: str
) -> None:
    code = rubric.value_codes[4]
    answers = {c.id: Typed("3 - Mature") for c in rubric.value_codes}
    answers[code.id] = Typed("3 - Mature", None, priority, support)
    report = _read(template, tmp_path, rubric, answers)
    assert report.status == FileStatus.REJECTED
    [issue] = report.issues
    sheet, ref = layout.code_cells(rubric, rubric.area_of(code.id))[1].sheet, None
    cells = {c.code_id: c for c in layout.code_cells(rubric, rubric.area_of(code.id))}[code.id]
    col = cells.priority_col if bad == "priority" else cells.support_col
    ref = a1.cell_ref(cells.row, col)
    assert (issue.code, issue.value_code, issue.location.sheet, issue.location.cell) == (
        "choice-invalid",
        code.id,
        sheet,
        ref,
    )
    answer = report.response.answers[4]
    assert getattr(answer, bad) is None and (answer.priority_cell, answer.support_cell) == (
        a1.cell_ref(cells.row, cells.priority_col),
        a1.cell_ref(cells.row, cells.support_col),
    )


def test_json_carries_the_targets(template: bytes, tmp_path: Path, rubric: Rubric) -> None:
    report = _read(template, tmp_path, rubric, targets={rubric.areas[0].id: "2 - Developing"})
    data = report.to_dict()["response"]
    assert data["targets"][0] == {
        "area_id": rubric.areas[0].id,
        "level": 2,
        "sheet": rubric.areas[0].sheet,
        "cell": "C3",
    }
    assert {"priority", "support", "priority_cell", "support_cell"} <= set(data["answers"][0])
