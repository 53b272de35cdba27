"""Reading returns back: answers, identity, and finding the inputs when the workbook has been changed."""

from __future__ import annotations

import io
import pickle
import random
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from nps_xlsx import layout
from nps_xlsx.rubric import Rubric, load_rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes, random_answers
from nps_xlsx.validate.check import FileReport, read_return

from .conftest import DACORUM, FIXED_TIME

COVER = {
    "council_name": "Dacorum Borough Council",
    "respondent_name": "Ann Officer",
    "respondent_role": "Head of Procurement",
}


def write(tmp_path: Path, data: bytes, name: str = "return.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expected(rubric: Rubric, answers: dict[str, Typed]) -> dict[str, tuple[str, int | None, str]]:
    labels = layout.score_choices(rubric)
    out = {}
    for code in rubric.value_codes:
        answer = answers.get(code.id, Typed())
        if answer.score is None:
            status, score = "blank", None
        elif answer.score == rubric.unscored:
            status, score = "unscored", None
        else:
            status, score = "scored", labels.index(answer.score) + 1
        out[code.id] = (status, score, (answer.comment or "").strip())
    return out


def got(report: FileReport) -> dict[str, tuple[str, int | None, str]]:
    assert report.response is not None, [i.message for i in report.issues]
    return {a.code_id: (a.status, a.score, a.comment) for a in report.response.answers}


def codes(report: FileReport) -> list[tuple[str, str | None, str | None]]:
    return sorted((i.code, i.value_code, i.location.cell) for i in report.issues if i.code != "score-blank")


@pytest.fixture(scope="module")
def template_bytes(template_path: Path) -> bytes:
    return template_path.read_bytes()


@pytest.fixture(scope="module")
def answers(rubric: Rubric) -> dict[str, Typed]:
    found = random_answers(rubric, random.Random(7))
    found["EC1"] = Typed("2 - Developing", "Line one\nLine two — “quoted”, £5, café\n\n  ")
    found["EC2"] = Typed(rubric.unscored, "=SUM(A1:A2) is not a formula here")
    found["EC3"] = Typed(None, "https://example.org/not-a-link")
    return found


def test_filled_return_reads_back_exactly(tmp_path: Path, rubric: Rubric, template_bytes: bytes, answers) -> None:
    report = read_return(write(tmp_path, fill_bytes(template_bytes, answers, COVER)), rubric)
    assert report.status == "accepted-with-warnings"
    assert got(report) == expected(rubric, answers)
    assert report.response.council_name == "Dacorum Borough Council"
    assert report.response.respondent_role == "Head of Procurement"
    assert report.response.identity["rubric_fingerprint"] == rubric.fingerprint
    blanks = [i for i in report.issues if i.code == "score-blank"]
    assert {i.value_code for i in blanks} == {c for c, a in answers.items() if a.score is None}
    assert all(i.severity == "warning" for i in report.issues)
    ec3 = next(i for i in blanks if i.value_code == "EC3")
    assert (ec3.location.sheet, ec3.location.cell) == ("Engaging Councillors", "I7")
    assert ec3.message.startswith(f"{tmp_path / 'return.xlsx'} › Engaging Councillors!I7 (EC3): not answered")


def test_complete_return_is_accepted_without_issues(tmp_path: Path, rubric: Rubric, template_bytes: bytes) -> None:
    answers = {c.id: Typed("4 - Leader") for c in rubric.value_codes}
    report = read_return(write(tmp_path, fill_bytes(template_bytes, answers, COVER)), rubric)
    assert (report.status, report.issues) == ("accepted", [])
    assert report.response.answered == 59


def test_score_spellings_in_a_real_file(tmp_path: Path, rubric: Rubric, template_bytes: bytes) -> None:
    answers = {
        "EC1": Typed(3),
        "EC2": Typed(3.0),
        "EC3": Typed(" 3 "),
        "SM1": Typed("3 – mature "),
        "SM2": Typed("Mature"),
        "SM3": Typed("n/a"),
        "SM4": Typed("seven"),
        "WP1": Typed(3.5),
        "WP2": Typed("=1+2"),
        "WP3": Typed("3/4"),
    }
    report = read_return(write(tmp_path, fill_bytes(template_bytes, answers, COVER)), rubric)
    assert report.status == "rejected"
    result = got(report)
    assert [result[c][:2] for c in ("EC1", "EC2", "EC3", "SM1", "SM2")] == [("scored", 3)] * 5
    assert result["SM3"][:2] == ("unscored", None)
    assert codes(report) == [
        ("formula-without-value", "WP2", "I6"),
        ("score-invalid", "SM4", "I8"),
        ("score-invalid", "WP1", "I5"),
        ("score-invalid", "WP3", "I7"),
    ]
    seven = next(i for i in report.issues if i.value_code == "SM4")
    assert seven.value == "seven" and seven.location.sheet == "Engaging senior managers"
    assert "'seven' is not a level; choose 1 to 5 or \"Unscored\" from the drop-down" in seven.message
    assert all(result[c][:2] == ("invalid", None) for c in ("SM4", "WP1", "WP2", "WP3"))


def edit(path: Path, change) -> Path:
    """Apply an openpyxl edit to a return and save it in place (as a spreadsheet app would)."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


@pytest.fixture
def filled(tmp_path: Path, template_bytes: bytes, answers) -> Path:
    return write(tmp_path, fill_bytes(template_bytes, answers, COVER))


def test_sheets_renamed_and_reordered_with_extra_sheet(filled: Path, rubric: Rubric, answers) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book["Engaging Councillors"].title = "Councillors (ours)"  # openpyxl leaves the names pointing nowhere
        book.move_sheet("Enablers", offset=-10)
        book.create_sheet("Notes", 0)["A1"] = "EC-notes"

    report = read_return(edit(filled, change), rubric)
    assert got(report) == expected(rubric, answers)
    assert codes(report) == []
    assert next(a for a in report.response.answers if a.code_id == "EC1").sheet == "Councillors (ours)"


def shift_names(book: openpyxl.Workbook, sheet: str, from_row: int, by: int) -> None:
    """Move defined names below ``from_row`` down, as Excel does when rows are inserted."""
    for name in list(book.defined_names.values()):
        target = name.attr_text
        if target.startswith(f"'{sheet}'!"):
            col, row = target.split("!$")[1].split("$")
            if int(row) >= from_row:
                name.attr_text = f"'{sheet}'!${col}${int(row) + by}"


def test_rows_inserted_above_and_between(filled: Path, rubric: Rubric, answers) -> None:
    def change(book: openpyxl.Workbook) -> None:
        sheet = book["Engaging Councillors"]
        sheet.insert_rows(6, 2)  # between EC1 and EC2
        shift_names(book, "Engaging Councillors", 6, 2)
        sheet.insert_rows(1, 1)  # above everything
        shift_names(book, "Engaging Councillors", 1, 1)
        sheet["A1"] = "Our notes"

    report = read_return(edit(filled, change), rubric)
    assert got(report) == expected(rubric, answers)
    assert codes(report) == []
    ec2 = next(a for a in report.response.answers if a.code_id == "EC2")
    assert ec2.score_cell == "I9"


def test_stale_names_fall_back_to_the_id_column(filled: Path, rubric: Rubric, answers) -> None:
    report = read_return(edit(filled, lambda book: book["Engaging Councillors"].insert_rows(6, 1)), rubric)
    assert got(report) == expected(rubric, answers)
    assert codes(report) == [("name-mismatch", "EC2", "A7"), ("name-mismatch", "EC3", "A8")]


def test_defined_names_lost(filled: Path, rubric: Rubric, answers) -> None:
    def change(book: openpyxl.Workbook) -> None:
        for name in list(book.defined_names):
            del book.defined_names[name]

    report = read_return(edit(filled, change), rubric)
    assert got(report) == expected(rubric, answers)
    assert codes(report) == []
    assert report.response.council_name == "Dacorum Borough Council"


def test_missing_and_duplicated_value_codes(filled: Path, rubric: Rubric) -> None:
    def change(book: openpyxl.Workbook) -> None:
        for name in list(book.defined_names):
            del book.defined_names[name]
        book["Enablers"]["A6"] = None  # EN2's ID cell cleared
        book["Enablers"]["A8"] = "EN3"  # EN4's row relabelled as EN3

    report = read_return(edit(filled, change), rubric)
    assert report.status == "rejected"
    assert codes(report) == [
        ("value-code-duplicated", "EN3", "A8"),
        ("value-code-missing", "EN2", None),
        ("value-code-missing", "EN4", None),
    ]
    assert {a.code_id for a in report.response.answers}.isdisjoint({"EN2", "EN3", "EN4"})


def test_not_an_nps_workbook_is_one_clear_error(tmp_path: Path, rubric: Rubric) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Budget"
    book.active.append(["Item", "Cost"])
    book.active.append(["Paper", 12.5])
    path = tmp_path / "budget.xlsx"
    book.save(path)
    report = read_return(path, rubric)
    assert report.status == "rejected" and report.response is None
    assert [i.code for i in report.issues] == ["not-nps-workbook"]
    assert "not an NPS diagnostic workbook" in report.issues[0].message


def test_identity_missing_but_layout_recognised(filled: Path, rubric: Rubric, answers) -> None:
    def change(book: openpyxl.Workbook) -> None:
        del book[layout.META_SHEET]
        book.custom_doc_props.props.clear()

    report = read_return(edit(filled, change), rubric)
    assert got(report) == expected(rubric, answers)
    assert codes(report) == [("identity-missing", None, None)]


def test_identity_from_document_properties_when_sheet_deleted(filled: Path, rubric: Rubric) -> None:
    report = read_return(edit(filled, lambda book: book.remove(book[layout.META_SHEET])), rubric)
    assert codes(report) == []
    assert report.response.identity["rubric_id"] == rubric.id


def variant_rubric(tmp_path: Path, old: str, new: str) -> Rubric:
    from nps_xlsx.rubric import default_rubric_path

    path = tmp_path / "variant.yaml"
    path.write_text(default_rubric_path().read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return load_rubric(path)


@pytest.mark.parametrize(
    ("old", "new", "code", "says"),
    [
        ('version: "2018.1"', 'version: "2019.1"', "wrong-rubric-version", "for version '2019.1' of lga-nps-2018"),
        ("id: lga-nps-2018", "id: lga-nps-2022", "wrong-rubric", "for the diagnostic 'lga-nps-2022'"),
        ("Some councillors have attended", "A few councillors attended", "rubric-fingerprint-mismatch", "differs"),
    ],
)
def test_workbook_from_another_rubric_is_rejected(tmp_path: Path, rubric: Rubric, old, new, code, says) -> None:
    other = variant_rubric(tmp_path, old, new)
    data = build_workbook(other, BuildOptions(FIXED_TIME))
    report = read_return(write(tmp_path, fill_bytes(data, {}, COVER)), rubric)
    assert report.status == "rejected" and report.response is None
    assert [i.code for i in report.issues] == [code]
    assert says in report.issues[0].message
    if code == "wrong-rubric-version":
        assert "version '2018.1' was expected" in report.issues[0].message


def test_council_name_missing_is_an_error(tmp_path: Path, rubric: Rubric, template_bytes: bytes) -> None:
    report = read_return(write(tmp_path, fill_bytes(template_bytes, {"EC1": Typed("1 - Minimum")})), rubric)
    assert report.status == "rejected"
    assert codes(report) == [("council-name-missing", None, "B8")]


def test_personalised_name_changed_is_held(tmp_path: Path, rubric: Rubric) -> None:
    data = build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM)
    answers = {"EC1": Typed("2 - Developing")}
    same = read_return(
        write(tmp_path, fill_bytes(data, answers, {"council_name": " dacorum  borough council"})), rubric
    )
    assert codes(same) == []
    assert same.response.council_code == DACORUM.code
    other = read_return(
        write(tmp_path, fill_bytes(data, answers, {"council_name": "Watford Borough Council"}), "w.xlsx"), rubric
    )
    assert other.status == "held"
    assert codes(other) == [("council-name-changed", None, "B8")]
    assert "issued to 'Dacorum Borough Council'" in other.issues[0].message


def test_comment_over_the_cell_limit_is_rejected(tmp_path: Path, rubric: Rubric, template_bytes: bytes) -> None:
    answers = {"EC1": Typed("1 - Minimum", "x" * 32_767), "EC2": Typed("1 - Minimum", "y" * 32_768)}
    report = read_return(write(tmp_path, fill_bytes(template_bytes, answers, COVER)), rubric)
    assert codes(report) == [("comment-too-long", "EC2", "L6")]
    assert got(report)["EC1"][2] == "x" * 32_767


def test_completion_date_is_read(tmp_path: Path, rubric: Rubric, template_path: Path) -> None:
    from datetime import date, timedelta

    from nps_xlsx.testing import fill_workbook

    out = tmp_path / "dated.xlsx"
    completed = date.today() - timedelta(days=30)
    fill_workbook(template_path, out, {}, {"council_name": "X Council", "completion_date": completed})
    report = read_return(out, rubric)
    assert report.response.completion_date == completed


def test_reading_is_deterministic_and_read_only(filled: Path, rubric: Rubric) -> None:
    before = (filled.read_bytes(), filled.stat().st_mtime_ns)
    first, second = read_return(filled, rubric), read_return(filled, rubric)
    assert first.to_dict() == second.to_dict()
    assert (filled.read_bytes(), filled.stat().st_mtime_ns) == before


def test_a_report_crosses_processes_whole(tmp_path: Path, rubric: Rubric, template_bytes: bytes, answers) -> None:
    """A report is pickled from a worker to the parent: every answer, target, issue and location arrives as it was
    (the records are pickled as calls to their classes, field by field in order)."""
    answers = {**answers, "SM4": Typed("seven", "bell\x07", "Hgh", "Yes")}
    report = read_return(write(tmp_path, fill_bytes(template_bytes, answers, COVER, {"EC": "3 - Mature"})), rubric)
    assert report.response and report.response.targets and {"score-invalid", "choice-invalid"} <= report_codes(report)
    again = pickle.loads(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    assert repr(again) == repr(report) and again == report
    records = [again.response, *again.response.answers, *again.response.targets, *again.issues]  # type: ignore[union-attr]
    assert all(type(record).__reduce__(record)[0] is type(record) for record in records)


def report_codes(report: FileReport) -> set[str]:
    return {issue.code for issue in report.issues}


def test_build_time_independent_answers(tmp_path: Path, rubric: Rubric) -> None:
    later = build_workbook(rubric, BuildOptions(datetime(2027, 6, 1, tzinfo=timezone.utc)))
    report = read_return(write(tmp_path, fill_bytes(later, {"EC1": Typed("5 - Innovator")}, COVER)), rubric)
    assert got(report)["EC1"][:2] == ("scored", 5)
    assert report.response.identity["generated_at"] == "2027-06-01T00:00:00Z"


def test_openpyxl_sanity_on_filled_file(filled: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled.read_bytes()))
    assert book["Engaging Councillors"]["I5"].value == "2 - Developing"


def test_control_characters_are_removed_with_a_warning(tmp_path: Path, rubric: Rubric, template_bytes: bytes) -> None:
    answers = {"EC1": Typed("1 - Minimum", "bell\x07 and\x01 nul\x00 tab\tstays\r\nline")}
    report = read_return(write(tmp_path, fill_bytes(template_bytes, answers, COVER)), rubric)
    assert got(report)["EC1"][2] == "bell and nul tab\tstays\r\nline"
    assert codes(report) == [("control-characters-removed", "EC1", "L5")]
    assert any("3 invisible or invalid character(s)" in i.message for i in report.issues)
