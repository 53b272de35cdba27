"""Text safety by construction: whatever a return or a file name holds, every output is written and parses."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nps_xlsx import a1, layout
from nps_xlsx.cli import main
from nps_xlsx.rubric import load_rubric
from nps_xlsx.text import clean_text
from nps_xlsx.validate import check as validate

from .untrusted import fill_text

SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")

RUBRIC = load_rubric()
IDS = [code.id for code in RUBRIC.value_codes]
CHOICES = layout.score_choices(RUBRIC)
HALF_EMOJI = "\ud83d"
COVER = {"council_name": "Dacorum Borough Council"}

# Any code point, surrogates included, plus the strings senders (or attackers) actually type.
SPECIALS = [HALF_EMOJI, "\udfff", "\ufffe", "\uffff", "\x00", "\x0b", "\r", "\U0001f600"]
INJECTIONS = ["=cmd|' /C calc'!A0", "+SUM(1,1)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")', "\t=1", "_x0000_"]
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
any_text = st.one_of(
    st.text(st.one_of(any_char, st.sampled_from(SPECIALS)), max_size=40),
    st.sampled_from(INJECTIONS),
    st.builds("".join, st.lists(st.sampled_from(SPECIALS + INJECTIONS), max_size=4)),
)
# A file name of any bytes a POSIX file system accepts (not valid UTF-8, as unzipping a Windows zip gives).
name_bytes = st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_"))
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def template_bytes(template_path: Path) -> bytes:
    return template_path.read_bytes()


def all_strings(data: object):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from all_strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from all_strings(item)


def as_excel_reads(text: str) -> str:
    """``text`` once written as ``_xHHHH_`` escapes and read back: a high surrogate then a low one is one character."""
    return SURROGATE_PAIR.sub(lambda m: m[0].encode("utf-16-le", "surrogatepass").decode("utf-16-le"), text)


def assert_json_clean(output: str) -> dict:
    data = json.loads(output)
    assert all(clean_text(s)[1] == 0 for s in all_strings(data))
    return data


def assert_outputs_parse(out: Path, n_files: int) -> None:
    book = openpyxl.load_workbook(out / "summary.xlsx")
    assert "Ledger" in book.sheetnames
    ledger = list(csv.DictReader(io.StringIO((out / "files.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert len(ledger) == n_files
    responses = list(csv.reader(io.StringIO((out / "responses.csv").read_bytes().decode("utf-8-sig"), newline="")))
    used = sum(row["status"] in ("accepted", "accepted-with-warnings") for row in ledger)
    assert len(responses) == 1 + used * len(IDS)


def collect_folder(folder: Path, out: Path):
    return run(
        "collect",
        str(folder),
        "--out",
        str(out / "summary.xlsx"),
        "--csv",
        str(out / "responses.csv"),
        "--ledger",
        str(out / "files.csv"),
        "--workers",
        "1",
    )


def test_half_an_emoji_in_a_comment(tmp_path: Path, template_path: Path) -> None:
    """The reported case: ``_xD83D_`` in a comment took down ``validate --json`` and ``collect``."""
    returns = tmp_path / "returns"
    returns.mkdir()
    data = fill_text(template_bytes(template_path), {"EC1": "1 - Minimum"}, {"EC1": f"half {HALF_EMOJI} emoji"}, COVER)
    (returns / "return.xlsx").write_bytes(data)
    result = run("validate", "--json", str(returns))
    report = assert_json_clean(result.output)["files"][0]
    assert report["status"] == "accepted-with-warnings"
    removed = [(i["code"], i["sheet"], i["cell"]) for i in report["issues"] if i["code"] != "score-blank"]
    assert removed == [("control-characters-removed", "Engaging Councillors", "L5")]
    assert report["response"]["answers"][0]["comment"] == "half  emoji"
    out = tmp_path / "out"
    result = collect_folder(returns, out)
    assert result.exit_code == 0, result.output
    assert_outputs_parse(out, 1)


@settings(max_examples=30, deadline=None, suppress_health_check=HEALTH)
@given(
    comments=st.dictionaries(st.sampled_from(IDS), any_text, max_size=4),
    scores=st.dictionaries(st.sampled_from(IDS), st.one_of(st.sampled_from(CHOICES), any_text), max_size=3),
    cover=st.fixed_dictionaries({}, optional={name: any_text for name, _label in layout.COVER_FIELDS}),
    name=name_bytes,
)
def test_validate_json_holds_any_text(template_path: Path, comments, scores, cover, name: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / os.fsdecode(name + b".xlsx")
        path.write_bytes(fill_text(template_bytes(template_path), scores, comments, cover))
        result = run("validate", "--json", str(path))
        text_form = run("validate", str(path))
    assert result.exit_code in (0, 1), result.output
    report = assert_json_clean(result.output)["files"][0]
    assert report["status"] in ("accepted", "accepted-with-warnings", "rejected", "held")
    text_form.output.encode("utf-8")  # the terminal form is printable text too
    if report["response"]:
        read = {a["code_id"]: a["comment"] for a in report["response"]["answers"]}
        for code_id, comment in comments.items():
            if code_id in read:
                assert read[code_id] == clean_text(as_excel_reads(comment))[0].strip()


@settings(max_examples=6, deadline=None, suppress_health_check=HEALTH)
@example(returns=[(b"_", {}, "0\r0")])  # a bare CR split the CSV row when lines ended with LF alone
@given(
    returns=st.lists(
        st.tuples(name_bytes, st.dictionaries(st.sampled_from(IDS), any_text, max_size=3), any_text),
        min_size=1,
        max_size=3,
        unique_by=lambda r: r[0],
    )
)
def test_collect_writes_every_output_whatever_the_text(template_path: Path, returns) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "returns").mkdir()
        for name, comments, council in returns:
            scores = {code_id: "3 - Mature" for code_id in comments}
            data = fill_text(template_bytes(template_path), scores, comments, {"council_name": council})
            (root / "returns" / os.fsdecode(name + b".xlsx")).write_bytes(data)
        result = collect_folder(root / "returns", root / "out")
        assert result.exit_code == 0, result.output
        assert_outputs_parse(root / "out", len(returns))


def test_file_names_that_are_not_utf8(tmp_path: Path, template_path: Path) -> None:
    """A file name from a Windows zip (cp1252 bytes) is shown with \\xNN and never crashes an output."""
    returns = tmp_path / "returns"
    returns.mkdir()
    data = fill_text(template_bytes(template_path), {"EC1": "2 - Developing"}, {}, COVER)
    (returns / os.fsdecode(b"r\xe9ponse \x93Dacorum\x94.xlsx")).write_bytes(data)
    (returns / os.fsdecode(b"\xff\xfe.xlsx")).write_bytes(b"not a workbook")
    out = tmp_path / "out"
    result = collect_folder(returns, out)
    assert result.exit_code == 0, result.output
    assert_outputs_parse(out, 2)
    ledger = list(csv.DictReader(io.StringIO((out / "files.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert {Path(row["path"]).name for row in ledger} == {"r\\xe9ponse \\x93Dacorum\\x94.xlsx", "\\xff\\xfe.xlsx"}
    assert_json_clean(run("validate", "--json", str(returns)).output)


def test_sheet_names_and_identity_values_are_cleaned(tmp_path: Path, personalised_path: Path, monkeypatch) -> None:
    """Text that only a tampered or .xls file can hold in a sheet name or the identity record."""
    real = validate._interpret

    def tampered(book, *args):
        book.sheet("Engaging Councillors").name = f"Engaging {HALF_EMOJI}Councillors\ufffe"
        meta = book.sheet(layout.META_SHEET)
        for (row, col), cell in list(meta.cells.items()):
            if col == 1 and cell.value == "Dacorum Borough Council":
                meta.cells[(row, col)] = cell._replace(value=f"Dacorum{HALF_EMOJI} Borough Council")
        return real(book, *args)

    monkeypatch.setattr(validate, "_interpret", tampered)
    path = tmp_path / "return.xlsx"
    path.write_bytes(fill_text(personalised_path.read_bytes(), {"EC1": "xx\x07"}, {}, COVER))
    result = run("validate", "--json", str(path))
    report = assert_json_clean(result.output)["files"][0]
    assert report["response"]["identity"]["council_name"] == "Dacorum Borough Council"
    ec1 = report["response"]["answers"][0]
    assert ec1["sheet"] == "Engaging Councillors"
    invalid = [i for i in report["issues"] if i["code"] == "score-invalid"]
    assert [(i["sheet"], i["cell"], i["value"]) for i in invalid] == [("Engaging Councillors", "I5", "xx")]
    assert [i["cell"] for i in report["issues"] if i["code"] == "control-characters-removed"] == ["I5"]


@pytest.mark.parametrize("field", [name for name, _label in layout.COVER_FIELDS])
def test_cover_text_is_cleaned_at_its_cell(tmp_path: Path, template_path: Path, field: str) -> None:
    cover = dict(COVER)
    cover[field] = f"{cover.get(field, 'Ann')}{HALF_EMOJI}\x01"
    path = tmp_path / "return.xlsx"
    path.write_bytes(fill_text(template_bytes(template_path), {}, {}, cover))
    report = validate.read_return(path, RUBRIC)
    row = [name for name, _label in layout.COVER_FIELDS].index(field) + layout.COVER_FIRST_INPUT_ROW
    where = (layout.COVER_SHEET, a1.cell_ref(row, layout.COVER_INPUT_COL))
    removed = [(i.location.sheet, i.location.cell) for i in report.issues if i.code == "control-characters-removed"]
    assert removed == [where]
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")


def test_clean_text_removes_exactly_the_unsafe_ascii_characters() -> None:
    """Printable ASCII is returned as it is (without the regular expression); every other ASCII character is
    checked by it: tab, LF and CR kept, the other control characters removed."""
    kept = {0x09, 0x0A, 0x0D, *range(0x20, 0x80)}
    for code in range(0x80):
        text = f"a{chr(code)}b"
        assert clean_text(text) == ((text, 0) if code in kept else ("ab", 1)), code
