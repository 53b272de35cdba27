"""``generate --prefill``: copies pre-filled with an earlier round's answers, read back exactly, their unchanged
answers counted by validate and collect (issue 15)."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from nps_xlsx import layout
from nps_xlsx.cli import main
from nps_xlsx.columns import RESPONSE_COLUMNS, level_choice
from nps_xlsx.councils import Council, workbook_filename
from nps_xlsx.csv_table import write_csv
from nps_xlsx.rubric import Rubric
from nps_xlsx.template import personalise
from nps_xlsx.template.builder import BuildOptions
from nps_xlsx.template.personalise import Personaliser
from nps_xlsx.testing import Typed, fill_bytes, random_answers
from nps_xlsx.validate.check import read_return
from nps_xlsx.validate.response import Prefill, Response

from .clients import soffice_convert_all
from .conftest import FIXED_TIME

ROUND = "2021"
COLUMNS = [*RESPONSE_COLUMNS, "priority", "support", "target"]  # as agreed for issue 15 (AGREED15.md)
COMMENTS = [
    "Cyngor Sir Ynys Môn — «café» £1.2m, 🏛 naïve façade",
    "First line\nsecond line\n\nafter a blank line",
    "Windows line\r\nend",
    "=SUM(A1:A3) is typed text, not a formula",
    'Looks like an escape: _x0041_ & <b>bold</b> "quoted"',
    ("Long: " + "evidence of a mature approach; " * 300).strip(),  # as collect writes it: stripped
]
LIST = [  # the council list of this round: (code, name)
    ("E1", "Dacorum Borough Council"),
    ("E2", "Brighton & Hove City Council"),  # another code in the earlier round: matched by name
    ("E3", "_x0041_ Council"),  # a name the Personaliser builds directly
    ("E5", "Missing Council"),  # not in the earlier round: a blank copy
]
EARLIER = [("E1", "Dacorum Borough Council"), ("X2", "Brighton and Hove CC"), ("E3", "_x0041_ Council")]
EARLIER += [("Z9", "Elsewhere Council")]


@dataclass(frozen=True)
class Row:
    """One council's answer to one value code in the earlier round, as the responses CSV holds it."""

    council: str
    code: str
    code_id: str
    score: int | None
    level: str
    comment: str
    priority: str
    support: str
    target: int | None


def earlier_rows(rubric: Rubric, seed: int = 15) -> list[Row]:
    """Every earlier council's answers: all kinds of scores, comments, choices and targets."""
    rng = random.Random(seed)
    rows = []
    for n, (code, council) in enumerate(EARLIER):
        for area in rubric.areas:
            target = rng.choice([None, *range(1, len(rubric.levels) + 1)])
            for i, value_code in enumerate(area.value_codes):
                kind = rng.random()
                score = rng.randint(1, len(rubric.levels)) if kind < 0.75 else None
                level = rubric.levels[score - 1] if score else (rubric.unscored if kind < 0.88 else "")
                comment = COMMENTS[(i + n) % len(COMMENTS)] if rng.random() < 0.6 else ""
                priority = rng.choice(["", *layout.PRIORITY_CHOICES])
                support = rng.choice(["", *layout.SUPPORT_CHOICES])
                rows.append(Row(council, code, value_code.id, score, level, comment, priority, support, target))
    return rows


def write_responses(path: Path, rubric: Rubric, rows: list[Row], fingerprint: str | None = None) -> Path:
    """The responses CSV as ``collect --csv`` writes it (formula-like text neutralised, a BOM)."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    names = {code.id: code.name for code in rubric.value_codes}
    fingerprint = fingerprint or rubric.fingerprint
    lines = [
        (f"returns/{r.code}.xlsx", r.council, r.code, areas.get(r.code_id, "Gone"), r.code_id, names.get(r.code_id, "")
         , r.score, r.level, r.comment, ROUND, fingerprint, r.priority, r.support, r.target)
        for r in rows
    ]  # fmt: skip
    write_csv(path, COLUMNS, lines)
    return path


def write_councils(path: Path, councils: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([("code", "name"), *councils])
    return path


def generate(tmp: Path, responses: Path, *extra: str, councils: list[tuple[str, str]] = LIST) -> Result:
    listed = write_councils(tmp / "councils.csv", councils)
    args = ["generate", "--councils", str(listed), "--out-dir", str(tmp / "out"), "--prefill", str(responses)]
    return CliRunner().invoke(main, [*args, *extra])


def copy_of(tmp: Path, code: str, name: str) -> Path:
    return tmp / "out" / workbook_filename(Council(code, name))


def read(path: Path | bytes, rubric: Rubric, tmp: Path | None = None) -> Response:
    if isinstance(path, bytes):
        assert tmp is not None
        (tmp / "read.xlsx").write_bytes(path)
        path = tmp / "read.xlsx"
    report = read_return(path, rubric)
    assert report.response is not None, report.issues
    return report.response


def expected_status(row: Row, rubric: Rubric) -> tuple[str, int | None]:
    if row.score is not None:
        return "scored", row.score
    return ("unscored", None) if row.level == rubric.unscored else ("blank", None)


def assert_holds(response: Response, rows: list[Row], rubric: Rubric, crlf_as_lf: bool = False) -> None:
    """The return reads exactly as the earlier round's rows (``crlf_as_lf``: but for LibreOffice's saving a CR LF
    in a cell as LF)."""
    by_id = {row.code_id: row for row in rows}
    for answer in response.answers:
        row = by_id[answer.code_id]
        assert (answer.status, answer.score) == expected_status(row, rubric), answer.code_id
        assert answer.comment == (row.comment.replace("\r\n", "\n") if crlf_as_lf else row.comment), answer.code_id
        assert (answer.priority or "", answer.support or "") == (row.priority, row.support), answer.code_id
    targets = {row.code_id: row.target for row in rows}
    for target, area in zip(response.targets, rubric.areas, strict=True):
        assert target.level == targets[area.value_codes[0].id], area.id


@pytest.fixture(scope="module")
def rows(rubric: Rubric) -> list[Row]:
    return earlier_rows(rubric)


@pytest.fixture(scope="module")
def run(rubric: Rubric, rows: list[Row], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    tmp = tmp_path_factory.mktemp("prefill")
    result = generate(tmp, write_responses(tmp / "responses-2021.csv", rubric, rows))
    assert result.exit_code == 0, result.output
    return tmp, result


def rows_of(rows: list[Row], code: str) -> list[Row]:
    return [row for row in rows if row.code == code]


@pytest.mark.parametrize(("listed", "earlier"), [(0, "E1"), (1, "X2"), (2, "E3")])
def test_every_answer_round_trips_exactly(run, rows, rubric: Rubric, listed: int, earlier: str) -> None:
    tmp, _result = run
    response = read(copy_of(tmp, *LIST[listed]), rubric)
    assert_holds(response, rows_of(rows, earlier), rubric)
    total = len(rubric.value_codes) + len(rubric.areas)
    assert response.prefill == Prefill(ROUND, total, total)


def test_the_run_says_how_many_were_pre_filled_and_which_are_blank(run, rubric: Rubric) -> None:
    tmp, result = run
    assert "Wrote 4 personalised workbooks" in result.output
    assert f"Pre-filled 3 workbooks with the answers from {ROUND}; 1 blank (not in {ROUND}: Missing Council (E5))." in (
        result.output
    )
    blank = read(copy_of(tmp, *LIST[3]), rubric)
    assert blank.prefill is None
    assert all(a.status == "blank" and not a.comment and a.priority is None for a in blank.answers)
    assert all(t.level is None for t in blank.targets)
    cover = openpyxl.load_workbook(copy_of(tmp, *LIST[3]))[layout.COVER_SHEET]
    assert cover["A3"].value is None


def test_a_copy_left_as_issued_is_replaced_by_a_second_run_and_a_changed_one_kept(
    rows, rubric: Rubric, tmp_path: Path
) -> None:
    responses = write_responses(tmp_path / "r.csv", rubric, rows)
    assert generate(tmp_path, responses).exit_code == 0
    issued = copy_of(tmp_path, *LIST[0])
    answers, _targets = _changes(read(issued, rubric), rubric, 1, random.Random(1))
    issued.write_bytes(fill_bytes(issued.read_bytes(), answers))
    again = generate(tmp_path, responses)
    assert again.exit_code == 1
    assert again.output.count("Not written:") == 1 and f"Not written: {issued}: it holds a council's answers" in (
        again.output
    )
    assert "Wrote 3 personalised workbooks" in again.output


def test_the_cover_says_where_the_answers_come_from(run) -> None:
    tmp, _result = run
    cover = openpyxl.load_workbook(copy_of(tmp, *LIST[0]))[layout.COVER_SHEET]
    assert f"pre-filled with your answers from {ROUND}; review every answer before returning" in cover["A3"].value


def test_each_answer_is_marked_until_changed_against_its_copy_on_the_metadata_sheet(run, rows, rubric) -> None:
    tmp, _result = run
    book = openpyxl.load_workbook(copy_of(tmp, *LIST[0]))
    meta = book[layout.META_SHEET]
    assert meta.sheet_state == "hidden"
    given = {f"score_{r.code_id}": level_choice(r.score, rubric.levels[r.score - 1]) for r in rows_of(rows, "E1")
             if r.score}  # fmt: skip
    # (openpyxl leaves OOXML's escapes, _xHHHH_, as they are: comments holding them are read by validate above)
    given |= {f"comment_{r.code_id}": r.comment for r in rows_of(rows, "E1") if r.comment and "_x" not in r.comment
              and "\r" not in r.comment}  # fmt: skip
    for name, (sheet, row, col) in layout.input_cells(rubric, rubric.areas).items():
        issued = layout.previous_name(name)
        [(meta_sheet, ref)] = list(book.defined_names[issued].destinations)
        assert meta_sheet == layout.META_SHEET
        assert meta[ref.replace("$", "")].value == given.get(name, meta[ref.replace("$", "")].value)
        cell = book[sheet].cell(row + 1, col + 1).coordinate
        rules = [r for cf in book[sheet].conditional_formatting if cell in str(cf.sqref) for r in cf.rules]
        assert [r.formula for r in rules] == [[f'AND({issued}<>"",EXACT({cell},{issued}))']], name
        assert rules[0].dxf.fill.bgColor.rgb.endswith("DDEBF7")
    for name, text in given.items():
        sheet, row, col = layout.input_cells(rubric, rubric.areas)[name]
        assert book[sheet].cell(row + 1, col + 1).value == text


def _parts(workbook: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}


def test_protection_and_validation_are_those_of_a_plain_copy(run, rubric: Rubric) -> None:
    tmp, _result = run
    plain = Personaliser(rubric, BuildOptions(FIXED_TIME)).build(Council(*LIST[0]))
    ours, theirs = _parts(copy_of(tmp, *LIST[0]).read_bytes()), _parts(plain)
    assert ours.keys() == theirs.keys()
    for part, xml in ours.items():
        for pattern in (r"<sheetProtection[^>]*/>", r"<dataValidations.*?</dataValidations>", r"<sheetPr.*?>"):
            assert re.findall(pattern, xml) == re.findall(pattern, theirs[part]), (part, pattern)
    # every cell of the key-area sheets and "Your summary" keeps its look and protection (inputs unlocked); the
    # cover adds its notice, the metadata sheet the issued answers
    books = [openpyxl.load_workbook(io.BytesIO(data)) for data in (copy_of(tmp, *LIST[0]).read_bytes(), plain)]
    for name in [*(area.sheet for area in rubric.areas), layout.SUMMARY_SHEET]:
        looks = [
            [
                (c.coordinate, c.protection.locked, c.fill.fgColor.rgb, c.font.b, c.border.left.style)
                for row in book[name].iter_rows()
                for c in row
            ]
            for book in books
        ]
        assert looks[0] == looks[1], name


def test_an_answer_the_rubric_cannot_hold_is_left_blank_and_said(rubric: Rubric, rows, tmp_path: Path) -> None:
    dacorum = rows_of(rows, "E1")
    first, second, third = dacorum[0], dacorum[1], dacorum[len(rubric.areas[0].value_codes)]
    fourth = dacorum[-1]
    area = rubric.areas[0]
    broken = [
        Row(first.council, "E1", "ZZ9", 2, rubric.levels[1], "gone", "", "", None),  # a code this rubric lacks
        *(
            Row(r.council, r.code, r.code_id, r.score, r.level, r.comment, r.priority, r.support, 9)
            if r.code_id in {c.id for c in area.value_codes} else r
            for r in dacorum
        ),
    ]  # fmt: skip
    edits = {
        first.code_id: {"priority": "Very high", "support": "Yes"},
        second.code_id: {"score": None, "level": "N/A"},
        third.code_id: {"support": "Maybe"},
        fourth.code_id: {"comment": "🏛" * 16384},  # 32,768 UTF-16 units: one more than a cell holds
    }
    broken = [Row(**{**r.__dict__, **edits.get(r.code_id, {})}) for r in broken]
    result = generate(tmp_path, write_responses(tmp_path / "r.csv", rubric, broken), councils=LIST[:1])
    assert result.exit_code == 0, result.output
    said = [
        "Left 6 answers blank that this rubric cannot hold:",
        "  Dacorum Borough Council (E1), ZZ9: a value code this rubric does not have",
        f"  Dacorum Borough Council (E1), {first.code_id}: priority 'Very high' is not one of High, Medium, Low",
        f"  Dacorum Borough Council (E1), {second.code_id}: the level 'N/A' has no score and is not "
        f"'{rubric.unscored}'",
        f"  Dacorum Borough Council (E1), {third.code_id}: support 'Maybe' is not one of Yes, No",
        f"  Dacorum Borough Council (E1), {area.id}: target level '9' is not a level of this rubric (1 to "
        f"{len(rubric.levels)})",
        f"  Dacorum Borough Council (E1), {fourth.code_id}: the comment is 32,768 characters long, more than a cell "
        "holds (32,767)",
    ]
    assert all(line in result.output.splitlines() for line in said), result.output
    response = read(copy_of(tmp_path, *LIST[0]), rubric)
    answers = {a.code_id: a for a in response.answers}
    assert answers[first.code_id].priority is None and answers[first.code_id].support == "Yes"
    assert answers[first.code_id].score == first.score and answers[first.code_id].comment == first.comment
    assert answers[second.code_id].status == "blank" and answers[second.code_id].comment == second.comment
    assert answers[third.code_id].support is None
    assert answers[fourth.code_id].comment == "" and answers[fourth.code_id].score == fourth.score
    assert response.targets[0].level is None
    assert response.targets[1].level == dacorum[len(area.value_codes)].target


def test_another_rubric_is_refused_unless_allowed(rubric: Rubric, rows, tmp_path: Path) -> None:
    responses = write_responses(tmp_path / "r.csv", rubric, rows_of(rows, "E1"), fingerprint="0" * 64)
    refused = generate(tmp_path, responses, councils=LIST[:1])
    assert refused.exit_code == 2 and "--allow-rubric-change" in refused.output
    assert not (tmp_path / "out").exists()
    allowed = generate(tmp_path, responses, "--allow-rubric-change", councils=LIST[:1])
    assert allowed.exit_code == 0, allowed.output
    assert "compared by value-code ID" in allowed.output or "another rubric" in allowed.output
    assert_holds(read(copy_of(tmp_path, *LIST[0]), rubric), rows_of(rows, "E1"), rubric)


def test_a_score_that_is_not_a_level_is_left_blank_and_said(rubric: Rubric, rows, tmp_path: Path) -> None:
    """Never guessed: a score outside this rubric's levels (say the earlier rubric had more) is left out, and said."""
    dacorum = rows_of(rows, "E1")
    bad = [Row(**{**r.__dict__, "score": 9}) if i == 3 else r for i, r in enumerate(dacorum)]
    result = generate(tmp_path, write_responses(tmp_path / "r.csv", rubric, bad), councils=LIST[:1])
    assert result.exit_code == 0, result.output
    levels = len(rubric.levels)
    line = f"  Dacorum Borough Council (E1), {bad[3].code_id}: score '9' is not a level of this rubric (1 to {levels})"
    assert line in result.output.splitlines(), result.output
    answers = {a.code_id: a for a in read(copy_of(tmp_path, *LIST[0]), rubric).answers}
    assert answers[bad[3].code_id].status == "blank" and answers[bad[3].code_id].score is None
    assert answers[bad[3].code_id].comment == bad[3].comment  # the rest of the row is still pre-filled
    assert all(answers[r.code_id].score == r.score for r in dacorum if r is not dacorum[3])


def test_another_rubric_with_other_value_codes_pre_fills_the_codes_they_share(
    rubric: Rubric, rows, tmp_path: Path
) -> None:
    """A value code removed since the earlier round is reported, not fatal (with --allow-rubric-change)."""
    dacorum = rows_of(rows, "E1")
    gone = dacorum[0].code_id
    renamed = [Row(**{**r.__dict__, "code_id": "ZZ9"}) if r.code_id == gone else r for r in dacorum]
    responses = write_responses(tmp_path / "r.csv", rubric, renamed, fingerprint="0" * 64)
    refused = generate(tmp_path, responses, councils=LIST[:1])
    assert refused.exit_code == 2 and "--allow-rubric-change" in refused.output, refused.output
    assert not (tmp_path / "out").exists()
    allowed = generate(tmp_path, responses, "--allow-rubric-change", councils=LIST[:1])
    assert allowed.exit_code == 0, allowed.output
    assert "used by value-code ID" in allowed.output
    assert "  Dacorum Borough Council (E1), ZZ9: a value code this rubric does not have" in allowed.output.splitlines()
    answers = {a.code_id: a for a in read(copy_of(tmp_path, *LIST[0]), rubric).answers}
    assert answers[gone].status == "blank" and answers[gone].comment == ""  # nothing of ZZ9 lands on another code
    assert all(answers[r.code_id].score == r.score for r in dacorum[1:])


def _changes(response: Response, rubric: Rubric, k: int, rng: random.Random) -> tuple[dict[str, Typed], dict]:
    """``k`` answers changed, each in one way (score, comment only, priority, support or target)."""
    choices = layout.score_choices(rubric)
    answers: dict[str, Typed] = {}
    targets: dict[str, object] = {}
    kinds = ["score", "comment", "priority", "support", "target"]
    picked = rng.sample([*response.answers, *response.targets], k)
    for n, item in enumerate(picked):
        if not hasattr(item, "code_id"):  # a key area's target level
            targets[item.area_id] = level_choice(1, rubric.levels[0]) if item.level != 1 else choices[1]
            continue
        kind = kinds[n % 4]
        score = choices[item.score - 1] if item.score else (rubric.unscored if item.status == "unscored" else None)
        typed = Typed(score, item.comment or None, item.priority, item.support)
        if kind == "score":
            typed = Typed(choices[0] if score != choices[0] else choices[1], typed.comment, item.priority, item.support)
        elif kind == "comment":
            typed = Typed(score, (item.comment + " (reviewed)").strip(), item.priority, item.support)
        elif kind == "priority":
            typed = Typed(score, typed.comment, "Low" if item.priority != "Low" else "High", item.support)
        else:
            typed = Typed(score, typed.comment, item.priority, "No" if item.support != "No" else "Yes")
        answers[item.code_id] = typed
    return answers, targets


@pytest.mark.parametrize("k", [0, 1, 5, 17])
def test_the_unchanged_count_is_exact(run, rubric: Rubric, tmp_path: Path, k: int) -> None:
    tmp, _result = run
    issued = copy_of(tmp, *LIST[0]).read_bytes()
    answers, targets = _changes(read(issued, rubric, tmp_path), rubric, k, random.Random(k))
    changed = fill_bytes(issued, answers, {"respondent_name": "Jo"}, targets)
    prefill = read(changed, rubric, tmp_path).prefill
    total = len(rubric.value_codes) + len(rubric.areas)
    assert prefill == Prefill(ROUND, total, total - k)


def test_a_comment_s_line_breaks_saved_as_lf_are_no_change(run, rows, rubric: Rubric, tmp_path: Path) -> None:
    tmp, _result = run
    issued = copy_of(tmp, *LIST[0]).read_bytes()
    answer = next(a for a in read(issued, rubric, tmp_path).answers if "\r\n" in a.comment)
    score = layout.score_choices(rubric)[answer.score - 1] if answer.score else None
    typed = Typed(score if answer.status != "unscored" else rubric.unscored, answer.comment.replace("\r\n", "\n"))
    typed = Typed(typed.score, typed.comment, answer.priority, answer.support)
    prefill = read(fill_bytes(issued, {answer.code_id: typed}), rubric, tmp_path).prefill
    assert prefill is not None and prefill.all_unchanged


def test_a_comment_only_change_is_a_change(run, rows, rubric: Rubric, tmp_path: Path) -> None:
    tmp, _result = run
    issued = copy_of(tmp, *LIST[0]).read_bytes()
    answer = read(issued, rubric, tmp_path).answers[0]
    score = layout.score_choices(rubric)[answer.score - 1] if answer.score else None
    typed = Typed(score if answer.status != "unscored" else rubric.unscored, answer.comment + " more", answer.priority)
    prefill = read(fill_bytes(issued, {answer.code_id: typed}), rubric, tmp_path).prefill
    assert prefill is not None and prefill.answers - prefill.unchanged == 1


def test_collect_counts_unchanged_answers_and_the_ledger_flags_returns_left_as_issued(run, rubric, tmp_path) -> None:
    tmp, _result = run
    returns = tmp_path / "returns"
    returns.mkdir()
    unchanged = copy_of(tmp, *LIST[0]).read_bytes()
    (returns / "unchanged.xlsx").write_bytes(unchanged)
    issued = copy_of(tmp, *LIST[1]).read_bytes()
    answers, targets = _changes(read(issued, rubric, tmp_path), rubric, 3, random.Random(3))
    (returns / "changed.xlsx").write_bytes(fill_bytes(issued, answers, None, targets))
    blank = copy_of(tmp, *LIST[3]).read_bytes()
    (returns / "blank.xlsx").write_bytes(fill_bytes(blank, random_answers(rubric, random.Random(1))))
    out = tmp_path / "out"
    args = ["collect", str(returns), "--out", str(out / "s.xlsx"), "--ledger", str(out / "ledger.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with (out / "ledger.csv").open(encoding="utf-8-sig", newline="") as stream:
        ledger = {Path(row["path"]).name: row["all_unchanged"] for row in csv.DictReader(stream)}
    assert ledger == {"unchanged.xlsx": "yes", "changed.xlsx": "no", "blank.xlsx": ""}
    book = openpyxl.load_workbook(out / "s.xlsx")
    sheet = [list(row) for row in book["Pre-filled returns"].iter_rows(values_only=True)]
    total = len(rubric.value_codes) + len(rubric.areas)
    assert sheet == [
        ["Council", "Council code", "Pre-filled from", "Answers", "Unchanged", "Changed", "Every answer unchanged"],
        [LIST[1][1], "E2", ROUND, total, total - 3, 3, "no"],
        [LIST[0][1], "E1", ROUND, total, total, 0, "yes"],
    ]
    overview = {r[0]: r[1] for r in book["Overview"].iter_rows(values_only=True) if r[0]}
    assert overview["  with every answer unchanged"] == 1
    header = [cell.value for cell in book["Ledger"][1]]
    assert header[header.index("Layout version") + 1] == "Every answer unchanged"


def test_no_pre_filled_sheet_without_pre_filled_returns(template_path: Path, rubric: Rubric, tmp_path: Path) -> None:
    (tmp_path / "r.xlsx").write_bytes(fill_bytes(template_path.read_bytes(), random_answers(rubric, random.Random())))
    args = ["collect", str(tmp_path / "r.xlsx"), "--out", str(tmp_path / "s.xlsx")]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "Pre-filled returns" not in openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames


def test_a_name_built_directly_is_pre_filled_too(rubric: Rubric, rows, monkeypatch, tmp_path: Path) -> None:
    personaliser = Personaliser(rubric, BuildOptions(FIXED_TIME, prefilled_from=ROUND))
    built = []
    direct = personalise.build_workbook
    monkeypatch.setattr(personalise, "build_workbook", lambda *a: built.append(a[2]) or direct(*a))
    answers = {"score_EC1": "2 - Developing", "comment_EC1": COMMENTS[4], "target_EC": "3 - Mature"}
    for council in (Council("E3", "_x0041_ Council"), Council("E4", " padded "), Council("E6", "E6")):
        response = read(personaliser.build(council, answers), rubric, tmp_path)
        assert built[-1] == council  # built directly, then pre-filled
        assert (response.answers[0].score, response.answers[0].comment) == (2, COMMENTS[4])
        assert response.targets[0].level == 3 and response.council_name == council.name.strip()
        assert response.prefill is not None and response.prefill.all_unchanged
    plain = Council("E1", "Dacorum Borough Council")
    assert personaliser.build(plain, answers) and built[-1] != plain  # the fast path


def test_a_pre_filled_copy_built_directly_is_the_same_bytes(rubric: Rubric) -> None:
    personaliser = Personaliser(rubric, BuildOptions(FIXED_TIME, prefilled_from=ROUND))
    council = Council("E1", "Dacorum Borough Council")
    answers = {"score_EC1": "2 - Developing", "comment_EC2": COMMENTS[1], "support_EC3": "No", "target_EN": "5"}
    fast = personaliser.build(council, answers)
    personaliser.strings = b">Dacorum Borough Council<"  # as if the name were another string of the workbook
    assert personaliser.build(council, answers) == fast


def test_answers_for_inputs_a_copy_does_not_have_are_refused(rubric: Rubric) -> None:
    with pytest.raises(ValueError, match="score_NOPE"):
        Personaliser(rubric, BuildOptions(FIXED_TIME, prefilled_from=ROUND)).build(
            Council("E1", "Dacorum"), {"score_NOPE": "1"}
        )


@pytest.mark.real_client
def test_answers_survive_a_libreoffice_re_save(run, rows, rubric: Rubric, tmp_path: Path) -> None:
    tmp, _result = run
    issued = copy_of(tmp, *LIST[0]).read_bytes()
    answers, targets = _changes(read(issued, rubric, tmp_path), rubric, 4, random.Random(4))
    (tmp_path / "as-issued.xlsx").write_bytes(issued)
    (tmp_path / "changed.xlsx").write_bytes(fill_bytes(issued, answers, None, targets))
    sources = [tmp_path / "as-issued.xlsx", tmp_path / "changed.xlsx"]
    total = len(rubric.value_codes) + len(rubric.areas)
    for fmt in ("xlsx", "ods"):
        saved = soffice_convert_all(sources, fmt, tmp_path / fmt, tmp_path / "profile")
        as_issued, changed = read(saved[0], rubric), read(saved[1], rubric)
        assert_holds(as_issued, rows_of(rows, "E1"), rubric, crlf_as_lf=True)
        assert as_issued.prefill == Prefill(ROUND, total, total), fmt
        assert changed.prefill == Prefill(ROUND, total, total - 4), fmt
