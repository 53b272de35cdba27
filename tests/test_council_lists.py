"""Council lists and assignments files as people make them: Excel's encodings, delimiters and headers."""

from __future__ import annotations

import codecs
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect.assign import load_assignments
from nps_xlsx.councils import Council, load_councils, workbook_filename
from nps_xlsx.errors import AssignmentsError, CouncilListError

from .conftest import REPO

# Names that need more than ASCII: é and ô (Latin-1 range), ’ (0x92 in Windows-1252, absent from Latin-1)
CAFE = Council("E1", "Café Côte’s Council")
MON = Council("W06000001", "Ynys Môn")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "councils.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def codes_and_names(councils: list[Council]) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in councils]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "reported"),
    [
        ("utf-8", ",", None),
        ("utf-8-sig", ",", None),  # Excel's "CSV UTF-8"
        ("cp1252", ",", "Windows-1252"),  # Excel's plain "CSV (Comma delimited)"
        ("cp1252", ";", "Windows-1252"),  # the same, in a locale whose list separator is ;
        ("utf-16", "\t", "UTF-16"),  # Excel's "Unicode Text" (with a BOM, tab-separated)
        ("utf-8", "\t", "tabs"),
        ("utf-8", ";", "semicolons"),
    ],
)
def test_encodings_and_delimiters_are_detected_and_reported(
    tmp_path: Path, encoding: str, delimiter: str, reported: str | None
) -> None:
    rows = [("code", "name", "Contact email"), (CAFE.code, CAFE.name, "a@x"), (MON.code, MON.name, "b@x")]
    path = write(tmp_path, "".join(delimiter.join(row) + "\r\n" for row in rows), encoding)
    notes: list[str] = []
    councils = load_councils(path, notes.append)
    assert codes_and_names(councils) == [(CAFE.code, CAFE.name), (MON.code, MON.name)]
    assert councils[0].extra == (("Contact email", "a@x"),)  # the header as written, for the chase list
    assert len(notes) == (reported is not None)
    if reported:
        assert reported in notes[0] and "councils.csv" in notes[0]


def test_generate_reports_how_it_read_the_list(tmp_path: Path) -> None:
    path = write(tmp_path, f"code;name\n{CAFE.code};{CAFE.name}\n", "cp1252")
    result = run("generate", "--councils", str(path), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Windows-1252" in result.output and "semicolons" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == [workbook_filename(CAFE)]
    utf8 = write(tmp_path, f"code,name\n{CAFE.code},{CAFE.name}\n", "utf-8-sig", "utf8.csv")
    result = run("generate", "--councils", str(utf8), "--out-dir", str(tmp_path / "out2"))
    assert result.exit_code == 0, result.output
    assert "Read " not in result.output  # UTF-8 with commas is the norm: nothing to say


def test_collect_reports_how_it_read_the_expected_list(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(REPO / "samples" / "returns" / "E07000096-dacorum-borough-council.xlsx", returns)
    expected = write(
        tmp_path, "GSS code\tCouncil\r\nE07000096\tDacorum Borough Council\r\nW1\tCyngor Môn\r\n", "utf-16"
    )
    result = run("collect", str(returns), "--out", str(tmp_path / "s.xlsx"), "--expected", str(expected))
    assert result.exit_code == 0, result.output
    assert "UTF-16" in result.output and "tabs" in result.output
    assert (tmp_path / "s.xlsx").exists()


@pytest.mark.parametrize(
    "text",
    [
        'code,name\nE1,"Brighton & Hove, City of"\nE2,"Semi;colon"\n',  # quoted commas; a semicolon in a name
        'code;name\nE1;"Brighton & Hove, City of"\nE2;"Semi;colon"\n',  # commas in quoted names, ; separated
        'code;name;"Contact, email"\nE1;"Brighton & Hove, City of";a\nE2;"Semi;colon";b\n',  # a quoted header comma
        "\n\ncode\tname\nE1\tBrighton & Hove, City of\nE2\tSemi;colon\n",  # tabs, after blank lines
        'sep=;\ncode;name\nE1;"Brighton & Hove, City of"\nE2;"Semi;colon"\n',  # Excel's delimiter line
    ],
)
def test_quoted_delimiters_do_not_fool_the_sniffing(tmp_path: Path, text: str) -> None:
    councils = load_councils(write(tmp_path, text))
    assert codes_and_names(councils) == [("E1", "Brighton & Hove, City of"), ("E2", "Semi;colon")]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("Council code", "Council name"),
        ("GSS code", "Council"),
        ("ONS_code", "Local Authority"),
        ("LA code", "Name"),
        ("  CODE ", "name"),
        ("council-code", "COUNCIL_NAME"),
        ("LAD23CD", "LAD23NM"),  # as ONS's lookup files name them
        ("Code", "Authority"),
    ],
)
def test_header_aliases(tmp_path: Path, code: str, name: str) -> None:
    path = write(tmp_path, f"Region,{name},{code}\nWales,{MON.name},{MON.code}\n")
    councils = load_councils(path)
    assert codes_and_names(councils) == [(MON.code, MON.name)]
    assert councils[0].extra == (("Region", "Wales"),)


def test_a_header_equal_to_the_column_name_wins_over_aliases(tmp_path: Path) -> None:
    councils = load_councils(write(tmp_path, "Council,name,code\nDacorum BC,Dacorum Borough Council,E07000096\n"))
    assert codes_and_names(councils) == [("E07000096", "Dacorum Borough Council")]
    assert councils[0].extra == (("Council", "Dacorum BC"),)


def error_of(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "councils.csv"
    path.write_bytes(data)
    with pytest.raises(CouncilListError) as caught:
        load_councils(path)
    result = run("generate", "--councils", str(path), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 1 and str(caught.value) in result.output
    assert not (tmp_path / "out").exists()
    return str(caught.value)


def test_a_missing_column_names_the_headers_found_and_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, b"\n\nAuthority;Region\nDacorum;East\n")
    assert re.search(r"councils\.csv:3: ", message)  # the header's line, after two blank lines
    assert "'Authority', 'Region'" in message
    assert "'code'" in message and "'GSS code'" in message  # what to call it


def test_two_missing_columns_are_both_named(tmp_path: Path) -> None:
    message = error_of(tmp_path, b"Region,Email\nEast,a@x\n")
    assert "council code" in message and "council name" in message and "'Region', 'Email'" in message


def test_two_candidate_columns_are_an_error_naming_both(tmp_path: Path) -> None:
    message = error_of(tmp_path, b"GSS code,ONS code,name\nE1,E2,Alpha\n")
    assert "councils.csv:1:" in message and "'GSS code'" in message and "'ONS code'" in message


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"code,name\nE1,Alpha\nE2,Bad \x81 byte\n", 3),  # neither UTF-8 nor Windows-1252
        (codecs.BOM_UTF16_LE + "code\tname\nE1\tAlpha\n".encode("utf-16-le") + b"\x00\xd8", 3),  # a lone surrogate
    ],
)
def test_undecodable_bytes_name_the_line_and_the_fix(tmp_path: Path, data: bytes, line: int) -> None:
    message = error_of(tmp_path, data)
    assert f"councils.csv:{line}:" in message
    assert "CSV UTF-8" in message


def test_an_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    data = b'code,name\nE1,Alpha\nE2,"Beta\n' + b"E3,Gamma\n" * 20_000
    assert "councils.csv:3:" in error_of(tmp_path, data)


def test_a_workbook_given_as_the_list_is_told_to_be_saved_as_csv(tmp_path: Path) -> None:
    data = (REPO / "samples" / "returns" / "E07000096-dacorum-borough-council.xlsx").read_bytes()
    assert "CSV UTF-8" in error_of(tmp_path, data)


def test_a_row_missing_trailing_cells_keeps_the_others_empty(tmp_path: Path) -> None:
    councils = load_councils(write(tmp_path, "code,name,email,contact\nE1,Alpha,a@x\n"))
    assert councils[0].extra == (("email", "a@x"), ("contact", ""))
    assert "councils.csv:2: has 1 column;" in error_of(tmp_path, b"code,name\nE1\n")


def test_assignments_get_the_same_treatment(tmp_path: Path) -> None:
    sha = "ab" * 32
    path = write(tmp_path, f"File name;GSS code;Note\nréponse.xlsx;E1;x\n{sha.upper()};W06000001;\n", "cp1252", "a.csv")
    notes: list[str] = []
    decided = load_assignments(path, [CAFE, MON], notes.append)
    assert [(a.file, a.code, a.line) for a in decided.lines] == [
        ("réponse.xlsx", "E1", 2),
        (sha, "W06000001", 3),
    ]
    assert len(notes) == 1 and "Windows-1252" in notes[0]
    with pytest.raises(AssignmentsError) as caught:
        load_assignments(write(tmp_path, "Workbook,Council name\nx.xlsx,Alpha\n", name="b.csv"))
    assert "b.csv:1:" in str(caught.value) and "'Workbook', 'Council name'" in str(caught.value)
