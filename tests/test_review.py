"""A copy filled in for another council is held for review, never used silently; ``--assign`` resolves it."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.councils import Council, NameIndex, fold_name, same_council
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import FIXED_TIME

DACORUM = Council("E07000096", "Dacorum Borough Council")
WATFORD = Council("E07000103", "Watford Borough Council")
ANGLESEY = Council("W06000001", "Cyngor Sir Ynys Môn")
COUNCILS = [DACORUM, WATFORD, Council("E07000098", "Hertsmere Borough Council"), ANGLESEY]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dacorum BC", "Dacorum Borough Council"),
        ("  dacorum   borough council. ", "Dacorum Borough Council"),
        ("Three Rivers DC", "Three Rivers District Council"),
        ("Wigan MBC", "Wigan Metropolitan Borough Council"),
        ("Cheshire West & Chester", "Cheshire West and Chester Council"),
        ("St Albans City and District Council", "St. Albans"),
        ("Saint Helens", "St Helens Council"),
        ("King’s Lynn and West Norfolk", "Kings Lynn & West Norfolk BC"),
        ("Stockton-on-Tees Borough Council", "Stockton on Tees BC"),
        (unicodedata.normalize("NFD", "Cyngor Sir Ynys Môn"), "Cyngor Sir Ynys Môn"),
        ("Ynys Mon", "Ynys Môn"),
        ("London Borough of Barnet", "Barnet Council"),
    ],
)
def test_names_that_are_the_same_council(a: str, b: str) -> None:
    assert same_council(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Watford Borough Council", "Dacorum Borough Council"),
        ("Dacorum", "Hertsmere BC"),
        ("North Hertfordshire DC", "East Hertfordshire District Council"),
        ("Windsor and Maidenhead", "Windsor"),
        ("Cheshire East Council", "Cheshire West and Chester Council"),
    ],
)
def test_names_of_different_councils(a: str, b: str) -> None:
    assert not same_council(a, b)
    assert fold_name(a) != fold_name(b)


def test_name_index_refuses_an_ambiguous_loose_match() -> None:
    index = NameIndex()
    index.add("Durham County Council", "C1")
    index.add("Durham City Council", "C2")
    index.add("Dacorum Borough Council", "E07000096")
    assert index.get("durham county council") == "C1"  # exact (after NFC, case and spaces) wins
    assert index.get("Durham") is None  # loosely, it could be either
    assert index.get("Dacorum BC") == "E07000096"


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    """Dacorum's genuine return, and Dacorum's copy filled in (later) by a shared-service officer for Watford."""
    root = tmp_path_factory.mktemp("review")
    councils = root / "councils.csv"
    councils.write_text("code,name\n" + "".join(f"{c.code},{c.name}\n" for c in COUNCILS), encoding="utf-8")
    dacorum_copy = build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM)
    returns = root / "returns"
    returns.mkdir()
    genuine = {"EC1": Typed("1 - Minimum", "ours")}
    (returns / "dacorum.xlsx").write_bytes(
        fill_bytes(dacorum_copy, genuine, {"council_name": "Dacorum BC", "completion_date": date(2026, 11, 1)})
    )
    shared = {"EC1": Typed("5 - Innovator", "Watford's answer")}
    (returns / "shared.xlsx").write_bytes(
        fill_bytes(dacorum_copy, shared, {"council_name": WATFORD.name, "completion_date": date(2026, 11, 20)})
    )
    # A blank template from Anglesey, its name typed on a Mac (NFD).
    blank = build_workbook(rubric, BuildOptions(FIXED_TIME))
    nfd = unicodedata.normalize("NFD", ANGLESEY.name)
    (returns / "anglesey.xlsx").write_bytes(fill_bytes(blank, {"EC1": Typed("3 - Mature")}, {"council_name": nfd}))
    return {"root": root, "councils": councils, "returns": returns}


def collect(data: dict, out: str, *extra: str):
    folder = data["root"] / out
    result = run(
        "collect",
        str(data["returns"]),
        "--out",
        str(folder / "summary.xlsx"),
        "--csv",
        str(folder / "responses.csv"),
        "--ledger",
        str(folder / "files.csv"),
        "--expected",
        str(data["councils"]),
        "--workers",
        "1",
        *extra,
    )
    return result, folder


def ledger(folder: Path) -> dict[str, dict]:
    frame = pd.read_csv(folder / "files.csv", keep_default_na=False, dtype=str)
    return {Path(row["path"]).name: row for row in frame.to_dict("records")}


def test_held_return_is_used_for_neither_council(round_trip: dict) -> None:
    result, folder = collect(round_trip, "held")
    assert result.exit_code == 0, result.output
    assert "1 held for review" in result.output
    rows = ledger(folder)
    assert rows["shared.xlsx"]["status"] == "held"
    assert (rows["shared.xlsx"]["council"], rows["shared.xlsx"]["council_code"]) == (WATFORD.name, "")
    assert "held for review" in rows["shared.xlsx"]["note"] and "--assign" in rows["shared.xlsx"]["note"]
    # The genuine return is not superseded by the later copy, and Watford is still chased.
    assert rows["dacorum.xlsx"]["status"] == "accepted-with-warnings"
    responses = pd.read_csv(folder / "responses.csv", keep_default_na=False, dtype=str)
    assert set(responses["source_file"].map(lambda p: Path(p).name)) == {"dacorum.xlsx", "anglesey.xlsx"}
    ec1 = responses[responses["code_id"] == "EC1"].set_index("council_code")["score"]
    assert ec1.to_dict() == {DACORUM.code: "1", ANGLESEY.code: "3"}
    chase = pd.read_excel(folder / "summary.xlsx", sheet_name="Chase list", dtype=str, engine="openpyxl")
    status = dict(zip(chase["Council code"], chase["Status"], strict=True))
    # Watford is named on the held copy, Dacorum was issued it but sent its own: neither is chased yet.
    assert status == {
        DACORUM.code: "Returned",
        WATFORD.code: "Held for review",
        "E07000098": "Not returned",
        ANGLESEY.code: "Returned",
    }
    review = pd.read_excel(folder / "summary.xlsx", sheet_name="Needs review", dtype=str, engine="openpyxl")
    assert len(review) == 1
    row = review.iloc[0]
    assert (Path(row["File"]).name, row["Issued to"], row["Issued code"], row["Name typed"]) == (
        "shared.xlsx",
        DACORUM.name,
        DACORUM.code,
        WATFORD.name,
    )
    assert row["SHA-256"] == rows["shared.xlsx"]["sha256"]
    assert "--assign" in row["What to do"]


def test_name_typed_in_nfd_matches_the_expected_list(round_trip: dict) -> None:
    _result, folder = collect(round_trip, "nfd")
    row = ledger(folder)["anglesey.xlsx"]
    assert row["status"] == "accepted-with-warnings"  # blank answers only: not an unexpected council
    assert "not on the expected list" not in row["note"]
    assert row["council_code"] == ANGLESEY.code


@pytest.mark.parametrize("by", ["sha256", "path"])
def test_assign_uses_the_file_under_that_council(round_trip: dict, by: str) -> None:
    _result, first = collect(round_trip, f"before-{by}")
    key = ledger(first)["shared.xlsx"]["sha256"] if by == "sha256" else str(round_trip["returns"] / "shared.xlsx")
    assignments = round_trip["root"] / f"assign-{by}.csv"
    assignments.write_text(f"file,council_code\n{key},{WATFORD.code.lower()}\n", encoding="utf-8")
    result, folder = collect(round_trip, f"assigned-{by}", "--assign", str(assignments))
    assert result.exit_code == 0, result.output
    assert "held" not in result.output
    rows = ledger(folder)
    shared = rows["shared.xlsx"]
    assert (shared["status"], shared["council"], shared["council_code"]) == (
        "accepted-with-warnings",
        WATFORD.name,
        WATFORD.code,
    )
    assert shared["note"].startswith(f"assigned to {WATFORD.code} by assign-{by}.csv line 2")
    assert rows["dacorum.xlsx"]["status"] == "accepted-with-warnings"
    responses = pd.read_csv(folder / "responses.csv", keep_default_na=False, dtype=str)
    ec1 = responses[responses["code_id"] == "EC1"].set_index("council_code")["score"]
    assert ec1.to_dict() == {DACORUM.code: "1", WATFORD.code: "5", ANGLESEY.code: "3"}
    chase = pd.read_excel(folder / "summary.xlsx", sheet_name="Chase list", dtype=str, engine="openpyxl")
    assert set(chase[chase["Status"] != "Returned"]["Council code"]) == {"E07000098"}
    assert pd.read_excel(folder / "summary.xlsx", sheet_name="Needs review", engine="openpyxl").empty


def test_assignment_to_a_code_not_expected_is_refused(round_trip: dict) -> None:
    assignments = round_trip["root"] / "typo.csv"
    assignments.write_text("file,council_code\nshared.xlsx,E0700010\n", encoding="utf-8")
    result, folder = collect(round_trip, "typo", "--assign", str(assignments))
    assert result.exit_code == 1
    assert "typo.csv:2: council code 'E0700010' is not on the expected list" in result.output
    assert not (folder / "summary.xlsx").exists()


def test_assignment_naming_no_file_is_reported(round_trip: dict) -> None:
    assignments = round_trip["root"] / "stale.csv"
    assignments.write_text(f"file,council_code\ngone.xlsx,{WATFORD.code}\n", encoding="utf-8")
    result, _folder = collect(round_trip, "stale", "--assign", str(assignments))
    assert result.exit_code == 0
    assert "stale.csv:2: no file of this run matches 'gone.xlsx'" in result.stderr


def test_strict_exits_1_when_a_return_is_held(round_trip: dict) -> None:
    result, _folder = collect(round_trip, "strict", "--strict")
    assert result.exit_code == 1


def test_validate_reports_held_and_exits_1(round_trip: dict) -> None:
    shared = round_trip["returns"] / "shared.xlsx"
    result = run("validate", str(shared))
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(f"{shared}: held for review (1 of 59 answered")
    assert "council-name-changed" in result.output
    assert result.output.splitlines()[-1] == (
        "1 file: 0 accepted, 0 accepted with warnings, 1 held for review, 0 rejected, 0 skipped"
    )
    data = json.loads(run("validate", "--json", str(shared)).output)
    assert (data["valid"], data["counts"]["held"], data["files"][0]["status"]) == (False, 1, "held")
    held = [i for i in data["files"][0]["issues"] if i["code"] == "council-name-changed"]
    assert [(i["sheet"], i["cell"], i["value"]) for i in held] == [("Cover", "B8", WATFORD.name)]
