"""Template layout versions, both ways: a return of every earlier layout is read exactly, a newer one is refused."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx import layout
from nps_xlsx.cli import main
from nps_xlsx.councils import Council
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes, random_answers
from nps_xlsx.validate.check import FileStatus, read_return
from nps_xlsx.validate.issues import CATALOGUE

DATA = Path(__file__).parent / "data"
V1_RETURN = DATA / "v1-return.xlsx"  # made as tests/data/README.md says
V1_COVER = {
    "council_name": "Three Rivers District Council",
    "respondent_name": "Priya Evans",
    "respondent_role": "Procurement Manager",
    "respondent_email": "priya.evans@threerivers.gov.uk",
    "completion_date": date(2026, 2, 2),
}


def expected_answer(typed: Typed, rubric: Rubric) -> tuple[str, int | None, str]:
    """What a typed answer must read as: the status, the level, the comment (independently of the reader)."""
    if typed.score is None:
        return "blank", None, typed.comment or ""
    if typed.score == rubric.unscored:
        return "unscored", None, typed.comment or ""
    return "scored", layout.score_choices(rubric).index(typed.score) + 1, typed.comment or ""


def test_every_layout_version_up_to_this_one_is_in_the_table() -> None:
    assert list(layout.VERSIONS) == [str(n) for n in range(1, int(layout.LAYOUT_VERSION) + 1)]
    assert layout.CURRENT is layout.VERSIONS[layout.LAYOUT_VERSION]
    for version in layout.VERSIONS.values():
        assert version.inputs[0] == "score" and "comment" in version.inputs


def test_a_layout_1_return_reads_exactly(rubric: Rubric) -> None:
    report = read_return(V1_RETURN, rubric)
    assert report.status == FileStatus.ACCEPTED_WITH_WARNINGS, [i.message for i in report.errors]
    assert {i.code for i in report.issues} == {"score-blank"}
    response = report.response
    assert response is not None and response.identity["layout_version"] == "1"
    typed = random_answers(rubric, random.Random(15))
    got = {a.code_id: (a.status, a.score, a.comment) for a in response.answers}
    assert got == {code_id: expected_answer(answer, rubric) for code_id, answer in typed.items()}
    blanks = sorted(i.value_code for i in report.issues)
    assert blanks == sorted(code_id for code_id, answer in typed.items() if answer.score is None)
    cover = (response.council_name, response.respondent_name, response.respondent_role, response.respondent_email)
    assert cover == tuple(
        V1_COVER[k] for k in ("council_name", "respondent_name", "respondent_role", "respondent_email")
    )
    assert response.completion_date == V1_COVER["completion_date"]
    # in layout 1 the score is in I and the comment in J, the first value code in row 4
    first = response.answers[0]
    assert (first.sheet, first.score_cell, first.comment_cell) == (rubric.areas[0].sheet, "I4", "J4")


def _with_layout_version(data: bytes, version: str, path: Path) -> Path:
    """A copy of a built workbook whose identity record says ``version`` (on the hidden sheet and in the
    document properties)."""
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    meta = book[layout.META_SHEET]
    row = next(r for r in meta.iter_rows() if r[0].value == "layout_version")
    row[1].value = version
    book.custom_doc_props["nps_layout_version"].value = version
    book.save(path)
    return path


@pytest.mark.parametrize("ahead", ["next", "2b"])
def test_a_return_of_a_newer_layout_is_refused_with_a_message_to_upgrade(
    rubric: Rubric, tmp_path: Path, ahead: str
) -> None:
    council = Council("E07000096", "Dacorum Borough Council")
    built = build_workbook(rubric, BuildOptions(datetime(2026, 1, 1, tzinfo=timezone.utc)), council)
    filled = fill_bytes(built, random_answers(rubric, random.Random(3)), {"completion_date": date(2026, 2, 1)})
    version = str(int(layout.LAYOUT_VERSION) + 1) if ahead == "next" else ahead
    path = _with_layout_version(filled, version, tmp_path / "newer.xlsx")
    report = read_return(path, rubric)
    assert report.status == FileStatus.REJECTED and report.response is None
    assert [(i.code, i.value) for i in report.issues] == [("template-too-new", version)]
    assert "upgrade nps-xlsx" in report.issues[0].message
    assert CATALOGUE["template-too-new"].severity == "error"
    # the same workbook with this version's own layout number reads
    same = _with_layout_version(filled, layout.LAYOUT_VERSION, tmp_path / "same.xlsx")
    assert read_return(same, rubric).response is not None

    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "template-too-new" in result.output and "upgrade nps-xlsx" in result.output


def test_the_ledger_says_which_layout_each_return_is(rubric: Rubric, tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "old.xlsx").write_bytes(V1_RETURN.read_bytes())
    council = Council("E07000096", "Dacorum Borough Council")
    built = build_workbook(rubric, BuildOptions(datetime(2026, 1, 1, tzinfo=timezone.utc)), council)
    answers = random_answers(rubric, random.Random(4), blank_rate=0)
    (returns / "new.xlsx").write_bytes(fill_bytes(built, answers, {"completion_date": date(2026, 2, 1)}))
    ledger = tmp_path / "files.csv"
    result = CliRunner().invoke(
        main, ["collect", str(returns), "--out", str(tmp_path / "s.xlsx"), "--ledger", str(ledger)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(ledger.read_text(encoding="utf-8-sig"))))
    versions = {Path(r["path"]).name: r["layout_version"] for r in rows}
    assert versions == {"old.xlsx": "1", "new.xlsx": layout.LAYOUT_VERSION}
    assert {r["status"] for r in rows} <= {"accepted", "accepted-with-warnings"}
