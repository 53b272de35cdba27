"""``nps-xlsx generate`` through click's CliRunner: template, batch, and bad input."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx import layout
from nps_xlsx.cli import main
from nps_xlsx.councils import Council, load_councils, workbook_filename

from .conftest import REPO
from .test_rubric import SMALL_RUBRIC


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_csv(tmp_path: Path, text: str, name: str = "councils.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_blank_template(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "template.xlsx"
    result = run("generate", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "59 value codes in 11 key areas" in result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == layout.COVER_SHEET
    assert [p.name for p in out.parent.iterdir()] == ["template.xlsx"]  # no temporary file left behind


def test_batch_from_sample_csv(tmp_path: Path) -> None:
    councils = load_councils(REPO / "samples" / "councils.csv")
    result = run("generate", "--councils", str(REPO / "samples" / "councils.csv"), "--out-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(councils)} personalised workbooks" in result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted(workbook_filename(c) for c in councils)
    assert "E07000096-dacorum-borough-council.xlsx" in files
    book = openpyxl.load_workbook(tmp_path / "E08000013-st-helens-metropolitan-borough-council.xlsx")
    meta = dict(list(book[layout.META_SHEET].iter_rows(values_only=True))[1:])
    assert meta["council_code"] == "E08000013"
    assert (
        book[layout.COVER_SHEET].cell(layout.cover_input_row(0) + 1, 2).value
        == "St Helens Metropolitan Borough Council"
    )


def test_extra_columns_bom_and_odd_names(tmp_path: Path) -> None:
    csv_path = tmp_path / "c.csv"
    csv_path.write_bytes(
        '\ufeffName , CODE,notes\n"Brighton & Hove, City of",E06000043,x\nYnys Môn / Anglesey,W06000001,\n\n'.encode()
    )
    councils = load_councils(csv_path)
    assert councils == [
        Council("E06000043", "Brighton & Hove, City of", (("notes", "x"),)),
        Council("W06000001", "Ynys Môn / Anglesey", (("notes", ""),)),
    ]
    assert [workbook_filename(c) for c in councils] == [
        "E06000043-brighton-hove-city-of.xlsx",
        "W06000001-ynys-mon-anglesey.xlsx",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,region\nDacorum,East\n", "councils.csv:1: no column for the council code"),
        ("code,name\nE1,Alpha\nE2,\n", "councils.csv:3: the name is empty (code E2)"),
        ("code,name\nE1,Alpha\n,Beta\n", "councils.csv:3: the code is empty"),
        ("code,name\nE1,Alpha\nE2,Beta\ne1,Gamma\n", "councils.csv:4: duplicate code 'e1' (first on line 2)"),
        ("code,name\nE1,Alpha\nE/1,Beta\nE-1,Beta\n", "councils.csv:4: code 'E-1' gives the same file name as line 3"),
        ("code,name\nE1\n", "councils.csv:2: has 1 column; the header has 2"),
        ("code,name\n", "councils.csv: no councils listed"),
        (f"code,name\nE1,Alpha\nE2,{'N' * 256}\n", "councils.csv:3: the name is 256 characters long"),
        (f"code,name\nE1,Alpha\nE2,{chr(0x1F3DB) * 128}\n", "councils.csv:3: the name is 256 characters long"),
        (f"code,name\nE1,Alpha\n{'C' * 65},Beta\n", "councils.csv:3: the code is 65 characters long"),
        ("code,name\nE1,Al\x01pha\n", "councils.csv:2: the name 'Al\\x01pha' holds control characters"),
    ],
)
def test_bad_council_list(tmp_path: Path, text: str, message: str) -> None:
    csv_path = write_csv(tmp_path, text)
    result = run("generate", "--councils", str(csv_path), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_quoted_newline_keeps_line_numbers(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path, 'code,name\nE1,"Alpha\nCouncil"\nE2,\n')
    result = run("generate", "--councils", str(csv_path), "--out-dir", str(tmp_path / "out"))
    assert "councils.csv:4: the name is empty" in result.output
    assert load_councils(write_csv(tmp_path, 'code,name\nE1,"Alpha\nCouncil"\n'))[0].name == "Alpha Council"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--councils", "samples/councils.csv"],
        ["--out-dir", "somewhere"],
    ],
)
def test_usage_errors_exit_2(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run("generate", *args)
    assert result.exit_code == 2
    assert "Usage:" in result.output


def test_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path, "code,name\nE1,Alpha\n")
    before = csv_path.read_bytes()
    result = run("generate", "--out", str(csv_path), "--councils", str(csv_path), "--out-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "refusing to overwrite an input file" in result.output
    assert csv_path.read_bytes() == before


def test_custom_rubric(tmp_path: Path) -> None:
    rubric_path = write_csv(tmp_path, SMALL_RUBRIC, "tiny.yaml")
    out = tmp_path / "tiny.xlsx"
    result = run("generate", "--rubric", str(rubric_path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 value codes in 2 key areas" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Cover", "First area", "Second area", "Your summary", layout.META_SHEET]
    # three levels: score in column G, priority and support in H and I, comment in column J
    assert book.defined_names["score_BB1"].attr_text == "'Second area'!$G$5"
    assert book.defined_names["comment_AA2"].attr_text == "'First area'!$J$6"
    [dv] = [d for d in book["First area"].data_validations.dataValidation if str(d.sqref) == "G5"]
    assert dv.formula1 == '"1 - Low,2 - Middle,3 - High,Not scored"'


def test_bad_rubric_exits_1_with_location(tmp_path: Path) -> None:
    rubric_path = write_csv(tmp_path, SMALL_RUBRIC.replace("[a1, a2, a3]", "[a1, a2]"), "tiny.yaml")
    result = run("generate", "--rubric", str(rubric_path), "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert f"Error: {rubric_path}:17: areas[0].value_codes[0].statements (AA1): has 2 statements" in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and "nps-xlsx" in result.output
