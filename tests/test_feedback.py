"""Feedback workbooks (issue 14): each figure against pandas on the CSV, the disclosure rule, no other council's
name in any part, blanks and unscored answers, the options, the overwrite rule, PDFs and the samples."""

from __future__ import annotations

import csv
import gc
import math
import random
import re
import shutil
import statistics
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.columns import AMBITION_COLUMNS, RESPONDENT_COLUMNS, RESPONSE_COLUMNS
from nps_xlsx.feedback.job import PARALLEL_FROM
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import synthetic_council

from .conftest import REPO, require_program

TYPES = ["Unitary"] * 6 + ["District"] * 4 + ["County"] * 2  # segments of 6, 4 and 2 councils
NAMES = [  # no name is part of another, nor a word of the rubric
    f"{w} Council"
    for w in [
        "Ashcombe",
        "Brinkley",
        "Coldmere",
        "Dunholt",
        "Elverton",
        "Farnby",
        "Gorsley",
        "Hallam",
        "Ickford",
        "Jessop",
        "Kelby",
        "Lowick",
    ]
]
COUNCILS = [(f"X{i:08d}", NAMES[i], TYPES[i]) for i in range(len(TYPES))]  # 12: fewer than PARALLEL_FROM
NO_TARGETS = COUNCILS[9][0]  # the one council that set no target level (every other sets some)


def answers(rubric: Rubric, seed: int, blanks: float = 0.05, unscored: float = 0.05) -> dict[str, tuple[object, str]]:
    """A council's answers: value-code ID -> (score or None, level text), as collect writes them."""
    rng = random.Random(seed)
    out: dict[str, tuple[object, str]] = {}
    for code in rubric.value_codes:
        roll = rng.random()
        if roll < blanks:
            out[code.id] = (None, "")
        elif roll < blanks + unscored:
            out[code.id] = (None, rubric.unscored)
        else:
            score = rng.randint(1, len(rubric.levels))
            out[code.id] = (score, rubric.levels[score - 1])
    return out


def targets(rubric: Rubric, seed: int) -> dict[str, int]:
    """A council's target levels: key-area name -> level, for about three areas in four."""
    rng = random.Random(seed + 1000)
    return {area.name: rng.randint(1, len(rubric.levels)) for area in rubric.areas if rng.random() < 0.75}


def write_csv(
    path: Path,
    rubric: Rubric,
    councils: list[tuple[str, str, str]],
    label: str = "2025",
    seed: int = 0,
    ambition: bool = True,
) -> Path:
    """A responses CSV as collect --csv --group-by type writes it; without ``ambition``, as it did before the
    priority, support and target columns were added."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    header = RESPONSE_COLUMNS if ambition else [c for c in RESPONSE_COLUMNS if c not in AMBITION_COLUMNS]
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow([*header, "type"])
        for n, (code, name, kind) in enumerate(councils):
            chosen = {} if code == NO_TARGETS else targets(rubric, seed + n)
            for k, (code_id, (score, level)) in enumerate(answers(rubric, seed + n).items()):
                value = rubric.value_codes[[c.id for c in rubric.value_codes].index(code_id)].name
                comment = f"Comment of {name} on {code_id}" if (n + k) % 7 == 0 else ""
                source = f"returns/{code}.xlsx"
                row = [source, name, code, areas[code_id], code_id, value, score, level, comment, label]
                more = [("High", "Medium", "Low", "")[k % 4], ("Yes", "No", "")[k % 3], chosen.get(areas[code_id])]
                writer.writerow([*row, rubric.fingerprint, *(more if ambition else []), kind])
    return path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["feedback", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    if not rows:
        return []
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def book_for(out: Path, code: str) -> Path:
    (found,) = out.glob(f"{code}-*-feedback.xlsx")
    return found


def tidy(path: Path) -> pd.DataFrame:
    blank = {"score": [""], "target": [""]}
    dtype = {"score": "Int64", "target": "Int64"}
    return pd.read_csv(path, encoding="utf-8-sig", dtype=dtype, keep_default_na=False, na_values=blank)


def close(value: object, expected: float | None) -> bool:
    if expected is None or pd.isna(expected):
        return value is None
    return value is not None and abs(float(value) - float(expected)) < 1e-9  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def round_(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """12 councils (types of 6, 4 and 2), a previous round of the first 10, their feedback workbooks."""
    root = tmp_path_factory.mktemp("feedback")
    now = write_csv(root / "responses.csv", rubric, COUNCILS)
    then = write_csv(root / "previous.csv", rubric, COUNCILS[:10], "2021", seed=100, ambition=False)  # an old CSV
    code, output = run(str(now), "--out-dir", str(root / "out"), "--group-by", "type", "--previous", str(then))
    assert code == 0, output
    return now, then, root / "out"


def _where(score: float, lower: float, upper: float) -> str | None:
    if pd.isna(score) or pd.isna(lower):
        return None
    return (
        "Below the middle half"
        if score < lower
        else "Above the middle half"
        if score > upper
        else "Within the middle half"
    )


def test_every_value_code_figure_equals_pandas(round_: tuple[Path, Path, Path], rubric: Rubric) -> None:
    now, _then, out = round_
    frame = tidy(now)
    frame["s"] = frame["score"].astype(float)
    for code, _name, kind in [COUNCILS[0], COUNCILS[7], COUNCILS[11]]:
        rows = {r["ID"]: r for r in sheet_rows(book_for(out, code), "Value codes")}
        distribution = {r["ID"]: r for r in sheet_rows(book_for(out, code), "Cohort distribution")}
        assert list(rows) == [c.id for c in rubric.value_codes]
        for code_id, row in rows.items():
            cohort = frame[frame["code_id"] == code_id]
            scores = cohort["s"].dropna()
            mine = cohort[cohort["council_code"] == code]["s"].iloc[0]
            assert close(row["Your score"], mine)
            assert row["Councils scoring"] == len(scores)  # 12 councils, all groups of 5 or more
            assert close(row["Cohort median"], scores.median())
            assert close(row["Lower quartile"], scores.quantile(0.25))
            assert close(row["Upper quartile"], scores.quantile(0.75))
            assert row["Where you sit"] == _where(mine, scores.quantile(0.25), scores.quantile(0.75))
            similar = cohort[cohort["council_code"].isin([c for c, _n, t in COUNCILS if t == kind])]["s"].dropna()
            assert close(row["Median, same type"], similar.median() if len(similar) >= 5 else None)
            expected = "Strength" if mine >= 4 else "Possible priority" if mine < scores.quantile(0.25) else None
            assert row["Highlight"] == expected
            levels = cohort["score"].map(lambda s: None if pd.isna(s) else int(s))
            counts = distribution[code_id]
            for n, label in enumerate(rubric.levels, 1):
                assert counts[f"{n} - {label}"] == int((levels == n).sum())
            assert counts[rubric.unscored] == int((cohort["level"] == rubric.unscored).sum())
            assert counts["Not answered"] == int((cohort["level"] == "").sum())


def test_every_key_area_figure_equals_pandas(round_: tuple[Path, Path, Path], rubric: Rubric) -> None:
    now, then, out = round_
    frame = tidy(now)
    per = frame.dropna(subset=["score"]).astype({"score": float}).groupby(["council_code", "area"])["score"].median()
    before = tidy(then).dropna(subset=["score"]).astype({"score": float})
    per_then = before.groupby(["council_code", "area"])["score"].median()
    for code, _name, kind in [COUNCILS[1], COUNCILS[6]]:
        profile = sheet_rows(book_for(out, code), "Profile")
        change = {r["Key area"]: r for r in sheet_rows(book_for(out, code), "Change by key area")}
        assert [r["Key area"] for r in profile] == [a.name for a in rubric.areas]
        for row in profile:
            area = per.xs(row["Key area"], level="area")
            mine = area.get(code)
            assert close(row["Your median"], mine)
            assert row["Councils scoring"] == len(area)
            assert close(row["Cohort median"], area.median())
            assert close(row["Lower quartile"], area.quantile(0.25))
            assert close(row["Upper quartile"], area.quantile(0.75))
            assert row["Where you sit"] == _where(mine, area.quantile(0.25), area.quantile(0.75))
            similar = area[area.index.isin([c for c, _n, t in COUNCILS if t == kind])]
            assert close(row["Median, same type"], similar.median() if len(similar) >= 5 else None)
            moved = change[row["Key area"]]
            earlier = per_then.xs(row["Key area"], level="area")
            assert close(moved["Your median, previous round"], earlier.get(code))
            assert close(moved["Change"], mine - earlier.get(code))
            assert close(moved["Cohort median, previous round"], earlier.median())


def test_change_per_value_code_equals_pandas(round_: tuple[Path, Path, Path]) -> None:
    now, then, out = round_
    code = COUNCILS[2][0]
    mine = tidy(now).query("council_code == @code").set_index("code_id")["score"].astype(float)
    earlier = tidy(then).query("council_code == @code").set_index("code_id")["score"].astype(float)
    for row in sheet_rows(book_for(out, code), "Change by value code"):
        assert close(row["Your score, previous round"], earlier[row["ID"]])
        assert close(row["Your score, this round"], mine[row["ID"]])
        assert close(row["Change"], mine[row["ID"]] - earlier[row["ID"]])
    newcomer = book_for(out, COUNCILS[11][0])  # not in the previous round
    assert all(r["Your score, previous round"] is None for r in sheet_rows(newcomer, "Change by value code"))


def test_targets_and_gaps_equal_pandas(round_: tuple[Path, Path, Path], rubric: Rubric) -> None:
    """Per key area, the council's target (from the CSV), its median score there and the gap, target minus median;
    a sentence says what they mean, and the cover counts the targets and the areas below them."""
    now, _then, out = round_
    frame = tidy(now)
    scored = frame.dropna(subset=["score"]).astype({"score": float})
    medians = scored.groupby(["council_code", "area"])["score"].median()
    areas = [a.name for a in rubric.areas]
    checked = set()
    for code, _name, _kind in [COUNCILS[0], COUNCILS[4], COUNCILS[9], COUNCILS[11]]:
        book = book_for(out, code)
        rows = sheet_rows(book, "Targets and gaps")
        assert list(rows[0]) == ["Key area", "Your target level", "Your median", "Gap", "Note"]
        assert [r["Key area"] for r in rows] == areas
        profile = {r["Key area"]: r["Your median"] for r in sheet_rows(book, "Profile")}
        chosen = own_targets(frame, code)
        below = 0
        for row in rows:
            area = row["Key area"]
            target, median = chosen[area], medians.get((code, area))
            gap = None if target is None or median is None else target - median
            assert row["Your target level"] == target
            assert close(row["Your median"], median) and row["Your median"] == profile[area]
            assert close(row["Gap"], gap)
            note = row["Note"]
            if target is None:
                assert note == "No target level was set for this key area."
            elif gap is None:
                assert "no gap" in note
            elif gap > 0:
                assert note.startswith(f"Your target is {gap:g} level") and "above your median" in note
            elif gap < 0:
                assert note.startswith(f"Your median is {-gap:g} level") and "above your target" in note
            else:
                assert note == "Your median is at your target: target met."
            below += gap is not None and gap > 0
            checked.add("none" if target is None else "below" if gap and gap > 0 else "at or above")
        cover = " ".join(str(v) for r in sheet_rows(book, "Cover") for v in r.values())
        n = sum(t is not None for t in chosen.values())
        if n:
            assert f"{n} of {len(areas)} key areas have a target; your median is below it in {below}" in cover
        else:
            assert "You set no target level, so no gap is shown" in cover
    assert checked == {"none", "below", "at or above"}  # the sample covers each case


def test_a_csv_without_targets_shows_none(rubric: Rubric, tmp_path: Path) -> None:
    """A responses CSV written before the ambition columns were added: every key area says no target was set."""
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS[:6], ambition=False)
    assert "target" not in now.read_text(encoding="utf-8-sig").splitlines()[0]
    code, output = run(str(now), "--out-dir", str(tmp_path / "out"), "--group-by", "type")
    assert code == 0, output
    book = book_for(tmp_path / "out", COUNCILS[0][0])
    rows = sheet_rows(book, "Targets and gaps")
    assert len(rows) == len(rubric.areas)
    assert all(r["Your target level"] is None and r["Gap"] is None for r in rows)
    assert {r["Note"] for r in rows} == {"No target level was set for this key area."}
    assert [r["Your median"] for r in rows] == [r["Your median"] for r in sheet_rows(book, "Profile")]


def test_a_segment_of_two_shows_no_figures(round_: tuple[Path, Path, Path]) -> None:
    _now, _then, out = round_
    book = book_for(out, COUNCILS[10][0])  # a County: 2 councils of that type
    for sheet in ("Value codes", "Profile"):
        rows = sheet_rows(book, sheet)
        assert all(r["Median, same type"] is None for r in rows)
        assert any("Fewer than 5 councils of the same type" in str(r["Note"]) for r in rows)
    cover = " ".join(str(v) for r in sheet_rows(book, "Cover") for v in r.values())
    assert "fewer than 5 councils of this type responded" in cover
    district = sheet_rows(book_for(out, COUNCILS[6][0]), "Value codes")  # 4 councils: also too few
    assert all(r["Median, same type"] is None for r in district)


def test_a_cohort_of_four_shows_no_group_figures(rubric: Rubric, tmp_path: Path) -> None:
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS[:4])
    code, output = run(str(now), "--out-dir", str(tmp_path / "out"), "--group-by", "type")
    assert code == 0, output
    book = book_for(tmp_path / "out", COUNCILS[0][0])
    for sheet in ("Value codes", "Profile", "Cohort distribution"):
        rows = sheet_rows(book, sheet)
        for column in rows[0]:
            own = ("ID", "Value code", "Key area", "Your score", "Your level", "Your level's statement", "Your median")
            if column not in (*own, "Note", "Highlight"):
                assert all(r[column] is None for r in rows), (sheet, column)
    assert all(r["Highlight"] in (None, "Strength") for r in sheet_rows(book, "Value codes"))
    assert "Distribution chart" not in openpyxl.load_workbook(book, read_only=True).sheetnames
    cover = " ".join(str(v) for r in sheet_rows(book, "Cover") for v in r.values())
    assert "Fewer than 5 councils responded, so no cohort figures are shown." in cover
    code, output = run(str(now), "--out-dir", str(tmp_path / "three"), "--min-cohort", "3")
    rows = sheet_rows(book_for(tmp_path / "three", COUNCILS[0][0]), "Value codes")
    assert code == 0 and any(r["Cohort median"] is not None for r in rows)


def test_no_minimum_or_maximum_is_ever_shown(round_: tuple[Path, Path, Path]) -> None:
    _now, _then, out = round_
    for book in out.glob("*.xlsx"):
        names = openpyxl.load_workbook(book, read_only=True).sheetnames
        headers = [h for sheet in names for r in sheet_rows(book, sheet)[:1] for h in r]
        assert not [h for h in headers if re.search(r"minimum|maximum", h, re.I) and h != "1 - Minimum"]


def own_targets(frame: pd.DataFrame, code: str) -> dict[str, object]:
    """A council's target per key area in a responses CSV (``None`` where it set none), in the CSV's order."""
    mine = frame[frame["council_code"] == code].drop_duplicates("area")
    return {area: None if pd.isna(t) else int(t) for area, t in zip(mine["area"], mine["target"], strict=True)}


def test_no_other_council_is_named_in_any_part(round_: tuple[Path, Path, Path]) -> None:
    now, _then, out = round_
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == len(COUNCILS)
    frame = tidy(now)
    for code, name, _kind in COUNCILS:
        with zipfile.ZipFile(book_for(out, code)) as archive:
            text = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8").casefold()
        assert escape(name).casefold() in text and code.casefold() in text  # the council itself is named
        for other_code, other_name, _k in COUNCILS:
            if other_code != code:
                assert escape(other_name).casefold() not in text and other_code.casefold() not in text
                assert other_name.split()[0].casefold() not in text
        # targets: exactly the council's own, area by area; the council that set none is shown none, though
        # every other council set some (so another's target in its workbook would show here)
        shown = {r["Key area"]: r["Your target level"] for r in sheet_rows(book_for(out, code), "Targets and gaps")}
        assert shown == own_targets(frame, code)
        others = [t for c, *_ in COUNCILS if c != code for t in own_targets(frame, c).values()]
        assert any(t is not None for t in others)
        if code == NO_TARGETS:
            assert not any(shown.values()) and "you set no target level" in text


def test_blanks_and_unscored_answers_are_shown_as_such(rubric: Rubric, tmp_path: Path) -> None:
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS)
    frame = tidy(now)
    lines = now.read_text(encoding="utf-8-sig").splitlines()
    code = COUNCILS[3][0]  # make this council's first four answers blank and the next three unscored
    mine = [i for i, line in enumerate(lines) if f",{code}," in line]
    for i in mine[:4]:
        lines[i] = re.sub(r",(\d)?,([A-Za-z]*),(.*?),2025,", ",,,\\3,2025,", lines[i], count=1)
    for i in mine[4:7]:
        lines[i] = re.sub(r",(\d)?,([A-Za-z]*),(.*?),2025,", f",,{rubric.unscored},\\3,2025,", lines[i], count=1)
    now.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    frame = tidy(now)
    assert frame.query("council_code == @code")["level"].head(7).tolist() == [""] * 4 + [rubric.unscored] * 3
    assert run(str(now), "--out-dir", str(tmp_path / "out"))[0] == 0
    book = book_for(tmp_path / "out", code)
    rows = sheet_rows(book, "Value codes")
    for row, level in zip(rows[:7], ["Not answered"] * 4 + [rubric.unscored] * 3, strict=True):
        assert row["Your level"] == level
        assert row["Your score"] is None and row["Your level's statement"] is None
        assert row["Where you sit"] is None and row["Highlight"] is None
        assert row["Cohort median"] is not None  # the cohort's figures are still given
    scored = int(frame.query("council_code == @code")["score"].notna().sum())
    unscored = int((frame.query("council_code == @code")["level"] == rubric.unscored).sum())
    blank = len(rubric.value_codes) - scored - unscored
    cover = " ".join(str(v) for r in sheet_rows(book, "Cover") for v in r.values())
    assert (
        f"{scored} of {len(rubric.value_codes)} value codes scored, {unscored} unscored, {blank} not answered" in cover
    )


def test_comments_are_echoed_back(round_: tuple[Path, Path, Path]) -> None:
    now, _then, out = round_
    code = COUNCILS[5][0]
    said = tidy(now).query("council_code == @code and comment != ''")
    rows = sheet_rows(book_for(out, code), "Your comments")
    assert [(r["ID"], r["Your comment"]) for r in rows] == list(zip(said["code_id"], said["comment"], strict=True))
    assert rows


def test_min_cohort_below_three_is_a_usage_error(rubric: Rubric, tmp_path: Path) -> None:
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS[:4])
    code, output = run(str(now), "--out-dir", str(tmp_path / "out"), "--min-cohort", "2")
    assert code == 2 and "--min-cohort" in output and not (tmp_path / "out").exists()


def test_councils_chooses_a_subset(rubric: Rubric, tmp_path: Path) -> None:
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS)
    code, output = run(
        str(now), "--out-dir", str(tmp_path / "out"), "--councils", COUNCILS[1][0].lower(), "--councils", COUNCILS[4][0]
    )
    assert code == 0, output
    assert sorted(p.name[:9] for p in (tmp_path / "out").iterdir()) == [COUNCILS[1][0], COUNCILS[4][0]]
    code, output = run(str(now), "--out-dir", str(tmp_path / "none"), "--councils", "E99999999")
    assert code == 1 and "E99999999" in output and not (tmp_path / "none").exists()


def test_output_is_reproducible_named_and_marked(rubric: Rubric, tmp_path: Path) -> None:
    many = [*COUNCILS, *((c.code, c.name, "Unitary") for c in map(synthetic_council, range(PARALLEL_FROM)))]
    now = write_csv(tmp_path / "responses.csv", rubric, many)
    env = {"SOURCE_DATE_EPOCH": "1764115200"}
    assert run(str(now), "--out-dir", str(tmp_path / "a"), "--workers", "1", env=env)[0] == 0
    assert run(str(now), "--out-dir", str(tmp_path / "b"), "--workers", "2", env=env)[0] == 0  # forked workers
    assert gc.get_freeze_count() == 0  # what was frozen for the workers is thawed
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "X00000000-ashcombe-council-feedback.xlsx" in names and len(names) == len(many)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    from nps_xlsx.read.own_outputs import recognise

    assert recognise(tmp_path / "a" / names[0]) == "feedback"


def test_the_overwrite_rule(rubric: Rubric, tmp_path: Path) -> None:
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS[:6])
    out = tmp_path / "out"
    assert run(str(now), "--out-dir", str(out))[0] == 0
    assert run(str(now), "--out-dir", str(out))[0] == 0  # our own earlier workbooks are replaced
    foreign = out / "X00000001-brinkley-council-feedback.xlsx"
    foreign.write_bytes(b"someone else's notes")
    code, output = run(str(now), "--out-dir", str(out))
    assert code == 1 and "Not written" in output and foreign.read_bytes() == b"someone else's notes"
    assert run(str(now), "--out-dir", str(out), "--force")[0] == 0
    assert foreign.read_bytes().startswith(b"PK")


def test_a_feedback_workbook_among_returns_is_skipped(round_: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _now, _then, out = round_
    shutil.copy(book_for(out, COUNCILS[0][0]), tmp_path / "stray.xlsx")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "stray.xlsx")])
    assert "a feedback workbook written by nps-xlsx, not a return" in result.output


def test_pdf_without_libreoffice_says_so(rubric: Rubric, tmp_path: Path) -> None:
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS[:6])
    code, output = run(str(now), "--out-dir", str(tmp_path / "out"), "--pdf", env={"PATH": ""})
    assert code == 1 and "--pdf needs LibreOffice" in output and "soffice" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.real_client
def test_pdf_renders_each_workbook(rubric: Rubric, tmp_path: Path) -> None:
    pdftotext = require_program("pdftotext")
    require_program("soffice")
    now = write_csv(tmp_path / "responses.csv", rubric, COUNCILS[:6])
    code, output = run(
        str(now),
        "--out-dir",
        str(tmp_path / "out"),
        "--pdf",
        "--councils",
        COUNCILS[0][0],
        "--councils",
        COUNCILS[1][0],
    )
    assert code == 0, output
    for council_code, name, _kind in COUNCILS[:2]:
        pdf = book_for(tmp_path / "out", council_code).with_suffix(".pdf")
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert name in text and "Profile" in text
    assert run(str(now), "--out-dir", str(tmp_path / "out"), "--pdf", "--councils", COUNCILS[0][0])[0] == 0  # replaced


SAMPLES_COMMAND = (
    "nps-xlsx feedback out/responses.csv --out-dir out/feedback --expected samples/councils.csv --group-by type "
    "--previous samples/previous/responses-2021.csv"
)


def test_the_readme_samples_command(tmp_path: Path) -> None:
    """The README's third command, on the CSV of its main job: a workbook for each of the 22 councils used."""
    assert SAMPLES_COMMAND in (REPO / "README.md").read_text(encoding="utf-8")
    returns = tmp_path / "returns"
    shutil.copytree(REPO / "samples" / "returns", returns)
    csv_path = tmp_path / "out" / "responses.csv"
    collect = ["collect", str(returns), "--out", str(tmp_path / "out" / "summary.xlsx"), "--csv", str(csv_path)]
    collect += ["--expected", str(REPO / "samples" / "councils.csv"), "--group-by", "type", "--group-by", "region"]
    assert CliRunner().invoke(main, collect).exit_code == 0
    args = SAMPLES_COMMAND.split()[2:]
    args = [
        str(csv_path)
        if a == "out/responses.csv"
        else str(tmp_path / a)
        if a.startswith("out/")
        else str(REPO / a)
        if a.startswith("samples/")
        else a
        for a in args
    ]
    code, output = run(*args)
    assert code == 0, output
    assert "Wrote 22 feedback workbooks" in output
    assert len(list((tmp_path / "out" / "feedback").glob("*-feedback.xlsx"))) == 22
    # each council's gaps are the summary's Target gaps rows for it (one definition, collect's area_gaps)
    summary = sheet_rows(tmp_path / "out" / "summary.xlsx", "Target gaps")
    assert summary
    for book in (tmp_path / "out" / "feedback").glob("*-feedback.xlsx"):
        code = book.name.split("-")[0]
        shown = sheet_rows(book, "Targets and gaps")
        mine = [(r["Key area"], r["Your median"], r["Your target level"], r["Gap"]) for r in shown]
        assert [m for m in mine if m[2] is not None] == [
            (r["Key area"], r["Area median"], r["Target"], r["Gap"]) for r in summary if r["Code"] == code
        ]


# ---- respondent mode (issue 16): a council's own respondents, with --respondents-csv ---------------------------

# Two councils with respondents and one without (its one response, as collect writes it in a mixed folder). No
# name, id, department or role is part of another, nor a word of the rubric.
TEAMS = {  # council -> [(respondent id, name, department, role)]
    COUNCILS[0][0]: [
        ("opember@ashcombe.example", "Orla Pemberfield", "Quorvane Zell", "Zonal Quillet"),
        ("tgrice@ashcombe.example", "Tobias Grice", "Quorvane Zell", "Plinth Vestry"),
        ("hsolt@ashcombe.example", "Hattie Soltwick", "Tessaly Brannock", "Zonal Quillet"),
        ("mvarn@ashcombe.example", "Milo Varnhurst", "Ombrel Fothery", "Plinth Vestry"),
    ],
    COUNCILS[1][0]: [
        ("ykestle@brinkley.example", "Yusra Kestlemoor", "Brimwick Osgarth", "Gantry Morrow"),
        ("fdorrel@brinkley.example", "Fenn Dorrelby", "Ulvasta Kerrow", "Lantern Pellow"),
        ("cwhin@brinkley.example", "Cressida Whinfell", "Ulvasta Kerrow", "Gantry Morrow"),
    ],
}
SOLO = COUNCILS[2]  # no respondents: one response, the respondent columns empty


def respondent_answers(rubric: Rubric) -> dict[tuple[str, str], dict[str, tuple[object, str]]]:
    """(council, respondent id) -> the respondent's answers; Solo's one response under the id ""."""
    out = {
        (code, rid): answers(rubric, seed=50 + n, blanks=0.1, unscored=0.1)
        for n, (code, rid) in enumerate((code, rid) for code, team in TEAMS.items() for rid, *_ in team)
    }
    return out | {(SOLO[0], ""): answers(rubric, seed=99)}


def hand_consensus(given: list[tuple[object, str]], rubric: Rubric) -> tuple[object, str]:
    """median-down by hand: the floor of the median of the scores; else Unscored if one chose it, else blank."""
    scores = [s for s, _level in given if s is not None]
    if scores:
        score = math.floor(statistics.median(scores))
        return score, rubric.levels[score - 1]
    return None, rubric.unscored if any(level == rubric.unscored for _s, level in given) else ""


def write_respondent_round(root: Path, rubric: Rubric, label: str = "2025") -> tuple[Path, Path]:
    """The respondents' CSV and the consensus CSV, as collect --csv --group-by type writes them in respondent mode."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    given = respondent_answers(rubric)
    who = {(code, rid): (name, dept, role) for code, team in TEAMS.items() for rid, name, dept, role in team}
    councils = {code: (name, kind) for code, name, kind in COUNCILS}
    each, agreed = root / "responses.csv", root / "responses-consensus.csv"
    with (
        each.open("w", encoding="utf-8-sig", newline="") as one,
        agreed.open("w", encoding="utf-8-sig", newline="") as two,
    ):
        rows, consensus = csv.writer(one, lineterminator="\r\n"), csv.writer(two, lineterminator="\r\n")
        rows.writerow([*RESPONSE_COLUMNS, *RESPONDENT_COLUMNS, "type"])
        consensus.writerow([*RESPONSE_COLUMNS, "type"])
        for code in [*TEAMS, SOLO[0]]:
            name, kind = councils[code]
            mine = [rid for c, rid in given if c == code]
            files = {rid: f"returns/{code}-{rid.split('@')[0] or 'council'}.xlsx" for rid in mine}
            for value_code in rubric.value_codes:
                fixed = [name, code, areas[value_code.id], value_code.id, value_code.name]
                for rid in mine:
                    score, level = given[code, rid][value_code.id]
                    person = [rid, *who.get((code, rid), ("", "", ""))]
                    line = [files[rid], *fixed, score, level, "", label, rubric.fingerprint, "", "", ""]
                    rows.writerow([*line, *person, kind])
                score, level = hand_consensus([given[code, rid][value_code.id] for rid in mine], rubric)
                line = ["; ".join(files.values()), *fixed, score, level, "", label, rubric.fingerprint, "", "", ""]
                consensus.writerow([*line, kind])
    return agreed, each


@pytest.fixture(scope="module")
def respondent_round(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("feedback-respondents")
    agreed, each = write_respondent_round(root, rubric)
    out = root / "out"
    code, output = run(str(agreed), "--respondents-csv", str(each), "--out-dir", str(out), "--min-cohort", "3")
    assert code == 0, output
    return agreed, each, out


def test_your_respondents_per_value_code_equals_statistics(
    respondent_round: tuple[Path, Path, Path], rubric: Rubric
) -> None:
    _agreed, _each, out = respondent_round
    given = respondent_answers(rubric)
    for council, team in TEAMS.items():
        shown = sheet_rows(book_for(out, council), "Your respondents")
        assert [r["ID"] for r in shown] == [code.id for code in rubric.value_codes]
        for row in shown:
            answered = [given[council, rid][row["ID"]] for rid, *_ in team]
            scores = [s for s, _level in answered if s is not None]
            consensus, level = hand_consensus(answered, rubric)
            assert row["Respondents"] == len(team) and row["Scored"] == len(scores)
            if scores:
                low, high = min(scores), max(scores)
                assert close(row["Median"], statistics.median(scores))
                assert (row["Minimum"], row["Maximum"], row["Spread"]) == (low, high, high - low)
                assert row["Disagreement"] == ("Yes" if high - low >= 2 else None)
                assert row["Consensus"] == consensus
                assert row["Consensus level"] == f"{consensus} - {level}"
            else:
                assert [row[c] for c in ("Median", "Minimum", "Maximum", "Spread", "Disagreement")] == [None] * 5
                assert row["Consensus"] is None
                assert row["Consensus level"] == (level or "Not answered")
        disagree = sum(r["Disagreement"] == "Yes" for r in shown)
        cover = [str(v) for r in sheet_rows(book_for(out, council), "Cover") for v in r.values()]
        assert (
            f"{len(team)} respondents; they disagree (a spread of 2 levels or more) on {disagree} of "
            f"{len(rubric.value_codes)} value codes." in " ".join(cover)
        )


@pytest.mark.parametrize(
    ("sheet", "field", "header"), [("Your departments", 2, "Department"), ("Your roles", 3, "Role")]
)
def test_your_departments_and_roles_per_key_area_with_the_highest_and_lowest(
    respondent_round: tuple[Path, Path, Path], rubric: Rubric, sheet: str, field: int, header: str
) -> None:
    _agreed, _each, out = respondent_round
    given = respondent_answers(rubric)
    for council, team in TEAMS.items():
        groups = list(dict.fromkeys(person[field] for person in team))
        wanted = []
        for area in rubric.areas:
            medians: dict[str, float | None] = {}
            for group in groups:
                members = [person[0] for person in team if person[field] == group]
                scores = [given[council, rid][c.id][0] for rid in members for c in area.value_codes]
                scored = [s for s in scores if s is not None]
                medians[group] = statistics.median(scored) if scored else None
            known = [m for m in medians.values() if m is not None]
            top, bottom = max(known), min(known)
            for group, median in medians.items():
                mark = None if top == bottom else "Highest" if median == top else "Lowest" if median == bottom else None
                wanted.append((area.name, group, median, mark))
        shown = sheet_rows(book_for(out, council), sheet)
        assert [(r["Key area"], r[header], r["Median"], r["Highest or lowest"]) for r in shown] == wanted
        assert any(r["Highest or lowest"] for r in shown)


def test_other_councils_respondents_are_never_shown(respondent_round: tuple[Path, Path, Path]) -> None:
    _agreed, _each, out = respondent_round
    for code, name, _kind in COUNCILS[:3]:
        with zipfile.ZipFile(book_for(out, code)) as archive:
            text = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8").casefold()
        assert escape(name).casefold() in text
        for other, team in TEAMS.items():
            for rid, person, department, role in team:
                words = [rid, person, *person.split(), department, *department.split(), role, *role.split()]
                if other != code:  # no one of another council, nor any part of their names
                    assert not [w for w in words if w.casefold() in text], (code, other)
                else:  # the council's own departments and roles are shown (its respondents' names are not needed)
                    assert department.casefold() in text and role.casefold() in text


def test_a_council_without_respondents_gets_no_respondent_sheets(respondent_round: tuple[Path, Path, Path]) -> None:
    _agreed, _each, out = respondent_round
    names = openpyxl.load_workbook(book_for(out, SOLO[0]), read_only=True).sheetnames
    assert not {"Your respondents", "Your departments", "Your roles"} & set(names)
    assert "Your respondents" not in [r.get("Council") for r in sheet_rows(book_for(out, SOLO[0]), "Cover")]
    names = openpyxl.load_workbook(book_for(out, COUNCILS[0][0]), read_only=True).sheetnames
    assert names[names.index("Value codes") + 1 : names.index("Value codes") + 4] == [
        "Your respondents",
        "Your departments",
        "Your roles",
    ]


def test_a_respondents_csv_of_another_run_is_refused(rubric: Rubric, tmp_path: Path) -> None:
    agreed, each = write_respondent_round(tmp_path, rubric)
    other = tmp_path / "other"
    other.mkdir()
    _agreed, later = write_respondent_round(other, rubric, label="2026")
    code, output = run(str(agreed), "--respondents-csv", str(later), "--out-dir", str(tmp_path / "out"))
    assert code == 1 and "is of round '2026', the consensus CSV of round '2025'" in output
    lines = each.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    fewer = tmp_path / "fewer.csv"  # Brinkley's last respondent left out
    fewer.write_text("".join(line for line in lines if "cwhin@" not in line), encoding="utf-8-sig")
    code, output = run(str(agreed), "--respondents-csv", str(fewer), "--out-dir", str(tmp_path / "out"))
    assert code == 1 and f"does not match the consensus CSV: other returns for {NAMES[1]}" in output
    code, output = run(str(agreed), "--respondents-csv", str(agreed), "--out-dir", str(tmp_path / "out"))
    assert code == 1 and f"--respondents-csv {agreed} has no row per respondent" in output
    code, output = run(str(each), "--out-dir", str(tmp_path / "out"))  # the respondents' CSV alone: as before
    assert code == 1 and "give the councils' consensus instead" in output
    assert not (tmp_path / "out").exists()
