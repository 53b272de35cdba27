"""What the commands print: validate's folded blanks and --quiet, plurals, and refusing empty input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.councils import Council
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import DACORUM, FIXED_TIME
from .test_rubric import SMALL_RUBRIC

WATFORD = Council("E07000103", "Watford Borough Council")
LOCK = "~$dacorum.xlsx"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def answers(rubric: Rubric, blank: tuple[str, ...] = (), typed: dict[str, str] | None = None) -> dict[str, Typed]:
    """Every value code answered "3", except those left ``blank`` and those ``typed`` with other text."""
    level = f"3 - {rubric.levels[2]}"
    chosen = {code.id: Typed(level) for code in rubric.value_codes if code.id not in blank}
    chosen.update({code: Typed(text) for code, text in (typed or {}).items()})
    return chosen


@pytest.fixture(scope="module")
def returns(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """complete (accepted), one-blank, three-blanks (on two sheets), typed (rejected) and held returns."""
    folder = tmp_path_factory.mktemp("console") / "returns"
    folder.mkdir()
    dacorum = build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM)
    cover = {"council_name": DACORUM.name}
    first, second, third = (code.id for code in rubric.value_codes[:3])
    other_sheet = rubric.areas[1].value_codes[0].id
    books = {
        "complete.xlsx": (answers(rubric), cover),
        "one-blank.xlsx": (answers(rubric, (first,)), cover),
        "three-blanks.xlsx": (answers(rubric, (first, second, other_sheet)), cover),
        "typed.xlsx": (answers(rubric, (third, other_sheet), {first: "seven"}), cover),
        "held.xlsx": (answers(rubric), {"council_name": WATFORD.name}),
    }
    for name, (chosen, cover_fields) in books.items():
        (folder / name).write_bytes(fill_bytes(dacorum, chosen, cover_fields))
    return folder


def lines_of(output: str, name: str) -> list[str]:
    """The lines about one file: its verdict and the indented lines after it."""
    found: list[str] = []
    for line in output.splitlines():
        if line.startswith(" ") and found:
            found.append(line)
        elif found:
            break
        elif re.match(rf".*{re.escape(name)}: ", line):
            found.append(line)
    return found


def test_blank_scores_fold_into_one_line_per_file(returns: Path, rubric: Rubric) -> None:
    result = run("validate", str(returns))
    assert result.exit_code == 1
    verdict, *issues = lines_of(result.output, "three-blanks.xlsx")
    assert "3 warnings" in verdict
    assert [line.split()[1] for line in issues] == ["score-blank:"]  # one line for three blanks
    codes = [rubric.value_codes[0], rubric.value_codes[1], rubric.areas[1].value_codes[0]]
    for code in codes:  # every value code is named, and its sheet
        assert re.search(rf"\b{code.id}\b", issues[0])
    assert rubric.areas[0].name in issues[0] or rubric.areas[0].sheet in issues[0]
    assert "three-blanks.xlsx" not in issues[0]  # the verdict line names the file; no path repeated
    report = json.loads(run("validate", "--json", str(returns / "three-blanks.xlsx")).stdout)
    cells = [issue["cell"] for issue in report["files"][0]["issues"]]
    assert len(cells) == 3 and all(re.search(rf"\b{cell}\b", issues[0]) for cell in cells)
    typed = lines_of(result.output, "typed.xlsx")
    assert [line.split()[:2] for line in typed[1:]] == [["error", "score-invalid:"], ["warning", "score-blank:"]]


def test_json_keeps_every_issue(returns: Path) -> None:
    result = run("validate", "--json", str(returns / "three-blanks.xlsx"))
    report = json.loads(result.output)
    assert [issue["code"] for issue in report["files"][0]["issues"]] == ["score-blank"] * 3


def test_quiet_shows_only_what_fails(returns: Path) -> None:
    loud, quiet = run("validate", str(returns)), run("validate", "--quiet", str(returns))
    assert quiet.exit_code == loud.exit_code == 1
    assert quiet.output.splitlines()[-1] == loud.output.splitlines()[-1]  # the closing line
    shown = [line for line in quiet.output.splitlines() if not line.startswith(" ")][:-1]
    assert sorted(re.sub(r":.*", "", Path(line).name) for line in shown) == ["held.xlsx", "typed.xlsx"]
    issues = [line.split()[:2] for line in quiet.output.splitlines() if line.startswith(" ")]
    assert issues == [["warning", "council-name-changed:"], ["error", "score-invalid:"]]  # why each one fails
    ok = run("validate", "-q", str(returns / "complete.xlsx"), str(returns / "one-blank.xlsx"))
    assert ok.exit_code == 0 and len(ok.output.splitlines()) == 1


def test_plurals(returns: Path, tmp_path: Path) -> None:
    one = run("validate", str(returns / "one-blank.xlsx"))
    assert one.exit_code == 0
    assert re.match(r"1 file: ", one.output.splitlines()[-1])
    assert re.search(r"\(\d+ of \d+ answered, 1 warning\)", one.output)
    assert re.search(r": 1 value code not answered: ", one.output)
    typed = run("validate", str(returns / "typed.xlsx")).output
    assert re.search(r", 1 error, 2 warnings\)", typed) and ": 2 value codes not answered: " in typed
    councils = tmp_path / "one.csv"
    councils.write_text("code,name\nE1,Alpha\n", encoding="utf-8")
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(SMALL_RUBRIC[: SMALL_RUBRIC.index("  - id: BB")].replace("      - {id: AA2", "#"), encoding="utf-8")
    out = run("generate", "--rubric", str(tiny), "--out", str(tmp_path / "t.xlsx"))
    assert out.exit_code == 0, out.output
    assert "(1 value code in 1 key area)" in out.output
    out = run("generate", "--councils", str(councils), "--out-dir", str(tmp_path / "out"))
    assert re.search(r"\bWrote 1 personalised workbook to\b", out.output)


@pytest.mark.parametrize("entries", [(), (LOCK,), (LOCK, ".DS_Store", "sub/._x.xlsx")])
def test_no_workbooks_found_is_an_error(tmp_path: Path, entries: tuple[str, ...]) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    for entry in entries:
        (folder / entry).parent.mkdir(parents=True, exist_ok=True)
        (folder / entry).write_bytes(b"x")
    result = run("validate", str(folder))
    assert result.exit_code == 1
    assert str(folder) in result.output.splitlines()[-1]  # the message names what was searched
    assert json.loads(run("validate", "--json", str(folder)).stdout)["valid"] is False
    out = tmp_path / "out"
    result = run("collect", str(folder), "--out", str(out / "s.xlsx"), "--csv", str(out / "r.csv"))
    assert result.exit_code == 1
    assert str(folder) in result.output.splitlines()[-1]
    assert not out.exists()  # no summary of nothing
