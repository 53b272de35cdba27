"""Rounds (issue 13): the previous round's responses CSV, matching councils, movement, movers, rubric changes."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect.rounds import (
    ALL,
    BOTH,
    BY_CODE,
    BY_NAME,
    NOW_ONLY,
    THEN_ONLY,
    PreviousRound,
    PreviousRoundError,
    check_rubric,
    compare,
    councils_of,
    load_previous,
    match_councils,
)
from nps_xlsx.columns import LEDGER_COLUMNS, RESPONSE_COLUMNS, ROW_COLUMNS
from nps_xlsx.councils import Council
from nps_xlsx.csv_table import write_csv
from nps_xlsx.rubric import Rubric, load_rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import FIXED_TIME
from .test_rubric import SMALL_RUBRIC

LEVELS = "[Minimum, Developing, Mature, Leader, Innovator]"


@pytest.fixture(scope="module")
def five_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny rubric (areas AA: AA1, AA2; BB: BB1) with the NPS rubric's five levels."""
    text = SMALL_RUBRIC.replace("[Low, Middle, High]", LEVELS)
    for letter in "abc":
        text = text.replace(f"[{letter}1, {letter}2, {letter}3]", f"[{', '.join(f'{letter}{i}' for i in range(1, 6))}]")
    path = tmp_path_factory.mktemp("five") / "five.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def five(five_path: Path) -> Rubric:
    return load_rubric(five_path)


def frame(returns: dict[tuple[str, str], dict[str, int | None]]) -> pd.DataFrame:
    """Responses (source_file, council, council_code, code_id, score) of {(council, code): {code_id: score}}."""
    rows = [
        (f"returns/{council}.xlsx", council, code, code_id, score)
        for (council, code), scores in returns.items()
        for code_id, score in scores.items()
    ]
    out = pd.DataFrame(rows, columns=["source_file", "council", "council_code", "code_id", "score"])
    out["score"] = out["score"].astype("Int64")
    return out


# The hand-computed example: A matched by code, Brighton by name (no code then), C only now, D only then.
THEN = {
    ("A Council", "X1"): {"AA1": 2, "AA2": 3, "BB1": 4},
    ("Brighton & Hove City Council", ""): {"AA1": 3, "AA2": None, "BB1": 2},
    ("D Council", "X4"): {"AA1": 5, "AA2": 5, "BB1": 5},
}
NOW = {
    ("A Council", "X1"): {"AA1": 3, "AA2": 4, "BB1": 4},
    ("Brighton and Hove City Council", "X2"): {"AA1": 2, "AA2": 2, "BB1": 3},
    ("C Council", "X3"): {"AA1": 1, "AA2": 1, "BB1": 1},
}


def previous_of(returns: dict[tuple[str, str], dict[str, int | None]], label: str = "2021") -> PreviousRound:
    return PreviousRound(Path("responses-2021.csv"), label, None, frame(returns))


def test_mature_and_above_is_level_3_of_the_nps_rubric(rubric: Rubric, five: Rubric) -> None:
    assert rubric.levels[2] == "Mature" and rubric.mature_level == 3
    assert five.mature_level == 3


def test_councils_are_matched_by_code_then_by_name() -> None:
    pairs = match_councils(councils_of(frame(NOW)), councils_of(frame(THEN)))
    got = {(row.council or row.council_then): row.matched for row in pairs.itertuples()}
    assert got == {
        "A Council": BY_CODE,
        "Brighton and Hove City Council": BY_NAME,  # "&" and "and", no code in the earlier round
        "C Council": NOW_ONLY,
        "D Council": THEN_ONLY,
    }
    assert list(pairs["matched"]) == [BY_CODE, BY_NAME, NOW_ONLY, THEN_ONLY]
    brighton = pairs[pairs["matched"] == BY_NAME].iloc[0]
    assert (brighton.council_code, brighton.council_then, brighton.code_then) == (
        "X2",
        "Brighton & Hove City Council",
        "",
    )


def test_a_code_wins_over_a_name_and_an_ambiguous_name_matches_nothing() -> None:
    now = councils_of(frame({("Same Name Council", "N1"): {"AA1": 1}, ("Twin", ""): {"AA1": 1}}))
    then = councils_of(
        frame({("Other Name", "N1"): {"AA1": 1}, ("Twin Council", ""): {"AA1": 1}, ("Twin BC", ""): {"AA1": 1}})
    )
    pairs = match_councils(now, then)
    matched = dict(zip(pairs["council"] + "|" + pairs["council_then"], pairs["matched"], strict=True))
    assert matched["Same Name Council|Other Name"] == BY_CODE
    assert matched["Twin|"] == NOW_ONLY  # two councils then fold to "twin": neither is taken
    assert sorted(k for k, v in matched.items() if v == THEN_ONLY) == ["|Twin BC", "|Twin Council"]


def row(table: pd.DataFrame, **where: str) -> pd.Series:
    found = table
    for column, value in where.items():
        found = found[found[column] == value]
    assert len(found) == 1, where
    return found.iloc[0]


def test_movement_by_value_code_against_a_hand_computed_example(five: Rubric) -> None:
    by_code = compare(previous_of(THEN), frame(NOW), five, "2025").by_code
    assert list(by_code["Councils"]) == [BOTH] * 3 + [ALL] * 3
    aa2 = row(by_code, ID="AA2", Councils=BOTH)  # then: A 3 (Brighton blank); now: A 4, Brighton 2
    assert (aa2["n previous"], aa2["n now"]) == (1, 2)
    assert (aa2["Mature or above, previous"], aa2["Mature or above, now"]) == (1.0, 0.5)
    assert aa2["Change (points)"] == pytest.approx(-50)
    assert (aa2["Median, previous"], aa2["Median, now"], aa2["Median change"]) == (3, 3, 0)
    bb1 = row(by_code, ID="BB1", Councils=BOTH)  # then 4, 2; now 4, 3
    assert (bb1["Mature or above, previous"], bb1["Mature or above, now"], bb1["Change (points)"]) == (0.5, 1.0, 50)
    assert (bb1["Median, previous"], bb1["Median, now"], bb1["Median change"]) == (3, 3.5, 0.5)
    aa1 = row(by_code, ID="AA1", Councils=ALL)  # then 2, 3, 5 (D too); now 3, 2, 1 (C too)
    assert (aa1["n previous"], aa1["n now"]) == (3, 3)
    assert aa1["Mature or above, previous"] == pytest.approx(2 / 3)
    assert aa1["Mature or above, now"] == pytest.approx(1 / 3)
    assert (aa1["Median, previous"], aa1["Median, now"]) == (3, 2)
    assert (aa1["Value code"], aa1["Key area"]) == ("Alpha", "First area")


def test_movement_by_key_area_against_a_hand_computed_example(five: Rubric) -> None:
    by_area = compare(previous_of(THEN), frame(NOW), five, "2025").by_area
    first = row(by_area, **{"Key area": "First area", "Councils": BOTH})
    # area scores then: A (2+3)/2 = 2.5, Brighton 3; now: A 3.5, Brighton 2. Scores then 2,3,3; now 3,4,2,2.
    assert (first["n previous"], first["n now"]) == (2, 2)
    assert (first["Median, previous"], first["Median, now"]) == (2.75, 2.75)
    assert first["Mature or above, previous"] == pytest.approx(2 / 3)
    assert first["Mature or above, now"] == 0.5
    assert first["Change (points)"] == pytest.approx(-100 / 6)
    everyone = row(by_area, **{"Key area": "First area", "Councils": ALL})  # D's 5 then, C's 1 now
    assert (everyone["Median, previous"], everyone["Median, now"]) == (3, 2)
    assert list(by_area["Key area"][:2]) == [a.name for a in five.areas]  # the chart plots the first rows


def test_movers_per_key_area_up_and_down(five: Rubric) -> None:
    movers = compare(previous_of(THEN), frame(NOW), five, "2025").movers
    got = [
        (r["Key area"], r["Direction"], r["Council"], r["Area score, previous"], r["Area score, now"], r["Change"])
        for _, r in movers.iterrows()
    ]
    assert got == [
        ("First area", "Up", "A Council", 2.5, 3.5, 1.0),
        ("First area", "Down", "Brighton and Hove City Council", 3.0, 2.0, -1.0),
        (five.areas[1].name, "Up", "Brighton and Hove City Council", 2.0, 3.0, 1.0),  # A did not move in BB
    ]


def test_at_most_three_movers_each_way_largest_first(five: Rubric) -> None:
    councils = {(f"Council {n}", f"K{n}"): n for n in range(1, 6)}
    then = {key: {"AA1": 1, "AA2": 1, "BB1": 3} for key in councils}
    now = {key: {"AA1": 1 + n % 5, "AA2": 1, "BB1": 3} for key, n in councils.items()}  # rises 0.5 to 2, one 0
    movers = compare(previous_of(then), frame(now), five, "2025").movers
    assert list(movers["Council"]) == ["Council 4", "Council 3", "Council 2"]
    assert list(movers["Change"]) == [2.0, 1.5, 1.0]


def test_councils_in_one_round_are_counted_listed_and_kept_out_of_both(five: Rubric) -> None:
    result = compare(previous_of(THEN), frame(NOW), five, "2025")
    overview = dict(result.overview)
    assert overview["Councils in the previous round"] == 3 and overview["Councils in this round"] == 3
    assert overview["  in both rounds"] == 2
    assert (overview["    matched by council code"], overview["    matched by name"]) == (1, 1)
    assert (overview["  in this round only"], overview["  in the previous round only"]) == (1, 1)
    only = result.councils[result.councils["Matched by"].str.endswith("only")]
    assert sorted(only["Council"] + only["Council, previous"]) == ["C Council", "D Council"]
    assert "1 in this round only, 1 in 2021 only" in result.console
    # D's 5s and C's 1s are in no figure for the councils in both rounds (AA1 both: then 2, 3; now 3, 2)
    aa1 = row(result.by_code, ID="AA1", Councils=BOTH)
    assert (aa1["n previous"], aa1["Median, previous"], aa1["Median, now"]) == (2, 2.5, 2.5)


# --- the previous round's CSV -------------------------------------------------------------------------


def responses_csv(path: Path, rubric: Rubric, rows: list[tuple[object, ...]], **options: object) -> Path:
    """A responses CSV as collect writes it: rows of (council, code, code_id, score), round 2021."""
    names = {c.id: c.name for c in rubric.value_codes}
    full = [
        # no comment, level, priority, support or target
        (f"returns/{council}.xlsx", council, code, rubric.area_of(cid).name, cid, names[cid], score, "", "", "2021", fp)
        + ("",) * 3
        for council, code, cid, score, fp in (r if len(r) == 5 else (*r, rubric.fingerprint) for r in rows)
    ]
    write_csv(path, RESPONSE_COLUMNS, full, **options)  # type: ignore[arg-type]
    return path


def every_code(rubric: Rubric, council: str, code: str, score: object = 3) -> list[tuple[object, ...]]:
    return [(council, code, c.id, score) for c in rubric.value_codes]


def test_a_previous_round_is_read_with_its_label_fingerprint_and_scores(five: Rubric, tmp_path: Path) -> None:
    rows = every_code(five, "=Odd Council", "X1") + every_code(five, "B Council", "X2", "")
    previous = load_previous(responses_csv(tmp_path / "r.csv", five, rows), five)
    assert (previous.label, previous.fingerprint, previous.notes) == ("2021", five.fingerprint, [])
    assert set(previous.responses["council"]) == {"=Odd Council", "B Council"}  # the CSV's ' taken off again
    assert list(previous.responses["score"].dropna()) == [3, 3, 3]
    assert previous.responses["score"].isna().sum() == 3


def test_a_previous_round_resaved_by_excel_with_semicolons_is_read(five: Rubric, tmp_path: Path) -> None:
    path = responses_csv(tmp_path / "r.csv", five, every_code(five, "Ynys Môn", "W1"))
    text = path.read_text(encoding="utf-8-sig").replace(",", ";")
    path.write_bytes(text.encode("cp1252"))
    previous = load_previous(path, five)
    assert set(previous.responses["council"]) == {"Ynys Môn"} and len(previous.responses) == 3
    assert previous.notes == [f"Read {path} as Windows-1252 (not UTF-8), separated by semicolons."]


def refused(path: Path, rubric: Rubric, *fragments: str, allow: bool = False) -> str:
    with pytest.raises(PreviousRoundError) as caught:
        load_previous(path, rubric, allow)
    for fragment in fragments:
        assert fragment in str(caught.value)
    return str(caught.value)


def test_files_that_are_not_a_previous_rounds_responses_are_refused(five: Rubric, tmp_path: Path) -> None:
    ledger = tmp_path / "files.csv"
    write_csv(ledger, LEDGER_COLUMNS, [])
    refused(ledger, five, "is a ledger CSV written by nps-xlsx", "--previous takes the responses CSV")
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nX1,A\n", encoding="utf-8")
    refused(councils, five, f"{councils} is not a responses CSV: its first line names 'code', 'name'; --previous takes")
    no_comment = tmp_path / "no-comment.csv"  # most of the columns: the reader's message names the missing one
    no_comment.write_text(",".join(c for c in ROW_COLUMNS if c != "comment") + "\nf,A,X1,Area,AA1,Code,3,Mature\n")
    refused(no_comment, five, f"{no_comment}:1: no column for 'comment'")
    refused(responses_csv(tmp_path / "empty.csv", five, []), five, "holds no responses")
    bad = every_code(five, "A", "X1")
    bad[1] = ("A", "X1", "AA2", "3.5")
    refused(
        responses_csv(tmp_path / "bad.csv", five, bad), five, f"{tmp_path / 'bad.csv'}:3: score '3.5' is not a level"
    )
    path = responses_csv(tmp_path / "two.csv", five, every_code(five, "A", "X1") + every_code(five, "B", "X2"))
    path.write_text(path.read_text(encoding="utf-8-sig").replace("B.xlsx,B,X2", "A2.xlsx,A,X1"), encoding="utf-8")
    refused(path, five, "council code 'X1' has more than one return")


def test_a_file_of_two_rounds_is_refused(five: Rubric, tmp_path: Path) -> None:
    path = responses_csv(tmp_path / "r.csv", five, every_code(five, "A", "X1"))
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[-1] = lines[-1].replace(",2021,", ",2018,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(path, five, "rows of 2 rounds", "2021, 2018")


def test_a_rubric_change_is_refused_unless_allowed_and_the_ids_match(five: Rubric, tmp_path: Path) -> None:
    other = "f" * 64
    ids = {c.id for c in five.value_codes}
    assert check_rubric(five.fingerprint, ids, five, False, "r.csv") is None
    with pytest.raises(PreviousRoundError, match="add --allow-rubric-change"):
        check_rubric(other, ids, five, False, "r.csv")
    note = check_rubric(other, ids, five, True, "r.csv")
    assert note and "--allow-rubric-change" in note and "ffffffffffff" in note
    with pytest.raises(PreviousRoundError, match=re.escape("only in r.csv: ZZ9; only in this rubric: BB1")):
        check_rubric(other, ids - {"BB1"} | {"ZZ9"}, five, True, "r.csv")
    with pytest.raises(PreviousRoundError, match="unknown rubric"):  # a file with no fingerprint column
        check_rubric(None, ids, five, False, "r.csv")
    # and through the file
    rows = [(*r, other) for r in every_code(five, "A", "X1")]
    path = responses_csv(tmp_path / "changed.csv", five, rows)
    refused(path, five, "another rubric", "--allow-rubric-change")
    assert load_previous(path, five, allow_rubric_change=True).notes


# --- through collect -----------------------------------------------------------------------------------

COUNCILS = [Council("X1", "A Council"), Council("X2", "Brighton and Hove City Council")]


@pytest.fixture(scope="module")
def returns(five: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rounds") / "returns"
    folder.mkdir()
    for council, (level, comment) in zip(COUNCILS, [(5, ""), (4, "See our report.")], strict=True):
        book = build_workbook(five, BuildOptions(FIXED_TIME), council)
        answers = {c.id: Typed(f"{level} - {five.levels[level - 1]}", comment or None) for c in five.value_codes}
        (folder / f"{council.code}.xlsx").write_bytes(fill_bytes(book, answers, {"council_name": council.name}))
    return folder


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_collect_writes_round_and_fingerprint_and_compares_with_a_previous_round(
    five: Rubric, five_path: Path, returns: Path, tmp_path: Path
) -> None:
    rubric_file = five_path
    rows = every_code(five, "A Council", "X1", 2) + every_code(five, "Brighton & Hove Council", "", 4)
    rows += every_code(five, "Gone Council", "X9", 1)
    previous = responses_csv(tmp_path / "responses-2021.csv", five, rows)
    out = tmp_path / "out"
    result = run(
        "collect", returns, "--rubric", rubric_file, "--out", out / "s.xlsx", "--csv", out / "r.csv",
        "--previous", previous, "--round", "2025",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "Previous round 2021: 3 councils then, 2 now; 2 in both (1 matched by code, 1 by name), 0 in this round "
        "only, 1 in 2021 only" in result.output
    )
    written = pd.read_csv(out / "r.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(written.columns[-5:-3]) == ["round", "rubric_fingerprint"]  # then the ambition answers
    assert set(written["round"]) == {"2025"} and set(written["rubric_fingerprint"]) == {five.fingerprint}
    book = openpyxl.load_workbook(out / "s.xlsx")
    for name in ("Councils by round", "Movement by key area", "Movement by value code", "Movers"):
        assert len(book[name].tables) == 1, name
    assert book["Movement by key area"]._charts, "no chart of the area medians"
    overview = {r[0]: r[1] for r in book["Overview"].iter_rows(values_only=True) if r[0]}
    assert (overview["Round"], overview["  in the previous round only"]) == ("2025", 1)
    area = [r for r in book["Movement by key area"].iter_rows(values_only=True)][1]
    assert area[:2] == ("First area", BOTH) and (area[7], area[8]) == (3, 4.5)  # A 2 -> 5, Brighton 4 -> 4
    # this round's CSV is a previous round for the next
    again = run("collect", returns, "--rubric", rubric_file, "--out", out / "s2.xlsx", "--previous", out / "r.csv")
    assert again.exit_code == 0 and "2 in both (2 matched by code, 0 by name)" in again.output


def test_a_wrong_previous_file_read_while_the_workers_read_still_stops_the_run_before_anything_is_written(
    five_path: Path, returns: Path, tmp_path: Path
) -> None:
    """With workers, the previous round is read while they read the returns: its error waits for them, then
    ends the run as the same usage error, with no output written."""
    many = tmp_path / "many"
    many.mkdir()
    for copy in range(5):  # 10 files: enough for collect to read them in worker processes
        for source in sorted(returns.iterdir()):
            (many / f"{copy}-{source.name}").write_bytes(source.read_bytes())
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nX1,A\n", encoding="utf-8")
    out, csv = tmp_path / "s.xlsx", tmp_path / "r.csv"
    result = run(
        "collect", many, "--rubric", five_path, "--out", out, "--csv", csv, "--workers", 2, "--previous", councils
    )
    assert result.exit_code == 2 and "Invalid value for '--previous'" in result.output
    assert "is a council list" in result.output or "not a responses CSV" in result.output
    assert not out.exists() and not csv.exists()


def test_collect_refuses_a_wrong_previous_file_and_a_rubric_change_as_usage_errors(
    five: Rubric, five_path: Path, returns: Path, tmp_path: Path
) -> None:
    rubric_file = five_path
    out = tmp_path / "s.xlsx"
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nX1,A\n", encoding="utf-8")
    result = run("collect", returns, "--rubric", rubric_file, "--out", out, "--previous", councils)
    assert result.exit_code == 2 and "Invalid value for '--previous'" in result.output and not out.exists()
    changed = responses_csv(tmp_path / "c.csv", five, [(*r, "e" * 64) for r in every_code(five, "A Council", "X1")])
    result = run("collect", returns, "--rubric", rubric_file, "--out", out, "--previous", changed)
    assert result.exit_code == 2 and "--allow-rubric-change" in result.output and not out.exists()
    allowed = run(
        "collect", returns, "--rubric", rubric_file, "--out", out, "--previous", changed, "--allow-rubric-change"
    )
    assert allowed.exit_code == 0, allowed.output
    default = run("collect", returns, "--out", tmp_path / "d.xlsx", "--previous", changed, "--allow-rubric-change")
    assert default.exit_code == 2 and "other value codes" in default.output  # the NPS rubric: other IDs


def test_the_round_defaults_to_the_year_produced(
    five_path: Path, returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")  # 2025-11-26
    rubric_file = five_path
    result = run("collect", returns, "--rubric", rubric_file, "--out", tmp_path / "s.xlsx", "--csv", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)
    assert set(written["round"]) == {"2025"}


def test_the_readme_main_job_compares_the_sample_rounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first command, run as written on a copy of samples/: it shows the movement since 2021."""
    import shlex
    import shutil

    from .conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "bin/nps-xlsx collect " in line)
    args = shlex.split(command.split(".venv/bin/nps-xlsx ", 1)[1])
    assert "--previous" in args and "--round" in args
    shutil.copytree(REPO / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Previous round 2021: 21 councils then, 22 now; 20 in both (18 matched by code, 2 by name)" in result.output
    book = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx", read_only=True)
    assert {"Councils by round", "Movement by key area", "Movers", "Excellence"} <= set(book.sheetnames)
    assert (tmp_path / "out" / "excellence.csv").exists()
