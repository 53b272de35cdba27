"""``nps-xlsx validate``: verdicts, exit codes, and ``--json`` equal to the API's result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.report import validate_paths

COVER = {"council_name": "Watford Borough Council"}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def returns(tmp_path: Path, template_path: Path, rubric: Rubric) -> dict[str, Path]:
    template = template_path.read_bytes()
    full = {c.id: Typed("3 - Mature", "ok") for c in rubric.value_codes}
    paths = {
        "good": tmp_path / "in" / "good.xlsx",
        "partial": tmp_path / "in" / "partial.xlsx",
        "bad": tmp_path / "in" / "sub" / "bad.xlsx",
        "lock": tmp_path / "in" / "~$good.xlsx",
    }
    paths["bad"].parent.mkdir(parents=True)
    paths["good"].write_bytes(fill_bytes(template, full, COVER))
    paths["partial"].write_bytes(fill_bytes(template, {"EC1": Typed("2 - Developing")}, COVER))
    paths["bad"].write_bytes(fill_bytes(template, {**full, "EC3": Typed("seven")}, COVER))
    paths["lock"].write_bytes(b"\x05Jane\x00" + b" " * 158)
    return paths


def test_all_accepted_exits_0(returns: dict[str, Path]) -> None:
    result = run("validate", str(returns["good"]), str(returns["partial"]), str(returns["lock"]))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{returns['good']}: accepted (59 of 59 answered)"
    assert lines[1] == f"{returns['partial']}: accepted with warnings (1 of 59 answered, 58 warnings)"
    assert f"{returns['lock']}: skipped (an Office lock file" in result.output
    assert lines[-1] == "3 files: 1 accepted, 1 accepted with warnings, 0 rejected, 1 skipped"


def test_any_rejected_exits_1_with_located_message(returns: dict[str, Path]) -> None:
    result = run("validate", str(returns["good"]), str(returns["bad"]))
    assert result.exit_code == 1
    assert f"{returns['bad']}: rejected (58 of 59 answered, 1 error)" in result.output
    assert (
        f"  error   score-invalid: {returns['bad']} › Engaging Councillors!I7 (EC3): 'seven' is not a level; "
        'choose 1 to 5 or "Unscored" from the drop-down'
    ) in result.output


def test_folders_are_searched(returns: dict[str, Path], tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "in"))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "4 files: 1 accepted, 1 accepted with warnings, 1 rejected, 1 skipped"


def test_json_equals_the_api(returns: dict[str, Path], rubric: Rubric) -> None:
    paths = [returns["good"], returns["bad"], returns["lock"]]
    result = run("validate", "--json", *map(str, paths))
    assert result.exit_code == 1
    assert json.loads(result.output) == json.loads(json.dumps(validate_paths(paths, rubric).to_dict()))
    data = json.loads(result.output)
    assert data["valid"] is False
    assert [f["status"] for f in data["files"]] == ["accepted", "rejected", "skipped"]
    [issue] = data["files"][1]["issues"]
    assert (issue["code"], issue["sheet"], issue["cell"], issue["value_code"], issue["value"]) == (
        "score-invalid",
        "Engaging Councillors",
        "I7",
        "EC3",
        "seven",
    )


def test_missing_file_is_rejected_not_a_crash(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.xlsx"))
    assert result.exit_code == 1
    assert "file-unreadable" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate").exit_code == 2
    assert run("validate", "--max-file-mb", "0", str(tmp_path)).exit_code == 2
    assert run("validate", "--rubric", str(tmp_path / "none.yaml"), "x.xlsx").exit_code == 2


def test_file_size_limit_option(returns: dict[str, Path]) -> None:
    result = run("validate", "--max-file-mb", "0.01", str(returns["good"]))
    assert result.exit_code == 1
    assert "file-too-large" in result.output
