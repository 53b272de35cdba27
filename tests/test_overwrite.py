"""Never destroy a file by surprise: the overwrite rule of every output, --force, collisions, our own outputs
found among returns, and the mode of the files written."""

from __future__ import annotations

import csv
import io
import os
import stat
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from nps_xlsx import output
from nps_xlsx.cli import main
from nps_xlsx.columns import CHASE_COLUMNS, LEDGER_COLUMNS
from nps_xlsx.councils import Council, workbook_filename
from nps_xlsx.read import own_outputs
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.check import read_return

from .conftest import DACORUM

WATFORD = Council("E07000103", "Watford Borough Council")


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def councils_csv(folder: Path) -> Path:
    path = folder / "councils.csv"
    path.write_text(f"code,name\n{DACORUM.code},{DACORUM.name}\n{WATFORD.code},{WATFORD.name}\n", encoding="utf-8")
    return path


def filled(
    personalised_path: Path, answers: dict | None = None, cover: dict | None = None, targets: dict | None = None
) -> bytes:
    """Dacorum's copy, filled in as the council would."""
    answers = {"EC1": Typed("3 - Mature", "We do this")} if answers is None else answers
    return fill_bytes(personalised_path.read_bytes(), answers, cover, targets)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused_paths(result) -> list[str]:
    """The files a run names as not written (one line each)."""
    return [line.split(": ", 2)[1] for line in result.output.splitlines() if line.startswith("Not written: ")]


@pytest.fixture
def returns(tmp_path: Path, personalised_path: Path) -> Path:
    """A returns folder: Dacorum's filled copy under its issued name."""
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / workbook_filename(DACORUM)).write_bytes(filled(personalised_path))
    return folder


# --- generate ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_generate_keeps_a_filled_return_writes_the_rest_and_exits_1(returns: Path, tmp_path: Path, force: bool) -> None:
    dacorum = returns / workbook_filename(DACORUM)
    before = dacorum.read_bytes()
    result = run("generate", "--councils", councils_csv(tmp_path), "--out-dir", returns, *(["--force"] * force))
    assert result.exit_code == 1
    assert dacorum.read_bytes() == before  # even with --force
    assert refused_paths(result) == [str(dacorum)]
    assert own_outputs.recognise(returns / workbook_filename(WATFORD)) == "personalised"


@pytest.mark.parametrize(
    ("answers", "cover", "targets"),
    [
        ({}, {"respondent_name": "A. Person"}, None),
        ({}, {"completion_date": date(2026, 3, 1)}, None),
        ({"EC1": Typed("Unscored")}, None, None),
        ({"EC1": Typed(None, "a comment only")}, None, None),
        ({"EC1": Typed("seven")}, None, None),  # not a level, but typed by someone
        ({}, {"council_name": "Watford Borough Council"}, None),  # another council's name typed on the copy
        ({"EC1": Typed(priority="High")}, None, None),
        ({"EC1": Typed(support="No")}, None, None),
        ({"EC1": Typed(priority="Urgent")}, None, None),  # not one of the choices, but typed by someone
        ({}, None, {"EC": "3 - Mature"}),
        ({}, None, {"EC": "nine"}),  # not a level, but typed by someone
    ],
)
def test_anything_typed_makes_a_return_that_is_never_overwritten(
    tmp_path: Path, personalised_path: Path, answers: dict, cover: dict | None, targets: dict | None
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    dacorum = folder / workbook_filename(DACORUM)
    typed = filled(personalised_path, answers, cover, targets)
    dacorum.write_bytes(typed)
    result = run("generate", "--councils", councils_csv(tmp_path), "--out-dir", folder, "--force")
    assert result.exit_code == 1, result.output
    assert refused_paths(result) == [str(dacorum)]
    assert dacorum.read_bytes() == typed


def test_rerunning_generate_replaces_its_untouched_copies(tmp_path: Path) -> None:
    args = ["generate", "--out", tmp_path / "template.xlsx", "--councils", councils_csv(tmp_path)]
    assert run(*args, "--out-dir", tmp_path / "out").exit_code == 0
    paths = [tmp_path / "template.xlsx", *(tmp_path / "out").iterdir()]
    inodes = {p: p.stat().st_ino for p in paths}
    result = run(*args, "--out-dir", tmp_path / "out", "--password", "changed")
    assert result.exit_code == 0, result.output
    assert all(p.stat().st_ino != inode for p, inode in inodes.items())  # each replaced by a new file


def test_generate_out_refuses_a_file_that_is_not_ours_unless_forced(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Notes\n", encoding="utf-8")
    result = run("generate", "--out", readme)
    assert result.exit_code == 1 and refused_paths(result) == [str(readme)]
    assert readme.read_text(encoding="utf-8") == "# Notes\n"
    assert run("generate", "--out", readme, "--force").exit_code == 0
    assert own_outputs.recognise(readme) == "template"


def test_generate_out_refuses_another_kind_of_output_of_ours(tmp_path: Path, personalised_path: Path) -> None:
    copy = tmp_path / "dacorum.xlsx"
    copy.write_bytes(personalised_path.read_bytes())  # untouched, but a personalised copy, not a template
    assert run("generate", "--out", copy).exit_code == 1
    assert copy.read_bytes() == personalised_path.read_bytes()
    assert run("generate", "--out", copy, "--force").exit_code == 0
    assert own_outputs.recognise(copy) == "template"


# --- collect ----------------------------------------------------------------------------------------------------


def collect_args(returns: Path, out: Path) -> list[str | Path]:
    return ["collect", returns, "--out", out / "s.xlsx", "--csv", out / "r.csv", "--ledger", out / "l.csv"]


def test_rerunning_collect_replaces_its_outputs(returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(*collect_args(returns, out)).exit_code == 0
    inodes = {p: p.stat().st_ino for p in out.iterdir()}
    result = run(*collect_args(returns, out))
    assert result.exit_code == 0, result.output
    assert all(p.stat().st_ino != inode for p, inode in inodes.items())


def test_collect_refuses_one_output_and_writes_the_others(returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(*collect_args(returns, out)).exit_code == 0
    (out / "l.csv").rename(out / "keep.csv")
    (out / "s.xlsx").rename(out / "l.csv")  # a summary where the ledger goes: another kind of output
    (out / "r.csv").unlink()
    kept = (out / "l.csv").read_bytes()
    result = run(*collect_args(returns, out))
    assert result.exit_code == 1
    assert refused_paths(result) == [str(out / "l.csv")]
    assert (out / "l.csv").read_bytes() == kept
    assert own_outputs.recognise(out / "s.xlsx") == "summary" and own_outputs.recognise(out / "r.csv") == "responses"
    result = run(*collect_args(returns, out), "--force")
    assert result.exit_code == 0, result.output
    assert own_outputs.recognise(out / "l.csv") == "ledger"


def test_collect_never_writes_over_a_return_even_forced(returns: Path, tmp_path: Path, personalised_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.xlsx"  # not among the inputs: kept because it holds answers
    elsewhere.write_bytes(filled(personalised_path))
    result = run("collect", returns, "--out", elsewhere, "--csv", tmp_path / "r.csv", "--force")
    assert result.exit_code == 1 and refused_paths(result) == [str(elsewhere)]
    assert elsewhere.read_bytes() == filled(personalised_path)
    assert own_outputs.recognise(tmp_path / "r.csv") == "responses"


# --- two outputs naming one file -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outputs",
    [
        ["--out", "x.xlsx", "--csv", "x.xlsx"],
        ["--out", "s.xlsx", "--csv", "x.csv", "--ledger", "x.csv"],
        ["--out", "s.xlsx", "--csv", "x.csv", "--ledger", "sub/../x.csv"],
        ["--out", "s.xlsx", "--csv", "x.csv", "--ledger", "link.csv"],
    ],
)
def test_two_collect_outputs_naming_one_file_is_a_usage_error(
    returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outputs: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to("x.csv")
    before = snapshot(tmp_path)
    result = run("collect", returns, *outputs)
    assert result.exit_code == 2
    assert snapshot(tmp_path) == before


def test_generate_out_naming_a_personalised_file_is_a_usage_error(tmp_path: Path) -> None:
    councils = councils_csv(tmp_path)
    result = run(
        "generate", "--out", tmp_path / workbook_filename(WATFORD), "--councils", councils, "--out-dir", tmp_path
    )
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["councils.csv"]


# --- our outputs found among returns ----------------------------------------------------------------------------


def feedback_workbook(path: Path) -> Path:
    """A workbook marked as a feedback file (the command that writes them is still to come)."""
    book = xlsxwriter.Workbook(str(path))
    book.set_custom_property(own_outputs.OUTPUT_PROPERTY, "feedback")
    book.add_worksheet("Your results").write(0, 0, "Feedback")
    book.close()
    return path


@pytest.fixture
def returns_with_outputs(returns: Path, tmp_path: Path) -> Path:
    """The returns folder, with an earlier round's summary and CSV files of ours in it under other names."""
    out = tmp_path / "earlier"
    assert run(*collect_args(returns, out)).exit_code == 0
    (out / "s.xlsx").rename(returns / "dacorum-final.xlsx")
    bom = b"\xef\xbb\xbf"  # our CSV files start with one by default; --no-bom leaves it out
    (returns / "answers.csv").write_bytes((out / "r.csv").read_bytes().removeprefix(bom))
    with_bom = returns / "files (excel).csv"
    with_bom.write_bytes(bom + (out / "l.csv").read_bytes().removeprefix(bom))
    chase = returns / "to chase.csv"
    chase.write_text(",".join([*CHASE_COLUMNS, "email"]) + "\r\nE1,Alpha,not returned,,,a@example.org\r\n")
    feedback_workbook(returns / "feedback.xlsx")
    (returns / "councils.csv").write_text("code,name\nE1,Alpha\n", encoding="utf-8")  # not ours
    return returns


OURS = {
    "dacorum-final.xlsx": "summary",
    "answers.csv": "responses",
    "files (excel).csv": "ledger",
    "to chase.csv": "chase",
    "feedback.xlsx": "feedback",
}


def test_our_outputs_among_returns_are_skipped_by_validate(returns_with_outputs: Path, rubric: Rubric) -> None:
    for name, kind in OURS.items():
        report = read_return(returns_with_outputs / name, rubric)
        assert report.status == "skipped", name
        assert report.skip_reason.startswith(own_outputs.describe(kind)), name
    assert read_return(returns_with_outputs / "councils.csv", rubric).issues[0].code == "not-a-spreadsheet"
    assert read_return(returns_with_outputs / workbook_filename(DACORUM), rubric).status == "accepted-with-warnings"
    (returns_with_outputs / "councils.csv").unlink()
    result = run("validate", returns_with_outputs)
    assert result.exit_code == 0, result.output  # nothing rejected


def test_our_outputs_among_returns_are_skipped_by_collect(returns_with_outputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(*collect_args(returns_with_outputs, out))
    assert result.exit_code == 0, result.output
    with (out / "l.csv").open(encoding="utf-8-sig", newline="") as stream:
        ledger = {Path(row["path"]).name: row for row in csv.DictReader(stream)}
    for name, kind in OURS.items():
        assert ledger[name]["status"] == "skipped", name
        assert ledger[name]["first_error"].startswith(own_outputs.describe(kind)), name
    assert ledger[workbook_filename(DACORUM)]["status"] in ("accepted", "accepted-with-warnings")
    assert ledger["councils.csv"]["status"] == "rejected"


def test_a_workbook_with_the_identity_record_is_a_return_whatever_its_output_property(
    tmp_path: Path, personalised_path: Path, rubric: Rubric
) -> None:
    """Copies of a return are read as returns: only the identity record decides (a tampered property cannot
    hide a return)."""
    source = io.BytesIO(filled(personalised_path))
    target = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "docProps/custom.xml":
                data = data.replace(b"<vt:lpwstr>personalised</vt:lpwstr>", b"<vt:lpwstr>summary</vt:lpwstr>")
                assert b"summary" in data
            new.writestr(info, data)
    assert read_return(target, rubric).status != "skipped"


def test_every_workbook_we_write_says_which_output_it_is(tmp_path: Path, returns: Path) -> None:
    args = ["--out", tmp_path / "t.xlsx", "--councils", councils_csv(tmp_path), "--out-dir", tmp_path / "p"]
    assert run("generate", *args).exit_code == 0
    assert run(*collect_args(returns, tmp_path / "c")).exit_code == 0
    for path, kind in [
        (tmp_path / "t.xlsx", "template"),
        (tmp_path / "p" / workbook_filename(WATFORD), "personalised"),
        (tmp_path / "c" / "s.xlsx", "summary"),
    ]:
        properties = openpyxl.load_workbook(path, read_only=True).custom_doc_props
        assert properties[own_outputs.OUTPUT_PROPERTY].value == kind
        assert own_outputs.recognise(path) == kind


def test_csv_kinds_come_from_the_writers_columns() -> None:
    assert own_outputs.csv_kind((",".join(LEDGER_COLUMNS) + "\r\n").encode()) == "ledger"
    assert own_outputs.csv_kind(b"\xef\xbb\xbf" + (",".join(LEDGER_COLUMNS) + "\n").encode()) == "ledger"
    # a ledger written before the respondent's columns were added is one too; fewer columns are not
    before = LEDGER_COLUMNS[: LEDGER_COLUMNS.index("all_unchanged") + 1]
    assert own_outputs.csv_kind((",".join(before) + "\r\n").encode()) == "ledger"
    assert own_outputs.csv_kind((",".join(before[:-1]) + "\r\n").encode()) is None
    assert own_outputs.csv_kind(b"code,name\r\n") is None


# --- modes ------------------------------------------------------------------------------------------------------


@pytest.fixture(params=[(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def umask(request: pytest.FixtureRequest):
    mask, mode = request.param
    previous = os.umask(mask)
    output.umask.cache_clear()
    try:
        yield mode
    finally:
        os.umask(previous)
        output.umask.cache_clear()


def test_outputs_honour_the_umask(umask: int, returns: Path, tmp_path: Path) -> None:
    args = ["--out", tmp_path / "t.xlsx", "--councils", councils_csv(tmp_path), "--out-dir", tmp_path / "p"]
    assert run("generate", *args).exit_code == 0
    assert run(*collect_args(returns, tmp_path / "c")).exit_code == 0
    written = [tmp_path / "t.xlsx", *(tmp_path / "p").iterdir(), *(tmp_path / "c").iterdir()]
    assert len(written) == 6
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {umask}
