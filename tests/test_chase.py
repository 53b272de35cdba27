"""The chase list: one status per expected council, in the summary, in chase.csv and in collect's closing lines."""

from __future__ import annotations

import csv
from functools import partial
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.columns import CHASE_COLUMNS, LEDGER_COLUMNS
from nps_xlsx.councils import Council
from nps_xlsx.read.own_outputs import recognise
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.template.personalise import Personaliser
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.check import read_return

from .conftest import FIXED_TIME, fill_copy

DACORUM = Council("E07000096", "Dacorum Borough Council")
WATFORD = Council("E07000103", "Watford Borough Council")
HERTSMERE = Council("E07000098", "Hertsmere Borough Council")
THREE_RIVERS = Council("E07000102", "Three Rivers District Council")
ST_ALBANS = Council("E07000240", "St Albans City and District Council")
NORTH_HERTS = Council("E07000099", "North Hertfordshire District Council")
WELWYN = Council("E07000241", "Welwyn Hatfield Borough Council")
BROXBOURNE = Council("E07000095", "Broxbourne Borough Council")
COUNCILS = [DACORUM, WATFORD, HERTSMERE, THREE_RIVERS, ST_ALBANS, NORTH_HERTS, WELWYN, BROXBOURNE]
ANSWERS = {"EC1": Typed("3 - Mature", "fine"), "EC2": Typed("Unscored")}
# The status each council must get, and the order the chase list gives them in (action first).
STATUS = {
    WATFORD.code: "rejected",
    NORTH_HERTS.code: "rejected",
    WELWYN.code: "rejected",
    HERTSMERE.code: "blank",
    BROXBOURNE.code: "not-returned",
    THREE_RIVERS.code: "held",
    ST_ALBANS.code: "held",
    DACORUM.code: "returned",
}
ORDER = ["rejected", "blank", "not-returned", "held", "returned"]
WORDS = {
    "rejected": "Returned but rejected",
    "blank": "Returned blank",
    "not-returned": "Not returned",
    "held": "Held for review",
    "returned": "Returned",
}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def contact(council: Council) -> str:
    return f"Officer {council.code[-3:]}"


def write_councils(path: Path, councils: list[Council]) -> Path:
    lines = ["code,name,email,contact"]
    lines += [f"{c.code},{c.name},procurement@{c.code.lower()}.example,{contact(c)}" for c in councils]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def collect(returns: Path, out: Path, councils: Path | None, *extra: str):
    expected = ["--expected", str(councils), "--chase", str(out / "chase.csv")] if councils else []
    args = ["collect", str(returns), "--out", str(out / "summary.xlsx"), "--ledger", str(out / "files.csv")]
    return run(*args, *expected, "--workers", "1", *extra)


def sheet_rows(path: Path, name: str) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path, read_only=True)[name]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    """A round with every status: good, rejected (three ways of matching), blank, held, missing, unexpected."""
    root = tmp_path_factory.mktemp("chase")
    councils = write_councils(root / "councils.csv", COUNCILS)
    copies = Personaliser(rubric, BuildOptions(FIXED_TIME))
    returns = root / "returns"
    returns.mkdir()

    filled = partial(fill_copy, copies)

    (returns / "E07000096-dacorum-borough-council.xlsx").write_bytes(filled(DACORUM, ANSWERS))
    # Dacorum also sent its untouched copy first: returned beats blank.
    (returns / "dacorum-first.xlsx").write_bytes(copies.build(DACORUM))
    # Watford's return has a typed score: rejected, matched by the code in its identity record.
    (returns / "watford.xlsx").write_bytes(filled(WATFORD, {**ANSWERS, "EC3": Typed("seven")}))
    # Hertsmere sent its personalised copy back untouched: blank.
    (returns / "E07000098-hertsmere-borough-council.xlsx").write_bytes(copies.build(HERTSMERE))
    # Three Rivers' copy, filled in with St Albans' name typed on it: held, for both councils.
    (returns / "three-rivers-renamed.xlsx").write_bytes(filled(THREE_RIVERS, ANSWERS, ST_ALBANS.name))
    # North Herts' copy, cut short in the post: unreadable, matched by the code its file name starts with.
    whole = copies.build(NORTH_HERTS)
    (returns / "E07000099-north-hertfordshire-district-council.xlsx").write_bytes(whole[: len(whole) // 2])
    # Welwyn Hatfield used the blank template (no code in it): matched by the name typed.
    template = build_workbook(rubric, BuildOptions(FIXED_TIME))
    bad = {**ANSWERS, "SM1": Typed(3.5)}
    (returns / "our-return.xlsx").write_bytes(fill_bytes(template, bad, {"council_name": "Welwyn Hatfield BC"}))
    # A council not on the list.
    (returns / "elsewhere.xlsx").write_bytes(fill_bytes(template, ANSWERS, {"council_name": "Somewhere Else Council"}))
    out = root / "out"
    result = collect(returns, out, councils)
    return {"root": root, "returns": returns, "out": out, "result": result, "councils": councils}


def test_a_blank_return_is_one_error(personalised_path: Path, template_path: Path, rubric: Rubric, tmp_path) -> None:
    blank = read_return(personalised_path, rubric)
    assert (blank.status, [i.code for i in blank.issues]) == ("rejected", ["nothing-answered"])
    assert blank.issues[0].location.file == str(personalised_path)
    # "Unscored" is an answer, and so is a comment alone: not blank, just incomplete.
    for n, answer in enumerate([Typed("Unscored"), Typed(None, "we have not started")]):
        path = tmp_path / f"{n}.xlsx"
        path.write_bytes(fill_bytes(template_path.read_bytes(), {"EN4": answer}, {"council_name": "Dacorum"}))
        report = read_return(path, rubric)
        assert report.status == "accepted-with-warnings"
        assert {i.code for i in report.issues} == {"score-blank"}
        assert len(report.issues) == len(rubric.value_codes) - (answer.score is not None)


def test_every_expected_council_has_one_status(round_: dict) -> None:
    assert round_["result"].exit_code == 0, round_["result"].output
    header, rows = csv_rows(round_["out"] / "chase.csv")
    assert header == [*CHASE_COLUMNS, "email", "contact"]
    assert {row["council_code"]: row["status"] for row in rows} == STATUS
    assert len(rows) == len(COUNCILS)
    assert [ORDER.index(row["status"]) for row in rows] == sorted(ORDER.index(row["status"]) for row in rows)
    by_code = {row["council_code"]: row for row in rows}
    for council in COUNCILS:
        row = by_code[council.code]
        assert row["council"] == council.name
        assert (row["email"], row["contact"]) == (f"procurement@{council.code.lower()}.example", contact(council))
        assert row["action"]


def test_the_files_and_first_error_behind_each_status(round_: dict) -> None:
    _header, rows = csv_rows(round_["out"] / "chase.csv")
    by_code = {row["council_code"]: row for row in rows}
    _header, ledger = csv_rows(round_["out"] / "files.csv")
    first_error = {Path(row["path"]).name: row["first_error"] for row in ledger}

    def names(code: str) -> list[str]:
        return [Path(p).name for p in by_code[code]["files"].split("; ")]

    expected_files = {
        WATFORD.code: "watford.xlsx",
        NORTH_HERTS.code: "E07000099-north-hertfordshire-district-council.xlsx",
        WELWYN.code: "our-return.xlsx",
        HERTSMERE.code: "E07000098-hertsmere-borough-council.xlsx",
        THREE_RIVERS.code: "three-rivers-renamed.xlsx",
        ST_ALBANS.code: "three-rivers-renamed.xlsx",
        DACORUM.code: "E07000096-dacorum-borough-council.xlsx",
    }
    for code, name in expected_files.items():
        assert names(code) == [name]
        if STATUS[code] in ("rejected", "blank"):
            assert by_code[code]["first_error"] == first_error[name] != ""
    assert by_code[BROXBOURNE.code]["files"] == by_code[BROXBOURNE.code]["first_error"] == ""
    assert by_code[DACORUM.code]["first_error"] == ""
    # How each unused file was matched to its council, and the other files a council sent.
    assert "code in the workbook" in by_code[WATFORD.code]["note"]
    assert "file name" in by_code[NORTH_HERTS.code]["note"]
    assert "name typed" in by_code[WELWYN.code]["note"]
    assert "issued to this council" in by_code[THREE_RIVERS.code]["note"]
    assert "dacorum-first.xlsx" in by_code[DACORUM.code]["note"]


def test_chase_list_sheet(round_: dict) -> None:
    rows = sheet_rows(round_["out"] / "summary.xlsx", "Chase list")
    human = ["Council code", "Council", "Status", "File(s)", "First error", "What to do", "Note"]
    assert list(rows[0]) == [*human, "email", "contact"]
    assert {row["Council code"]: row["Status"] for row in rows} == {c: WORDS[s] for c, s in STATUS.items()}
    _header, csv_chase = csv_rows(round_["out"] / "chase.csv")
    assert [row["Council code"] for row in rows] == [row["council_code"] for row in csv_chase]
    assert [row["contact"] for row in rows] == [row["contact"] for row in csv_chase]
    book = openpyxl.load_workbook(round_["out"] / "summary.xlsx")
    assert list(book["Chase list"].tables) == ["ChaseList"]
    overview = {row[0]: row[1] for row in book["Overview"].iter_rows(values_only=True) if row[0]}
    assert overview["Expected councils"] == len(COUNCILS)
    for status, word in WORDS.items():
        assert overview[f"  {word}"] == list(STATUS.values()).count(status)


def test_closing_lines_count_statuses_and_name_files(round_: dict) -> None:
    output = round_["result"].stdout
    counts = {s: list(STATUS.values()).count(s) for s in ORDER}
    assert (
        f"{len(COUNCILS)} expected councils: {counts['returned']} returned, {counts['rejected']} rejected, "
        f"{counts['blank']} blank, {counts['held']} held for review, {counts['not-returned']} not returned;"
    ) in output
    rejected = next(line for line in output.splitlines() if line.startswith("Rejected: "))
    for name in ["watford.xlsx", "our-return.xlsx", "dacorum-first.xlsx", "E07000098-hertsmere-borough-council.xlsx"]:
        assert name in rejected
    assert "more" not in rejected
    assert "1 council not on the expected list: Somewhere Else Council." in output
    assert str(round_["out"] / "chase.csv") in output


def test_ledger_sheet_has_human_headers_and_the_csv_machine_names(round_: dict) -> None:
    rows = sheet_rows(round_["out"] / "summary.xlsx", "Ledger")
    assert list(rows[0])[:4] == ["File", "Status", "Council", "Council code"]
    header, ledger = csv_rows(round_["out"] / "files.csv")
    assert header == LEDGER_COLUMNS
    machine = {Path(row["path"]).name: row["status"] for row in ledger}
    shown = {Path(str(row["File"])).name: row["Status"] for row in rows}
    assert machine["elsewhere.xlsx"] == "accepted-with-warnings"
    assert shown["elsewhere.xlsx"] == "Accepted with warnings"
    assert machine["watford.xlsx"] == "rejected" and shown["watford.xlsx"] == "Rejected"
    assert machine["three-rivers-renamed.xlsx"] == "held" and shown["three-rivers-renamed.xlsx"] == "Held for review"
    assert not {v for v in shown.values()} & {"accepted-with-warnings", "rejected", "held"}


def test_many_rejected_files_are_counted_not_all_named(tmp_path: Path, template_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    for n in range(7):
        (returns / f"broken-{n}.xlsx").write_bytes(b"not a workbook")
    for n in range(7):
        typed = f"Nowhere {n} Council"
        answers = {"EC1": Typed("2 - Developing")}
        (returns / f"other-{n}.xlsx").write_bytes(
            fill_bytes(template_path.read_bytes(), answers, {"council_name": typed})
        )
    councils = write_councils(tmp_path / "councils.csv", [DACORUM])
    result = collect(returns, tmp_path / "out", councils)
    assert result.exit_code == 0, result.output
    rejected = next(line for line in result.stdout.splitlines() if line.startswith("Rejected: "))
    assert rejected.count("broken-") == 5 and "and 2 more" in rejected
    unexpected = next(line for line in result.stdout.splitlines() if "not on the expected list" in line)
    assert unexpected.startswith("7 councils not on the expected list: ")
    assert unexpected.count("Nowhere") == 5 and "and 2 more" in unexpected
    assert "1 expected council: 0 returned, 1 not returned;" in result.output


def test_one_of_each_is_singular(tmp_path: Path, rubric: Rubric) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "dacorum.xlsx").write_bytes(Personaliser(rubric, BuildOptions(FIXED_TIME)).build(DACORUM))
    result = collect(returns, tmp_path / "out", write_councils(tmp_path / "councils.csv", [DACORUM]))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()  # the progress bar is on stderr
    assert lines[0].startswith("1 file: 0 accepted, 0 accepted with warnings, 1 rejected,")
    assert "1 expected council: 0 returned, 1 blank, 0 not returned;" in result.output


def test_chase_csv_is_safe_in_excel_and_recognised_as_ours(tmp_path: Path, template_path: Path) -> None:
    councils = tmp_path / "councils.csv"
    councils.write_text('code,name,contact,status\nE07000096,Dacorum,"=HYPERLINK(""http://x"")",live\n')
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "x.xlsx").write_bytes(b"junk")
    result = collect(returns, tmp_path / "out", councils)
    assert result.exit_code == 0, result.output
    header, rows = csv_rows(tmp_path / "out" / "chase.csv")
    assert header == [*CHASE_COLUMNS, "contact", "status (council list)"]  # a list column named like ours is kept
    assert rows[0]["contact"] == '\'=HYPERLINK("http://x")'
    assert (rows[0]["status"], rows[0]["status (council list)"]) == ("not-returned", "live")
    assert recognise(tmp_path / "out" / "chase.csv") == "chase"


def test_chase_needs_expected(tmp_path: Path) -> None:
    result = run("collect", str(tmp_path), "--out", str(tmp_path / "s.xlsx"), "--chase", str(tmp_path / "c.csv"))
    assert result.exit_code == 2
    assert "--expected" in result.output
    assert not (tmp_path / "s.xlsx").exists()


def test_a_file_we_failed_to_read_is_not_chased(tmp_path: Path, rubric: Rubric, monkeypatch) -> None:
    from nps_xlsx.validate import check as validate

    def broken(*_args, **_kwargs):
        raise KeyError("a bug of ours")

    returns = tmp_path / "returns"
    returns.mkdir()
    copies = Personaliser(rubric, BuildOptions(FIXED_TIME))
    (returns / "E07000096-dacorum.xlsx").write_bytes(fill_bytes(copies.build(DACORUM), ANSWERS))
    monkeypatch.setattr(validate, "read_score", broken)
    result = collect(returns, tmp_path / "out", write_councils(tmp_path / "councils.csv", [DACORUM]))
    assert result.exit_code == 0, result.output
    _header, rows = csv_rows(tmp_path / "out" / "chase.csv")
    assert [(r["council_code"], r["status"]) for r in rows] == [(DACORUM.code, "held")]
    assert "Do not chase" in rows[0]["action"] and "file name" in rows[0]["note"]
    assert "1 expected council: 0 returned, 1 held for review, 0 not returned;" in result.stdout
    assert "nps-xlsx" in next(line for line in result.stdout.splitlines() if line.startswith("Rejected: "))
