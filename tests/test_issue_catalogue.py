"""Issue codes and file statuses as data: the catalogue, the Issue record, the README's list, the JSON contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.check import FileStatus, read_return
from nps_xlsx.validate.issues import CATALOGUE, HOLD_CODES, Location, make_issue
from nps_xlsx.validate.report import validate_paths

README = Path(__file__).resolve().parents[1] / "README.md"
# The fields of an issue in the --json report before detail and fix were added: scripts depend on them.
ISSUE_FIELDS = ("code", "severity", "file", "sheet", "cell", "value_code", "value", "message")


def readme_codes() -> tuple[dict[str, str], set[str]]:
    """The README's ``Issue codes (severity): …`` paragraph as code -> severity, and the codes said to hold."""
    text = README.read_text(encoding="utf-8")
    paragraph = text[text.index("Issue codes (severity):") :].split("\n\n", 1)[0]
    codes: dict[str, str] = {}
    for part, severity in re.findall(r"(.*?)\((errors|warnings)\)", paragraph, re.DOTALL):
        for code in re.findall(r"`([a-z-]+)`", part):
            assert code not in codes, f"{code} is listed twice in the README"
            codes[code] = severity.removesuffix("s")
    holds = set(re.findall(r"`([a-z-]+)` \(holds the return for review\)", paragraph))
    return codes, holds


def test_readme_lists_the_catalogue_with_severities() -> None:
    codes, holds = readme_codes()
    assert codes == {code: entry.severity for code, entry in CATALOGUE.items()}
    assert holds == HOLD_CODES == {"council-name-changed"}


def test_every_entry_has_a_title_and_every_error_a_fix() -> None:
    for code, entry in CATALOGUE.items():
        assert entry.code == code and entry.title and re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
        assert entry.severity in ("error", "warning")
        if entry.severity == "error":
            assert entry.fix, f"{code}: an error must say how to fix it"


def test_issue_renders_its_message_from_location_detail_and_fix() -> None:
    where = Location("r.xlsx", "Engaging Councillors", "I6")
    issue = make_issue("score-invalid", where, "'seven' is not a level", "EC3", "seven")
    assert (issue.severity, issue.detail, issue.fix) == (
        "error",
        "'seven' is not a level",
        CATALOGUE["score-invalid"].fix,
    )
    assert issue.message == f"r.xlsx › Engaging Councillors!I6 (EC3): 'seven' is not a level; {issue.fix}"
    own = make_issue("score-invalid", where, "x", fix="do this")
    assert own.fix == "do this" and own.message.endswith(": x; do this")
    bare = make_issue("macros-ignored", Location("r.xlsm"), "the workbook contains macros")
    assert bare.fix is None and bare.message == "r.xlsm: the workbook contains macros"
    with pytest.raises(KeyError):
        make_issue("no-such-code", where, "x")


def test_issue_fields_are_safe_text() -> None:
    issue = make_issue("council-name-missing", Location("r\x00.xlsx", "Co\x07ver", "B8"), "bl\x01ank", fix="ty\x02pe")
    assert "\x00" not in issue.message and "\x01" not in issue.detail and "\x02" not in (issue.fix or "")


def test_json_keeps_every_field_and_adds_detail_and_fix(rubric: Rubric, template_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(fill_bytes(template_path.read_bytes(), {"EC1": Typed("seven")}, {"council_name": ""}))
    report = validate_paths([path], rubric)
    data = json.loads(json.dumps(report.to_dict()))
    issues = data["files"][0]["issues"]
    assert {"score-invalid", "council-name-missing", "score-blank"} <= {i["code"] for i in issues}
    for issue in issues:
        assert list(issue)[: len(ISSUE_FIELDS)] == list(ISSUE_FIELDS)
        where = issue["file"] + (f" › {issue['sheet']}" if issue["sheet"] else "")
        where += f"!{issue['cell']}" if issue["sheet"] and issue["cell"] else ""
        where += f" ({issue['value_code']})" if issue["value_code"] else ""
        fix = f"; {issue['fix']}" if issue["fix"] else ""
        assert issue["message"] == f"{where}: {issue['detail']}{fix}"
    assert data["files"][0]["status"] == "rejected" and data["counts"]["rejected"] == 1


def test_file_statuses_are_an_enum_of_the_documented_strings(rubric: Rubric, tmp_path: Path) -> None:
    assert [s.value for s in FileStatus] == [
        "accepted",
        "accepted-with-warnings",
        "held",
        "rejected",
        "skipped",
        "superseded",
    ]
    assert f"{FileStatus.HELD}" == str(FileStatus.HELD) == "held" and FileStatus.HELD == "held"
    lock = tmp_path / "~$return.xlsx"
    lock.write_bytes(b"lock")
    report = read_return(lock, rubric)
    assert report.status is FileStatus.SKIPPED
    assert json.dumps(report.to_dict()["status"]) == '"skipped"'
