"""collect in respondent mode (issue 16): several respondents per council, each used; a resubmission supersedes only
its respondent's earlier file; the chase list per respondent; the tidy CSV per respondent and the consensus CSV in
the one-response columns, which segments, rounds and feedback read unchanged; the agreement sheets; mixed folders.

The returns are filled in code from copies ``generate --respondents`` wrote; every expected figure is worked out
here from the answers typed, independently of nps_xlsx.collect.agreement."""

from __future__ import annotations

import csv
import math
import statistics
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect.rounds import ResponsesCsvError, load_previous, read_responses
from nps_xlsx.columns import CHASE_COLUMNS, LEDGER_COLUMNS, RESPONDENT_COLUMNS, RESPONSE_COLUMNS
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes

DACORUM, WATFORD, HERTSMERE = "E07000096", "E07000103", "E07000098"
NAMES = {DACORUM: "Dacorum Borough Council", WATFORD: "Watford Borough Council", HERTSMERE: "Hertsmere Borough Council"}
TYPES = {DACORUM: "District", WATFORD: "District", HERTSMERE: "Borough"}
# council, id, name, department, role; mjones is listed but sends nothing
RESPONDENTS = [
    (DACORUM, "pchen", "Paula Chen", "Finance", "Head of Finance"),
    (DACORUM, "dokafor", "David Okafor", "Finance", "Buyer"),
    (DACORUM, "rbegum", "Rukhsana Begum", "Housing", "Head of Housing"),
    (WATFORD, "akhan", "Asha Khan", "Finance", "Buyer"),
    (WATFORD, "jlee", "", "", ""),
    (WATFORD, "mjones", "Mo Jones", "Housing", "Buyer"),
]
SENT = ["pchen", "dokafor", "rbegum", "akhan", "jlee"]
STEP = {"pchen": 1, "dokafor": 2, "rbegum": 3, "akhan": 1, "jlee": 4}
OFFSET = {"pchen": 0, "dokafor": 1, "rbegum": 3, "akhan": 2, "jlee": 0}
U = "Unscored"
USED = "accepted-with-warnings"  # each respondent leaves EC1 or EC2 blank (a warning)
COMMENTS = {("dokafor", "SM1"): "We report monthly.", ("rbegum", "SM1"): "Housing does not.", ("akhan", "SM1"): "Yes."}
CHOICES = {  # (respondent, code) -> (priority, support)
    ("pchen", "SM2"): ("High", "No"),
    ("dokafor", "SM2"): ("Low", "Yes"),
    ("rbegum", "SM2"): ("Low", None),
    ("pchen", "SM3"): ("High", "No"),
    ("dokafor", "SM3"): ("Low", None),
}
TARGETS = {"pchen": {"EC": 4}, "dokafor": {"EC": 2}}  # Dacorum's EC target: median 3, lowest 2


def council_of(rid: str) -> str:
    return next(code for code, r, *_ in RESPONDENTS if r == rid)


def typed(rid: str, i: int, code_id: str) -> int | str | None:
    """What respondent ``rid`` answers on the ``i``-th value code: a level, Unscored or None (blank)."""
    if code_id == "EC1":  # Dacorum: one Unscored and two blanks (consensus Unscored); Watford: blank
        return U if rid == "pchen" else None
    if code_id == "EC2":  # nobody answers
        return None
    return (i * STEP[rid] + OFFSET[rid]) % 5 + 1


def by_hand(answers: list[int | str | None], rule: str) -> int | str | None:
    scores = [a for a in answers if isinstance(a, int)]
    if not scores:
        return U if U in answers else None
    if rule == "min":
        return min(scores)
    median = statistics.median(scores)
    return math.floor(median + 0.5) if rule == "median" else math.floor(median)


def expected(rubric: Rubric, rule: str = "median-down") -> dict[tuple[str, str], int | str | None]:
    """(council, value code) -> the consensus, worked out from what was typed."""
    out = {}
    for code in (DACORUM, WATFORD):
        for i, value_code in enumerate(rubric.value_codes):
            answers = [typed(r, i, value_code.id) for r in SENT if council_of(r) == code]
            out[code, value_code.id] = by_hand(answers, rule)
    return out


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return next(csv.reader(stream))


def sheet_rows(path: Path, name: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    found = list(book[name].iter_rows(values_only=True))
    book.close()
    head, *body = found
    return [dict(zip(head, row, strict=True)) for row in body if any(v is not None for v in row)]


def level_text(rubric: Rubric, value: int | str | None) -> str:
    return rubric.levels[value - 1] if isinstance(value, int) else (value or "")


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each listed respondent's copy (generate --respondents), and each council's own copy (generate --councils)."""
    root = tmp_path_factory.mktemp("respondent-copies")
    listing = root / "respondents.csv"
    lines = ["code,name,respondent_id,respondent_name,department,role"]
    lines += [f"{code},{NAMES[code]},{rid},{name},{dept},{role}" for code, rid, name, dept, role in RESPONDENTS]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("generate", "--respondents", str(listing), "--out-dir", str(root / "r")).exit_code == 0
    councils = root / "councils.csv"
    councils.write_text("code,name\n" + "".join(f"{c},{n}\n" for c, n in NAMES.items()), encoding="utf-8")
    assert run("generate", "--councils", str(councils), "--out-dir", str(root / "c")).exit_code == 0
    found = {rid: next((root / "r").glob(f"*-{rid}.xlsx")).read_bytes() for _c, rid, *_ in RESPONDENTS}
    found |= {code: next((root / "c").glob(f"{code}-*.xlsx")).read_bytes() for code in NAMES}
    return found


def filled(copies: dict[str, bytes], rid: str, rubric: Rubric, day: int = 10, shift: int = 0) -> bytes:
    answers = {}
    for i, code in enumerate(rubric.value_codes):
        value = typed(rid, i, code.id)
        if isinstance(value, int) and shift:
            value = (value + shift - 1) % 5 + 1
        text = None if value is None else (value if value == U else f"{value} - {rubric.levels[int(value) - 1]}")
        answers[code.id] = Typed(text, COMMENTS.get((rid, code.id)), *CHOICES.get((rid, code.id), (None, None)))
    cover = {"completion_date": date(2025, 3, day)}
    return fill_bytes(copies[rid], answers, cover, TARGETS.get(rid))


@pytest.fixture(scope="module")
def round_(copies: dict[str, bytes], rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five respondents' returns of two councils, collected with the respondent list and a council list."""
    root = tmp_path_factory.mktemp("respondent-mode")
    returns = root / "returns"
    returns.mkdir()
    for rid in SENT:
        (returns / f"{rid}.xlsx").write_bytes(filled(copies, rid, rubric))
    listing = root / "respondents.csv"
    lines = ["code,name,respondent_id,respondent_name,department,role"]
    lines += [f"{code},{NAMES[code]},{rid},{name},{dept},{role}" for code, rid, name, dept, role in RESPONDENTS]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "councils.csv").write_text(
        "code,name,type\n" + "".join(f"{c},{n},{TYPES[c]}\n" for c, n in NAMES.items()), encoding="utf-8"
    )
    out = root / "out"
    result = run(
        *("collect", str(returns), "--respondents", str(listing), "--expected", str(root / "councils.csv")),
        *("--group-by", "type", "--out", str(out / "summary.xlsx"), "--csv", str(out / "responses.csv")),
        *("--ledger", str(out / "files.csv"), "--chase", str(out / "chase.csv"), "--workers", "1"),
    )
    assert result.exit_code == 0, result.output
    (root / "stdout.txt").write_text(result.stdout, encoding="utf-8")
    return root


def test_the_console_says_respondent_mode_and_why(round_: Path) -> None:
    said = (round_ / "stdout.txt").read_text(encoding="utf-8")
    assert "5 files: " in said and "0 superseded" in said
    assert "Respondent mode: --respondents lists 6 respondents of 2 councils." in said
    assert "6 expected respondents of 3 councils: 5 returned, 1 not returned" in said
    consensus = round_ / "out" / "responses-consensus.csv"
    assert f"one response per council: {consensus} (beside --csv; name it with --consensus-csv)." in said
    assert 'see the sheet "Agreement"' in said


def test_every_respondents_return_is_used_with_the_respondent_in_the_ledger(round_: Path) -> None:
    ledger = rows(round_ / "out" / "files.csv")
    assert (
        header(round_ / "out" / "files.csv") == LEDGER_COLUMNS
        and _after(LEDGER_COLUMNS, "all_unchanged", 4) == RESPONDENT_COLUMNS
    )
    assert {Path(r["path"]).stem: r["status"] for r in ledger} == dict.fromkeys(SENT, "accepted-with-warnings")
    jlee = next(r for r in ledger if r["path"].endswith("jlee.xlsx"))
    pchen = next(r for r in ledger if r["path"].endswith("pchen.xlsx"))
    assert [jlee[c] for c in RESPONDENT_COLUMNS] == ["jlee", "", "", ""]
    assert [pchen[c] for c in RESPONDENT_COLUMNS] == ["pchen", "Paula Chen", "Finance", "Head of Finance"]


def test_the_tidy_csv_has_a_row_per_respondent_and_answer(round_: Path, rubric: Rubric) -> None:
    path = round_ / "out" / "responses.csv"
    assert header(path) == [*RESPONSE_COLUMNS, *RESPONDENT_COLUMNS, "type"]
    tidy = rows(path)
    assert len(tidy) == len(SENT) * len(rubric.value_codes)
    for i, code in enumerate(rubric.value_codes):
        for rid in SENT:
            row = next(r for r in tidy if r["respondent_id"] == rid and r["code_id"] == code.id)
            value = typed(rid, i, code.id)
            assert row["score"] == (str(value) if isinstance(value, int) else ""), (rid, code.id)
            assert row["council_code"] == council_of(rid) and row["type"] == "District"
    okafor = next(r for r in tidy if r["respondent_id"] == "dokafor")
    assert (okafor["respondent_name"], okafor["department"], okafor["role"]) == ("David Okafor", "Finance", "Buyer")
    # read back by read_responses, when a respondent-mode file is wanted
    read = read_responses(path, rubric, respondents=True)
    assert read.respondents and read.extra == ["type"] and len(read.responses) == len(tidy)
    assert list(read.responses.columns[-5:]) == [*RESPONDENT_COLUMNS, "type"]
    assert set(read.responses["respondent_id"]) == set(SENT)


def test_a_respondent_csv_is_refused_where_one_response_per_council_is_needed(round_: Path, rubric: Rubric) -> None:
    path = round_ / "out" / "responses.csv"
    with pytest.raises(ResponsesCsvError, match=r"has a row per respondent.*responses-consensus\.csv"):
        load_previous(path, rubric)
    result = run("feedback", str(path), "--out-dir", str(round_ / "fb-refused"))
    assert result.exit_code == 1 and "give the councils' consensus instead" in result.output


def test_a_respondent_csv_with_a_respondent_twice_is_refused(round_: Path, rubric: Rubric, tmp_path: Path) -> None:
    text = (round_ / "out" / "responses.csv").read_text(encoding="utf-8-sig")
    twice = tmp_path / "twice.csv"
    twice.write_text(text.replace("jlee.xlsx", "akhan-again.xlsx").replace(",jlee,", ",AKHAN,"), encoding="utf-8")
    with pytest.raises(ResponsesCsvError, match="'E07000103' and respondent 'AKHAN' has more than one return"):
        read_responses(twice, rubric, respondents=True)


def test_the_consensus_csv_is_each_councils_consensus_in_the_one_response_columns(round_: Path, rubric: Rubric) -> None:
    path = round_ / "out" / "responses-consensus.csv"
    assert header(path) == [*RESPONSE_COLUMNS, "type"]
    agreed = rows(path)
    assert len(agreed) == 2 * len(rubric.value_codes)
    wanted = expected(rubric)
    for row in agreed:
        value = wanted[row["council_code"], row["code_id"]]
        assert row["score"] == (str(value) if isinstance(value, int) else ""), row["code_id"]
        assert row["level"] == level_text(rubric, value)
        assert row["council"] == NAMES[row["council_code"]] and row["type"] == "District"
    dacorum = {r["code_id"]: r for r in agreed if r["council_code"] == DACORUM}
    assert dacorum["EC1"]["level"] == "Unscored" and dacorum["EC2"]["level"] == ""
    assert (
        dacorum["SM1"]["comment"]
        == "David Okafor (Finance): We report monthly.\n\nRukhsana Begum (Housing): Housing does not."
    )
    assert (dacorum["SM2"]["priority"], dacorum["SM2"]["support"]) == ("Low", "Yes")  # Low twice; one Yes
    assert (dacorum["SM3"]["priority"], dacorum["SM3"]["support"]) == ("High", "No")  # a tie goes to High
    assert {r["target"] for r in agreed if r["area"] == rubric.areas[0].name and r["council_code"] == DACORUM} == {"3"}
    files = dacorum["SM1"]["source_file"].split("; ")
    assert [Path(f).stem for f in files] == ["dokafor", "pchen", "rbegum"]  # in the order read


@pytest.mark.parametrize("rule", ["min", "median"])
def test_another_consensus_rule(round_: Path, rubric: Rubric, rule: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        *("collect", str(round_ / "returns"), "--consensus", rule, "--out", str(out / "s.xlsx")),
        *("--consensus-csv", str(out / "agreed.csv"), "--workers", "1"),
    )
    assert result.exit_code == 0, result.output
    assert (
        "5 of the 5 returns read carry a respondent's identity" in result.stdout
        and f"({rule}, --consensus)" in result.stdout
    )
    wanted = expected(rubric, rule)
    got = {(r["council_code"], r["code_id"]): r["score"] for r in rows(out / "agreed.csv")}
    assert got == {key: str(v) if isinstance(v, int) else "" for key, v in wanted.items()}
    assert got != {key: str(v) if isinstance(v, int) else "" for key, v in expected(rubric).items()}
    dacorum_ec = {r["target"] for r in rows(out / "agreed.csv") if r["area"] == rubric.areas[0].name}
    assert dacorum_ec == ({"2", ""} if rule == "min" else {"3", ""})  # Watford set no target


def test_the_agreement_sheets(round_: Path, rubric: Rubric) -> None:
    summary = round_ / "out" / "summary.xlsx"
    table = {(r["Code"], r["ID"]): r for r in sheet_rows(summary, "Agreement")}
    assert len(table) == 2 * len(rubric.value_codes)
    wanted = expected(rubric)
    flagged = 0
    for (code, code_id), row in table.items():
        i = [c.id for c in rubric.value_codes].index(code_id)
        scores = [s for r in SENT if council_of(r) == code and isinstance(s := typed(r, i, code_id), int)]
        assert row["Respondents"] == (3 if code == DACORUM else 2) and row["Scored"] == len(scores)
        spread = max(scores) - min(scores) if scores else None
        assert (row["Minimum"], row["Maximum"], row["Spread"]) == (
            (min(scores), max(scores), spread) if scores else (None, None, None)
        )
        assert row["Median"] == (statistics.median(scores) if scores else None)
        assert row["Disagreement"] == ("Yes" if spread is not None and spread >= 2 else None)
        flagged += row["Disagreement"] == "Yes"
        value = wanted[code, code_id]
        assert row["Consensus"] == (value if isinstance(value, int) else None)
        assert (row["Consensus level"] or "") == level_text(rubric, value)
    assert flagged
    overview = {r[0]: r[1] for r in openpyxl.load_workbook(summary)["Overview"].iter_rows(min_row=25, values_only=True)}
    assert overview["Disagreements (spread of 2 or more)"] == flagged
    assert overview["Returns used (one per respondent)"] == 5
    assert overview["Councils (each its respondents' consensus)"] == 2
    assert overview["Consensus rule"].startswith("median-down: the median of the respondents' scores rounded down")
    # the map: value codes down, councils across, each cell the spread
    grid = {r["ID"]: r for r in sheet_rows(summary, "Agreement map")}
    assert list(grid) == [c.id for c in rubric.value_codes]
    for (code, code_id), row in table.items():
        assert grid[code_id][NAMES[code]] == row["Spread"]


def test_the_tables_of_councils_give_the_consensus(round_: Path, rubric: Rubric) -> None:
    summary = round_ / "out" / "summary.xlsx"
    matrix = {r["Code"]: r for r in sheet_rows(summary, "Score matrix")}
    assert set(matrix) == {DACORUM, WATFORD}
    for (code, code_id), value in expected(rubric).items():
        assert matrix[code][code_id] == (value if isinstance(value, int) else ("U" if value == U else ""))


def test_results_by_department_and_role(round_: Path, rubric: Rubric) -> None:
    summary = round_ / "out" / "summary.xlsx"
    departments = sheet_rows(summary, "By department")
    people = {"Finance": ["pchen", "dokafor", "akhan"], "Housing": ["rbegum"], "(not given)": ["jlee"]}
    assert list(dict.fromkeys(r["Department"] for r in departments)) == ["Finance", "(not given)", "Housing"]
    for row in departments:
        area = next(a for a in rubric.areas if a.name == row["Key area"])
        scores = [
            s
            for rid in people[row["Department"]]
            for code in area.value_codes
            if isinstance(s := typed(rid, [c.id for c in rubric.value_codes].index(code.id), code.id), int)
        ]
        assert row["Respondents"] == len(people[row["Department"]]) and row["Scored"] == len(scores)
        assert row["Median"] == (statistics.median(scores) if scores else None)
    roles = {r["Role"] for r in sheet_rows(summary, "By role")}
    assert roles == {"Head of Finance", "Buyer", "Head of Housing", "(not given)"}
    book = openpyxl.load_workbook(summary)
    assert {"By department (chart)", "By role (chart)"} <= set(book.sheetnames)


def test_the_chase_list_has_a_row_per_listed_respondent(round_: Path) -> None:
    path = round_ / "out" / "chase.csv"
    assert header(path) == [*CHASE_COLUMNS, *RESPONDENT_COLUMNS, "type"]
    chase = rows(path)
    assert [r["respondent_id"] for r in chase] == ["mjones", *[r for _c, r, *_ in RESPONDENTS if r != "mjones"]]
    assert chase[0]["status"] == "not-returned" and chase[0]["respondent_name"] == "Mo Jones"
    assert all(r["status"] == "returned" for r in chase[1:])
    pchen = next(r for r in chase if r["respondent_id"] == "pchen")
    assert pchen["files"].endswith("pchen.xlsx") and pchen["department"] == "Finance"


def test_the_consensus_csv_feeds_feedback_unchanged(round_: Path, rubric: Rubric) -> None:
    out = round_ / "feedback"
    consensus = round_ / "out" / "responses-consensus.csv"
    result = run("feedback", str(consensus), "--out-dir", str(out), "--group-by", "type", "--min-cohort", "3")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 feedback workbooks" in result.output
    wanted = expected(rubric)
    for code in (DACORUM, WATFORD):
        (book,) = out.glob(f"{code}-*-feedback.xlsx")
        codes = {r["ID"]: r for r in sheet_rows(book, "Value codes")}
        for code_id, row in codes.items():
            value = wanted[code, code_id]
            assert row["Your score"] == (value if isinstance(value, int) else None), (code, code_id)
            shown = f"{value} - {rubric.levels[value - 1]}" if isinstance(value, int) else value or "Not answered"
            assert row["Your level"] == shown


def test_the_consensus_csv_feeds_rounds_and_segments_unchanged(round_: Path, rubric: Rubric, tmp_path: Path) -> None:
    consensus = round_ / "out" / "responses-consensus.csv"
    previous = load_previous(consensus, rubric)
    assert set(previous.responses["council_code"]) == {DACORUM, WATFORD}
    result = run(
        *("collect", str(round_ / "returns"), "--out", str(tmp_path / "s.xlsx"), "--previous", str(consensus)),
        *("--expected", str(round_ / "councils.csv"), "--group-by", "type", "--round", "next", "--workers", "1"),
    )
    assert result.exit_code == 0, result.output
    councils = sheet_rows(tmp_path / "s.xlsx", "Councils by round")
    assert len(councils) == 2 and all(r["Matched by"] == "Council code" for r in councils)
    moved = [r for r in sheet_rows(tmp_path / "s.xlsx", "Movement by key area") if r["Councils"] == "In both rounds"]
    assert moved and all(r["Median change"] == 0 for r in moved if r["Median change"] is not None)
    segments = {r["Segment"]: r for r in sheet_rows(tmp_path / "s.xlsx", "Segments") if r["Grouping"] == "type"}
    assert segments["District"]["Expected"] == 2 and segments["Borough"]["Expected"] == 1


def test_a_resubmission_supersedes_only_its_respondents_earlier_file(
    copies: dict[str, bytes], rubric: Rubric, tmp_path: Path
) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "pchen-first.xlsx").write_bytes(filled(copies, "pchen", rubric, day=10))
    (returns / "pchen-second.xlsx").write_bytes(filled(copies, "pchen", rubric, day=12, shift=1))
    (returns / "dokafor.xlsx").write_bytes(filled(copies, "dokafor", rubric, day=11))
    ledger = tmp_path / "files.csv"
    outputs = ("--out", str(tmp_path / "s.xlsx"), "--ledger", str(ledger), "--csv", str(tmp_path / "r.csv"))
    result = run("collect", str(returns), *outputs)
    assert result.exit_code == 0, result.output
    status = {Path(r["path"]).stem: (r["status"], r["note"]) for r in rows(ledger)}
    assert status["pchen-first"] == (
        "superseded",
        f"superseded by {returns / 'pchen-second.xlsx'} (later completion date, then file time)",
    )
    assert status["pchen-second"] == (USED, "used; 1 other return(s) from this respondent superseded")
    assert status["dokafor"] == (USED, "")
    used = {r["respondent_id"]: r["source_file"] for r in rows(tmp_path / "r.csv")}
    assert {rid: Path(f).stem for rid, f in used.items()} == {"pchen": "pchen-second", "dokafor": "dokafor"}


def test_two_respondents_of_one_council_are_both_used(copies: dict[str, bytes], rubric: Rubric, tmp_path: Path) -> None:
    """Not resubmissions of one council (as before respondent mode): each is a respondent's answer."""
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "a.xlsx").write_bytes(filled(copies, "pchen", rubric, day=10))
    (returns / "b.xlsx").write_bytes(filled(copies, "rbegum", rubric, day=12))
    ledger = tmp_path / "files.csv"
    assert run("collect", str(returns), "--out", str(tmp_path / "s.xlsx"), "--ledger", str(ledger)).exit_code == 0
    assert [r["status"] for r in rows(ledger)] == [USED, USED]


def test_a_mixed_folder_is_reported_and_never_merged(copies: dict[str, bytes], rubric: Rubric, tmp_path: Path) -> None:
    """Dacorum's respondents and a council-level Dacorum return (set aside); Hertsmere's council-level return
    only (used alone, its answers its own)."""
    returns = tmp_path / "returns"
    returns.mkdir()
    for rid in ("pchen", "dokafor", "rbegum"):
        (returns / f"{rid}.xlsx").write_bytes(filled(copies, rid, rubric))
    everything = {code.id: Typed("5 - Innovator") for code in rubric.value_codes}
    (returns / "dacorum-whole.xlsx").write_bytes(fill_bytes(copies[DACORUM], everything))
    (returns / "hertsmere.xlsx").write_bytes(fill_bytes(copies[HERTSMERE], everything))
    out = tmp_path / "out"
    result = run(
        *("collect", str(returns), "--out", str(out / "s.xlsx"), "--ledger", str(out / "files.csv")),
        *("--csv", str(out / "r.csv"), "--workers", "1"),
    )
    assert result.exit_code == 0, result.output
    assert "3 of the 5 returns read carry a respondent's identity" in result.stdout
    assert (
        "Mixed folder: 2 returns without a respondent's identity, never merged with respondents' answers; used alone, "
        f"as its council's one response: {returns / 'hertsmere.xlsx'}; set aside, as its council's respondents' "
        f"returns are used: {returns / 'dacorum-whole.xlsx'} (see the ledger's notes)."
    ) in result.stdout
    ledger = {Path(r["path"]).stem: r for r in rows(out / "files.csv")}
    assert ledger["dacorum-whole"]["status"] == "superseded"
    assert ledger["dacorum-whole"]["note"].startswith("set aside: it carries no respondent's identity")
    assert ledger["hertsmere"]["status"] == "accepted"  # every value code answered
    assert ledger["hertsmere"]["note"].startswith("used as the council's one response")
    consensus = {(r["council_code"], r["code_id"]): r["score"] for r in rows(out / "r-consensus.csv")}
    wanted = expected(rubric)
    for code in rubric.value_codes:  # Dacorum's consensus is its respondents' only; Hertsmere's its own answers
        value = wanted[DACORUM, code.id]
        assert consensus[DACORUM, code.id] == (str(value) if isinstance(value, int) else "")
        assert consensus[HERTSMERE, code.id] == "5"
    overview = {
        r[0]: r[1] for r in openpyxl.load_workbook(out / "s.xlsx")["Overview"].iter_rows(min_row=25, values_only=True)
    }
    assert overview["  Returns without a respondent: used alone"] == 1
    assert overview["  Returns without a respondent: set aside"] == 1


def test_one_response_per_council_writes_no_consensus(copies: dict[str, bytes], rubric: Rubric, tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "hertsmere.xlsx").write_bytes(fill_bytes(copies[HERTSMERE], {"EC1": Typed("3 - Mature")}))
    out = tmp_path / "out"
    result = run(
        "collect", str(returns), "--out", str(out / "s.xlsx"), "--csv", str(out / "r.csv"), "--consensus", "min"
    )
    assert result.exit_code == 0, result.output
    assert "One response per council: no return carries a respondent's identity" in result.stdout
    assert "Respondent mode" not in result.stdout and not (out / "r-consensus.csv").exists()
    assert header(out / "r.csv") == RESPONSE_COLUMNS
    assert "Agreement" not in openpyxl.load_workbook(out / "s.xlsx").sheetnames


def test_the_chase_list_per_respondent_takes_each_status_from_that_respondents_files(
    copies: dict[str, bytes], rubric: Rubric, tmp_path: Path
) -> None:
    """Watford's akhan sends a rejected return (a score that is not a level), jlee one with nothing answered;
    mjones nothing; a Watford council-level return counts for none of them, and their rows say so."""
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "akhan.xlsx").write_bytes(fill_bytes(copies["akhan"], {"EC1": Typed("seven")}))
    (returns / "jlee.xlsx").write_bytes(copies["jlee"])
    (returns / "watford.xlsx").write_bytes(fill_bytes(copies[WATFORD], {"EC1": Typed("3 - Mature")}))
    listing = tmp_path / "respondents.csv"
    lines = ["code,name,respondent_id,respondent_name,department,role"]
    lines += [f"{c},{NAMES[c]},{rid},{name},{dept},{role}" for c, rid, name, dept, role in RESPONDENTS if c == WATFORD]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chase = tmp_path / "chase.csv"
    result = run(
        "collect", str(returns), "--respondents", str(listing), "--out", str(tmp_path / "s.xlsx"), "--chase", str(chase)
    )
    assert result.exit_code == 0, result.output
    assert "3 expected respondents of 1 council: 0 returned, 1 rejected, 1 blank, 1 not returned" in result.stdout
    status = {r["respondent_id"]: r for r in rows(chase)}
    assert [r["respondent_id"] for r in rows(chase)] == ["akhan", "jlee", "mjones"]  # rejected, blank, not returned
    assert (status["akhan"]["status"], status["jlee"]["status"], status["mjones"]["status"]) == (
        "rejected",
        "blank",
        "not-returned",
    )
    assert status["akhan"]["note"].startswith("1 file matched by the respondent in the workbook")
    assert "'seven'" in status["akhan"]["first_error"]
    for row in status.values():
        assert row["note"].endswith(
            f"from this council without a respondent's identity (counted for no respondent): {returns / 'watford.xlsx'}"
        )


def test_a_respondent_not_on_the_list_is_used_and_said(round_: Path, tmp_path: Path) -> None:
    listing = tmp_path / "respondents.csv"
    lines = ["code,name,respondent_id,respondent_name,department,role"]
    lines += [f"{c},{NAMES[c]},{rid},{name},{dept},{role}" for c, rid, name, dept, role in RESPONDENTS if rid != "jlee"]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ledger = tmp_path / "files.csv"
    returns = round_ / "returns"
    result = run(
        "collect",
        str(returns),
        "--respondents",
        str(listing),
        "--out",
        str(tmp_path / "s.xlsx"),
        "--ledger",
        str(ledger),
    )
    assert result.exit_code == 0, result.output
    assert f"1 return from respondents not on the respondent list (used): {returns / 'jlee.xlsx'}." in result.stdout
    notes = {Path(r["path"]).stem: (r["status"], r["note"]) for r in rows(ledger)}
    assert notes["jlee"] == (USED, "the respondent is not on the respondent list")
    assert notes["akhan"] == (USED, "")


def _after(names: list[str], name: str, n: int) -> list[str]:
    """The ``n`` names after ``name``."""
    at = names.index(name) + 1
    return names[at : at + n]


def test_one_response_per_council_says_there_is_no_consensus_only_when_one_was_asked_for(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "samples" / "returns"
    plain = run("collect", str(samples), "--out", str(tmp_path / "a.xlsx"), "--csv", str(tmp_path / "a.csv"))
    assert plain.exit_code == 0 and "no consensus" not in plain.output
    assert not (tmp_path / "a-consensus.csv").exists()
    asked = run("collect", str(samples), "--out", str(tmp_path / "b.xlsx"), "--consensus", "min")
    assert asked.exit_code == 0 and "so there is no consensus (--consensus and --consensus-csv have no effect)" in (
        asked.output
    )
