"""Rules of reading: comment length as Excel counts it, names against columns, dates in the future, our own faults."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx import a1, layout
from nps_xlsx.cli import main
from nps_xlsx.read.raw import RawSheet, ReadFailure
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate import check as validate
from nps_xlsx.validate.check import read_return

from .conftest import DACORUM, FIXED_TIME

COVER = {"council_name": "Dacorum Borough Council"}
AREA = "Engaging Councillors"
COMPLETION_CELL = a1.cell_ref(layout.cover_input_row(4), layout.COVER_INPUT_COL)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def codes(report) -> list[tuple[str, str | None, str | None]]:
    return sorted((i.code, i.value_code, i.location.cell) for i in report.issues if i.code != "score-blank")


def answer(report, code_id: str):
    return next(a for a in report.response.answers if a.code_id == code_id)


@pytest.fixture(scope="module")
def template(template_path: Path) -> bytes:
    return template_path.read_bytes()


def write(tmp_path: Path, data: bytes, name: str = "return.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- comment length in UTF-16 units ------------------------------------------------------------------------


def test_comment_length_is_counted_in_utf16_units(tmp_path: Path, rubric: Rubric, template: bytes) -> None:
    answers = {
        "EC1": Typed("1 - Minimum", "\U0001f600" * 16_383),  # 32,766 units: fits
        "EC2": Typed("1 - Minimum", "\U0001f600" * 20_000),  # 20,000 characters but 40,000 units
    }
    report = read_return(write(tmp_path, fill_bytes(template, answers, COVER)), rubric)
    assert codes(report) == [("comment-too-long", "EC2", "L6")]
    assert answer(report, "EC1").comment == "\U0001f600" * 16_383
    assert answer(report, "EC2").comment == ""


# --- defined names against the row's columns ----------------------------------------------------------------


def move_names(path: Path, targets: dict[str, str]) -> Path:
    book = openpyxl.load_workbook(path)
    for name, target in targets.items():
        book.defined_names[name].attr_text = f"'{AREA}'!{target}"
    book.save(path)
    return path


def test_name_moved_to_another_column_of_its_row(tmp_path: Path, rubric: Rubric, template: bytes) -> None:
    answers = {"EC1": Typed("2 - Developing", "one"), "EC3": Typed("4 - Leader", "three")}
    path = write(tmp_path, fill_bytes(template, answers, COVER))
    # score_EC1 cut and pasted onto the level 5 statement; comment_EC3 onto the value code's name.
    report = read_return(move_names(path, {"score_EC1": "$H$5", "comment_EC3": "$B$7"}), rubric)
    assert codes(report) == [("name-mismatch", "EC1", "A5"), ("name-mismatch", "EC3", "A7")]
    ec1, ec3 = answer(report, "EC1"), answer(report, "EC3")
    assert (ec1.status, ec1.score, ec1.score_cell, ec1.comment) == ("scored", 2, "I5", "one")
    assert (ec3.score, ec3.comment, ec3.comment_cell) == (4, "three", "L7")


def test_names_in_their_columns_give_no_warning(tmp_path: Path, rubric: Rubric, template: bytes) -> None:
    path = write(tmp_path, fill_bytes(template, {"EC1": Typed("2 - Developing", "one")}, COVER))
    report = read_return(move_names(path, {"score_EC1": "$I$5", "comment_EC1": "$L$5"}), rubric)
    assert codes(report) == []


# --- completion dates in the future -------------------------------------------------------------------------


def dated(tmp_path: Path, template: bytes, completed: date, name: str = "return.xlsx") -> Path:
    answers = {"EC1": Typed("3 - Mature")}  # answered, so only the date is at issue
    return write(tmp_path, fill_bytes(template, answers, {**COVER, "completion_date": completed}), name)


def test_completion_date_in_the_future_is_not_used(tmp_path: Path, rubric: Rubric, template: bytes) -> None:
    report = read_return(dated(tmp_path, template, date(2062, 11, 1)), rubric)
    assert codes(report) == [("completion-date-in-future", None, COMPLETION_CELL)]
    assert [i.value for i in report.issues if i.code == "completion-date-in-future"] == ["2062-11-01"]
    assert report.response.completion_date is None
    tomorrow = read_return(dated(tmp_path, template, date.today() + timedelta(days=1)), rubric)
    assert codes(tomorrow) == []  # one day's grace (time zones)


def test_completion_date_after_the_file_was_saved(tmp_path: Path, rubric: Rubric, template: bytes) -> None:
    path = dated(tmp_path, template, date.today() - timedelta(days=10))
    saved = time.time() - 30 * 86_400
    os.utime(path, (saved, saved))
    report = read_return(path, rubric)
    assert codes(report) == [("completion-date-in-future", None, COMPLETION_CELL)]


def test_a_typed_future_year_does_not_beat_a_later_resubmission(
    tmp_path: Path, rubric: Rubric, template_path: Path
) -> None:
    copy = build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM)
    returns = tmp_path / "returns"
    returns.mkdir()
    first = {"council_name": DACORUM.name, "completion_date": date(2062, 11, 1)}  # meant 2026
    (returns / "first.xlsx").write_bytes(fill_bytes(copy, {"EC1": Typed("1 - Minimum")}, first))
    earlier = time.time() - 5 * 86_400
    os.utime(returns / "first.xlsx", (earlier, earlier))
    corrected = {"council_name": DACORUM.name, "completion_date": date.today() - timedelta(days=1)}
    (returns / "corrected.xlsx").write_bytes(fill_bytes(copy, {"EC1": Typed("4 - Leader")}, corrected))
    out = tmp_path / "out"
    result = run("collect", str(returns), "--out", str(out / "s.xlsx"), "--ledger", str(out / "files.csv"))
    assert result.exit_code == 0, result.output
    ledger = pd.read_csv(out / "files.csv", keep_default_na=False).set_index("path")
    assert ledger.loc[str(returns / "corrected.xlsx"), "status"] == "accepted-with-warnings"
    assert ledger.loc[str(returns / "first.xlsx"), "status"] == "superseded"


# --- our faults are ours --------------------------------------------------------------------------------------


def broken_score_reader(*_args, **_kwargs):
    raise KeyError("a bug in nps-xlsx")


def test_a_fault_in_our_code_is_an_internal_error(tmp_path: Path, rubric: Rubric, template: bytes, monkeypatch) -> None:
    path = write(tmp_path, fill_bytes(template, {"EC1": Typed("1 - Minimum")}, COVER))
    monkeypatch.setattr(validate, "read_score", broken_score_reader)
    report = read_return(path, rubric)
    assert report.status == "rejected"
    assert [(i.code, i.location.file, i.value) for i in report.issues] == [("internal-error", str(path), "KeyError")]
    assert "check.py:" in report.issues[0].message  # where in our code
    assert "corrupt" not in report.issues[0].message


def test_a_fault_in_our_reader_is_an_internal_error_too(
    tmp_path: Path, rubric: Rubric, template: bytes, monkeypatch
) -> None:
    """Damage the reader can recognise is a ReadFailure; any other exception there is our fault, not the file's."""
    from nps_xlsx.read import xlsx as reader_xlsx

    path = write(tmp_path, fill_bytes(template, {"EC1": Typed("1 - Minimum")}, COVER))

    def broken(*_args, **_kwargs):
        raise IndexError("a bug in the reader")

    monkeypatch.setattr(reader_xlsx, "_date_styles", broken)
    report = read_return(path, rubric)
    assert [(i.code, i.value) for i in report.issues] == [("internal-error", "IndexError")]
    assert "while reading this file" in report.issues[0].message
    assert "corrupt" not in report.issues[0].message and "resend" not in report.issues[0].message.replace(
        "do not ask the council to resend", ""
    )


def test_the_ledger_does_not_blame_the_council(tmp_path: Path, rubric: Rubric, template: bytes, monkeypatch) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    write(returns, fill_bytes(template, {"EC1": Typed("1 - Minimum")}, COVER))
    monkeypatch.setattr(validate, "read_score", broken_score_reader)
    out = tmp_path / "out"
    result = run(
        "collect", str(returns), "--out", str(out / "s.xlsx"), "--ledger", str(out / "files.csv"), "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out / "files.csv", keep_default_na=False).iloc[0]
    assert row["status"] == "rejected"
    assert "internal error KeyError" in row["first_error"]
    assert "not the council's fault" in row["note"]
    review = pd.read_excel(out / "s.xlsx", sheet_name="Needs review", dtype=str, engine="openpyxl")
    assert len(review) == 1 and "internal error" in review.iloc[0]["Reason"]
    issues = pd.read_excel(out / "s.xlsx", sheet_name="Issues", dtype=str, engine="openpyxl")
    assert list(issues["Code"]) == ["internal-error"]


def lazy_sheet_raising(monkeypatch, loader) -> None:
    """The first key-area sheet's cells come from ``loader`` when first used (as the readers parse them)."""
    real = validate.read_workbook

    def read_book(*args):
        book, findings = real(*args)
        at = next(n for n, s in enumerate(book.sheets) if s.name == AREA)
        book.sheets[at] = RawSheet(AREA, loader=loader)
        book._by_name = None
        return book, findings

    monkeypatch.setattr(validate, "read_workbook", read_book)


def test_a_reader_failing_while_interpreting_keeps_the_readers_verdict(
    tmp_path: Path, rubric: Rubric, template: bytes, monkeypatch
) -> None:
    """Sheets are parsed on first use, during interpretation: the reader's verdict (a ReadFailure) is kept,
    and anything else it raises is a fault of ours, never the council's."""
    path = write(tmp_path, fill_bytes(template, {}, COVER))
    reader_module = {"__name__": "nps_xlsx.read.xlsx"}
    exec("def load():\n    raise ValueError('a bug')", reader_module)
    lazy_sheet_raising(monkeypatch, reader_module["load"])
    assert [i.code for i in read_return(path, rubric).issues] == ["internal-error"]

    def too_big():
        raise ReadFailure("too-many-cells", "the sheet has too many cells")

    lazy_sheet_raising(monkeypatch, too_big)
    assert [i.code for i in read_return(path, rubric).issues] == ["too-many-cells"]
