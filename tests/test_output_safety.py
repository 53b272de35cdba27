"""Outputs that are safe to open: CSV cells never start a formula, and no workbook cell is over Excel's limit."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from nps_xlsx import csv_table
from nps_xlsx.cli import main
from nps_xlsx.collect.rows import fit_cell
from nps_xlsx.csv_table import FORMULA_STARTS, neutralise, write_csv
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.text import EXCEL_CELL_LIMIT, utf16_len

HOSTILE_TEXTS = ["=1+2", "+44 1442 228000", "-2 for now", "@SUM(A1)", '=HYPERLINK("http://a")', "\uff1dcmd"]
NAME = '=HYPERLINK("http://evil.example","Dacorum")'


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def hostile_returns(tmp_path_factory: pytest.TempPathFactory, template_path: Path) -> Path:
    """Returns whose council name, comments and file names would be formulas in Excel."""
    returns = tmp_path_factory.mktemp("hostile") / "returns"
    returns.mkdir()
    template = template_path.read_bytes()
    answers = {
        code: Typed("2 - Developing", text)
        for code, text in zip(["EC1", "EC2", "EC3", "SM1", "SM2", "SM3"], HOSTILE_TEXTS, strict=True)
    }
    (returns / "=1+1.xlsx").write_bytes(fill_bytes(template, answers, {"council_name": NAME}))
    (returns / "-rejected.xlsx").write_bytes(b"not a workbook")
    (returns / "@skipped.xlsx").symlink_to("/dev/null")
    return returns


def collect(returns: Path, out: Path, *extra: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Collect the files of ``returns`` named as they are (run inside it), so each path starts with its name."""
    names = sorted(p.name for p in returns.iterdir())
    outputs = ["--out", str(out / "s.xlsx"), "--csv", str(out / "r.csv"), "--ledger", str(out / "f.csv")]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(returns)
        result = run("collect", *outputs, *extra, "--", *names)
    assert result.exit_code == 0, result.output
    return read_csv(out / "r.csv"), read_csv(out / "f.csv")


def test_csv_cells_never_start_a_formula(hostile_returns: Path, tmp_path: Path) -> None:
    responses, ledger = collect(hostile_returns, tmp_path)
    for row in [*responses, *ledger]:
        for column, value in row.items():
            assert value[:1] not in FORMULA_STARTS, (column, value)
    assert {r["council"] for r in responses} == {"'" + NAME}
    assert {"'" + text for text in HOSTILE_TEXTS} <= {r["comment"] for r in responses}
    assert sorted(r["path"] for r in ledger) == ["'-rejected.xlsx", "'=1+1.xlsx", "'@skipped.xlsx"]
    assert {r["source_file"] for r in responses} == {"'=1+1.xlsx"}
    # numbers stay numbers
    assert {r["score"] for r in responses if r["code_id"] in ("EC1", "EC2")} == {"2"}
    assert all(r["size_bytes"].isdigit() for r in ledger if r["size_bytes"])


def test_raw_csv_keeps_the_text_as_it_is(hostile_returns: Path, tmp_path: Path) -> None:
    safe_responses, safe_ledger = collect(hostile_returns, tmp_path / "safe")
    raw_responses, raw_ledger = collect(hostile_returns, tmp_path / "raw", "--raw-csv")
    assert {r["council"] for r in raw_responses} == {NAME}
    assert set(HOSTILE_TEXTS) <= {r["comment"] for r in raw_responses}
    assert sorted(r["path"] for r in raw_ledger) == ["-rejected.xlsx", "=1+1.xlsx", "@skipped.xlsx"]
    # the safe form is the raw form with a quote in front of exactly the cells that would start a formula
    for safe, raw in [*zip(safe_responses, raw_responses, strict=True), *zip(safe_ledger, raw_ledger, strict=True)]:
        assert safe == {column: neutralise(value) for column, value in raw.items()}


@pytest.mark.parametrize("text", ["=x", "+x", "-x", "@x", "\tx", "\rx", "\uff1dx", "\uff0bx", "\uff0dx", "\uff20x"])
def test_neutralise_prefixes_every_formula_start(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["x=1", " =1", "", "'=1", 3, -2, 2.5, None])
def test_neutralise_leaves_everything_else(value: object) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("raw", [False, True])
def test_write_csv_writes_every_row_of_a_long_stream_as_csv_reads_it(raw: bool, tmp_path: Path) -> None:
    """Rows go to the file a batch at a time: every row arrives, in order, each neutralised (unless ``raw``)
    whichever batch it falls in."""
    texts = [*HOSTILE_TEXTS, "plain", 'say "hi",\nthen go', "", None, 7, 2.5]
    rows = [(f"r{i}", texts[i % len(texts)], i) for i in range(3 * csv_table._BATCH + 5)]
    write_csv(tmp_path / "out.csv", ["name", "text", "n"], iter(rows), raw=raw)
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as stream:
        read = list(csv.reader(stream))
    expected = [[str(v if raw else neutralise(v)) if v is not None else "" for v in row] for row in rows]
    assert read == [["name", "text", "n"], *expected]


# --- cell lengths in the summary workbook -------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def cell_texts(path: Path) -> list[tuple[str, str]]:
    """(member, text) of every text cell of every sheet, shared or inline, as Excel reads it."""
    texts = []
    with zipfile.ZipFile(path) as archive:
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{_NS}t")) for si in root.iter(f"{_NS}si")]
        for member in archive.namelist():
            if not member.startswith("xl/worksheets/sheet"):
                continue
            for cell in ElementTree.fromstring(archive.read(member)).iter(f"{_NS}c"):
                if cell.get("t") == "s":
                    texts.append((member, shared[int(cell.find(f"{_NS}v").text)]))
                elif cell.get("t") == "inlineStr":
                    texts.append((member, "".join(t.text or "" for t in cell.iter(f"{_NS}t"))))
    return texts


def test_no_summary_cell_is_longer_than_excel_allows(tmp_path: Path, template_path: Path) -> None:
    template = template_path.read_bytes()
    long_name = "Borough of " + "x" * 40_000
    emoji = "\U0001f600" * 20_000  # 20,000 characters, 40,000 UTF-16 units
    returns = tmp_path / "returns"
    returns.mkdir()
    # accepted, from a council not on the list: its name goes into the tables and into an issue
    (returns / ("long" * 50 + ".xlsx")).write_bytes(
        fill_bytes(template, {"EC1": Typed("2 - Developing", "fine")}, {"council_name": long_name})
    )
    (returns / "emoji.xlsx").write_bytes(
        fill_bytes(template, {"EC1": Typed("2 - Developing", emoji)}, {"council_name": "Somewhere Else"})
    )
    expected = tmp_path / "councils.csv"
    expected.write_text("code,name\nE1,Somewhere Else\n", encoding="utf-8")
    result = run("collect", str(returns), "--out", str(tmp_path / "s.xlsx"), "--expected", str(expected))
    assert result.exit_code == 0, result.output
    texts = cell_texts(tmp_path / "s.xlsx")
    assert max(utf16_len(text) for _member, text in texts) <= EXCEL_CELL_LIMIT
    shortened = {member: text for member, text in texts if text.startswith("Borough of xxx")}
    # the council name on the Score matrix, Area averages and Comments sheets, and the value
    assert len(shortened) >= 4
    assert all(text.endswith(f"[shortened: {len(long_name):,} characters]") for text in shortened.values())


@pytest.mark.parametrize("text", ["x" * 40_000, "\U0001f600" * 20_000, "a\U0001f600" * 11_000, "x" * 32_767])
def test_fit_cell_keeps_within_the_limit_and_says_so(text: str) -> None:
    fitted = fit_cell(text)
    assert utf16_len(fitted) <= EXCEL_CELL_LIMIT
    if utf16_len(text) <= EXCEL_CELL_LIMIT:
        assert fitted == text
    else:
        marker = fitted[fitted.rindex("…") :]
        assert text.startswith(fitted.removesuffix(marker))
        assert f"{utf16_len(text):,}" in marker
        assert utf16_len(fitted) >= EXCEL_CELL_LIMIT - 1  # as much as fits is kept
