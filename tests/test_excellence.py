"""Examples of excellence (issue 13): each Leader or Innovator answer, its statement and comment; a bare 5 flagged."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect.excellence import EXCELLENCE_COLUMNS, HEADERS, MISSING, excellence_rows, first_excellent
from nps_xlsx.councils import Council
from nps_xlsx.read.own_outputs import recognise
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import FIXED_TIME


def response(council: str, code: str, code_id: str, score: int | None, comment: str, rubric: Rubric) -> tuple:
    """A row as consolidate.response_rows gives it."""
    names = {c.id: c.name for c in rubric.value_codes}
    level = rubric.levels[score - 1] if score else ""
    return (
        f"{council}.xlsx",
        council,
        code,
        rubric.area_of(code_id).name,
        code_id,
        names[code_id],
        score,
        level,
        comment,
    )


def test_leader_and_innovator_are_the_top_two_levels(rubric: Rubric) -> None:
    assert first_excellent(rubric) == 4
    assert rubric.levels[3:] == ("Leader", "Innovator")


def test_every_leader_or_innovator_answer_by_value_code_then_council(rubric: Rubric) -> None:
    rows = [
        response("Watford Borough Council", "E07000103", "SM1", 5, "", rubric),  # a 5 with no evidence
        response("Watford Borough Council", "E07000103", "EC1", 4, "", rubric),  # a 4 needs none
        response("Watford Borough Council", "E07000103", "EC2", 3, "Mature is not listed.", rubric),
        response("Dacorum Borough Council", "E07000096", "SM1", 5, "Case study: our 2024 report.", rubric),
        response("Dacorum Borough Council", "E07000096", "EC1", None, "Unscored, not listed.", rubric),
        response("Camden", "E09000007", "EC1", 5, "  \n ", rubric),  # only white space is no evidence
    ]
    got = list(excellence_rows(iter(rows), rubric))
    ec1, sm1 = rubric.value_codes[0], next(c for c in rubric.value_codes if c.id == "SM1")
    area_ec, area_sm = rubric.area_of("EC1").name, rubric.area_of("SM1").name
    assert got == [
        ("EC1", ec1.name, area_ec, "Camden", "E09000007", 5, "Innovator", ec1.statements[4], "  \n ", MISSING),
        ("EC1", ec1.name, area_ec, "Watford Borough Council", "E07000103", 4, "Leader", ec1.statements[3], "", ""),
        (
            *("SM1", sm1.name, area_sm, "Dacorum Borough Council", "E07000096", 5, "Innovator"),
            *(sm1.statements[4], "Case study: our 2024 report.", ""),
        ),
        (
            "SM1",
            sm1.name,
            area_sm,
            "Watford Borough Council",
            "E07000103",
            5,
            "Innovator",
            sm1.statements[4],
            "",
            MISSING,
        ),
    ]
    assert len(EXCELLENCE_COLUMNS) == len(HEADERS) == len(got[0])


@pytest.fixture(scope="module")
def collected(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two returns collected with --excellence: Dacorum all 5s with a comment on EC1 only; Watford all 4s."""
    root = tmp_path_factory.mktemp("excellence")
    returns = root / "returns"
    returns.mkdir()
    for council, level in ((Council("E07000096", "Dacorum Borough Council"), 5), (Council("E07000103", "Watford"), 4)):
        book = build_workbook(rubric, BuildOptions(FIXED_TIME), council)
        answers = {c.id: Typed(f"{level} - {rubric.levels[level - 1]}") for c in rubric.value_codes}
        answers["EC1"] = Typed(answers["EC1"].score, "=evidence: our report" if level == 5 else None)
        answers["EC2"] = Typed("2 - Developing", "Not listed.")
        (root / "returns" / f"{council.code}.xlsx").write_bytes(
            fill_bytes(book, answers, {"council_name": council.name})
        )
    args = ["collect", str(returns), "--out", str(root / "s.xlsx"), "--excellence", str(root / "excellence.csv")]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


def test_collect_writes_the_excellence_csv(rubric: Rubric, collected: Path) -> None:
    with (collected / "excellence.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == EXCELLENCE_COLUMNS
    n = len(rubric.value_codes) - 1  # EC2 is at level 2 in both returns
    assert len(rows) == 2 * n
    assert [r["code_id"] for r in rows[:4]] == ["EC1", "EC1", "EC3", "EC3"]  # by value code, then council
    assert [r["council"] for r in rows[:2]] == ["Dacorum Borough Council", "Watford"]
    assert rows[0]["comment"] == "'=evidence: our report" and rows[0]["evidence_missing"] == ""  # safe for Excel
    assert sum(r["evidence_missing"] == MISSING for r in rows) == n - 1  # Dacorum's 5s but EC1
    assert all(r["evidence_missing"] == "" for r in rows if r["score"] == "4")
    assert recognise(collected / "excellence.csv") == "excellence"


def test_the_excellence_sheet_is_a_filterable_table(rubric: Rubric, collected: Path) -> None:
    sheet = openpyxl.load_workbook(collected / "s.xlsx")["Excellence"]
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:J{2 * (len(rubric.value_codes) - 1) + 1}"
    assert table.autoFilter is not None
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["A2"].value == "EC1" and sheet["I2"].value == "=evidence: our report"
    assert sheet["I2"].data_type == "s"  # text, never a formula
    assert sheet.freeze_panes == "C2"
