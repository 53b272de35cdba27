"""Rows written by :class:`RowWriter` are the cells xlsxwriter would write, and splice into a workbook."""

from __future__ import annotations

import io
import math
import re
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nps_xlsx.a1 import column_letter
from nps_xlsx.collect import rows as rows_module
from nps_xlsx.collect.rows import CELL_PADDING, RowWriter
from nps_xlsx.collect.xlsxwriter_internals import Splice, splice
from nps_xlsx.style import CHARS_PER_WIDTH_UNIT, MAX_ROW_HEIGHT, row_height, text_lines

cell_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def _xlsxwriter_cells(values: list[object]) -> str:
    """The ``<c>`` elements xlsxwriter's constant-memory mode writes for one row of ``values`` in row 2."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    fmt = book.add_format({"text_wrap": True})
    sheet = book.add_worksheet()
    for col, value in enumerate(values):
        if isinstance(value, str):
            sheet.write_string(1, col, value, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(1, col, value, fmt)
        elif value is not None:
            sheet.write_number(1, col, value, fmt)
    book.close()
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    row = re.search(r"<row [^>]*>(.*?)</row>", xml, re.S)
    return row[1] if row else ""


def _our_cells(values: list[object]) -> str:
    stream = io.StringIO()
    writer = RowWriter(stream, 1, [1] * len(values), [1] * len(values))
    writer.write(values)
    return re.fullmatch(r'<row r="2">(.*)</row>', stream.getvalue(), re.S)[1]  # type: ignore[index]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(cell_text, st.floats(allow_nan=False, allow_infinity=False), st.booleans()), max_size=6)
)
@example(values=["\x00\x1f_x0041_ <a & b>", "  lead", "trail\n", "\ufffe\uffff", "tab\tnew\nline"])
def test_cells_are_written_as_xlsxwriter_writes_them(values: list[object]) -> None:
    assert _our_cells(values) == _xlsxwriter_cells(values)


def test_blanks_are_skipped_and_numpy_numbers_are_numbers() -> None:
    frame = pd.DataFrame({"a": [1.5, None], "b": pd.array([3, None], dtype="Int64"), "c": ["x", math.nan]})
    rows = list(frame.astype(object).itertuples(index=False, name=None))
    stream = io.StringIO()
    writer = RowWriter(stream, 1, [4, 4, 4], [7, 7, 7])
    for row in rows:
        writer.write(row)
    assert stream.getvalue() == (
        '<row r="2"><c r="A2" s="7"><v>1.5</v></c><c r="B2" s="7"><v>3</v></c>'
        '<c r="C2" s="4" t="inlineStr"><is><t>x</t></is></c></row><row r="3"></row>'
    )
    assert (writer.rows, writer.last_row, writer.longest) == (2, 2, [0, 0, 1])


def _heights(rows: list[list[object]], wrap: list[float | None]) -> list[float | None]:
    """The height each row is written with (``None``: the default)."""
    stream = io.StringIO()
    writer = RowWriter(stream, 1, [1] * len(wrap), [1] * len(wrap), wrap)
    for row in rows:
        writer.write(row)
    tags = re.findall(r"<row ([^>]*)>", stream.getvalue())
    return [float(m[1]) if (m := re.search(r'ht="([^"]+)" customHeight="1"', tag)) else None for tag in tags]


def test_rows_with_wrapped_text_are_as_tall_as_its_lines() -> None:
    long, longer = "word " * 40, "word " * 80  # 200 and 400 characters in a column 40 wide
    heights = _heights(
        [["x", long], [long, "short"], ["x", longer], ["x", "one\ntwo\nthree"], ["x", long * 200]], [None, 40]
    )
    lines = [(long, 40 - CELL_PADDING)]
    assert heights[0] == row_height(lines, 11) > row_height([("one line", 40)], 11)
    assert heights[1] is None  # long text in a column that does not wrap, short text in one that does
    assert heights[2] > heights[0]
    assert heights[3] == row_height([("one\ntwo\nthree", 40)], 11)  # short, but three lines
    assert heights[4] == MAX_ROW_HEIGHT  # Excel's maximum


def test_the_tallest_wrapped_text_sets_the_height() -> None:
    short, long = "word " * 10, "word " * 60
    (height,) = _heights([[short, long, short]], [20, 20, 20])
    assert height == row_height([(long, 20 - CELL_PADDING)], 11)


def test_column_letters() -> None:
    assert [column_letter(c) for c in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_splice_inserts_rows_and_sets_the_dimension(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    first, second = book.add_worksheet("First"), book.add_worksheet("Second")
    first.write_string(0, 0, "kept")
    second.write_string(0, 0, "Name")
    second.write_string(0, 1, "Score")
    book.close()
    rows = tmp_path / "rows.xml"
    with rows.open("w", encoding="utf-8") as stream:
        writer = RowWriter(stream, 1, [0, 0], [0, 0])
        for index in range(1, 1001):
            writer.write([f"council {index} <&>", index])
    buffer.seek(0)
    out = tmp_path / "out.xlsx"
    splice(buffer, out, [Splice("xl/worksheets/sheet2.xml", rows, "A1:B1001")])
    result = openpyxl.load_workbook(out)
    assert result["First"]["A1"].value == "kept"
    sheet = result["Second"]
    assert sheet.dimensions == "A1:B1001"
    assert [c.value for c in sheet[1]] == ["Name", "Score"]
    assert [c.value for c in sheet[1001]] == ["council 1000 <&>", 1000]
    assert sheet.max_row == 1001
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None


def test_splice_refuses_a_missing_sheet(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet()
    book.close()
    buffer.seek(0)
    rows = tmp_path / "rows.xml"
    rows.write_text("")
    with pytest.raises(ValueError, match="sheet9"):
        splice(buffer, tmp_path / "out.xlsx", [Splice("xl/worksheets/sheet9.xml", rows, "A1:A1")])


prose = st.lists(st.text("abcdefghij", min_size=1, max_size=14), min_size=1, max_size=80).map(" ".join)
# paragraphs that start with a non-space (as text read from a return is stripped)
any_text = st.text(st.sampled_from("ab -\t\n"), max_size=300).map(
    lambda text: "\n".join(paragraph.lstrip() for paragraph in text.split("\n"))
)


@settings(max_examples=300, deadline=None)
@given(text=prose, width=st.integers(12, 90))
def test_line_estimate_wraps_prose_as_textwrap_does(text: str, width: int) -> None:
    """Words (each shorter than a line) and single spaces: one line per greedy line, as :mod:`textwrap` (and a
    spreadsheet) breaks them."""
    per_line = int(width * CHARS_PER_WIDTH_UNIT[11])
    assert text_lines(text, width, 11) == max(1, len(textwrap.wrap(text, per_line)))


@settings(max_examples=300, deadline=None)
@given(text=any_text, width=st.integers(1, 40))
@example(text="a" * 100, width=10)
@example(text="aa--aa", width=3)  # found by hypothesis: a long word breaks at its hyphens too
def test_line_estimate_is_never_fewer_than_textwraps(text: str, width: int) -> None:
    """Hyphens, runs of spaces, long words: never fewer lines than textwrap finds (a row is never too short)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH_UNIT[11]))
    wrapped = sum(max(1, len(textwrap.wrap(p, per_line, expand_tabs=False))) for p in text.split("\n"))
    assert text_lines(text, width, 11) >= wrapped


recurring = st.sampled_from(["", "a", "word " * 12, "x\ny", "<&> _x0041_", " lead ", "drop-down " * 5, "ab-" * 20])


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(recurring, st.integers(0, 5), st.none()), min_size=3, max_size=3), max_size=30))
@pytest.mark.parametrize("memo_size", [2, rows_module.MEMO_SIZE])
def test_repeated_columns_are_written_as_any_other(rows: list[list[object]], memo_size: int) -> None:
    """A column marked ``repeated`` (each distinct text escaped and measured once) is written exactly as it would be
    unmarked: cells, row heights and longest texts; also when it holds more distinct texts than are remembered."""
    written = []
    for repeated in ([False] * 3, [True, False, True], [True] * 3):
        stream = io.StringIO()
        writer = RowWriter(stream, 1, [1, 2, 3], [4, 5, 6], [20, None, 30], repeated=repeated)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(rows_module, "MEMO_SIZE", memo_size)
            for row in rows:
                writer.write(row)
        written.append((stream.getvalue(), writer.longest, writer.rows))
    assert written[1] == written[0] and written[2] == written[0]
    if any(isinstance(v, str) and len(v) > 30 for row in rows for v in row[::2]):
        assert "customHeight" in written[0][0]  # the longer texts above wrap in the columns that wrap


@given(text=st.text(st.sampled_from("ab -\n\t"), max_size=20), width=st.integers(1, 40))
def test_a_text_no_longer_than_a_line_takes_a_line_per_paragraph(text: str, width: int) -> None:
    per_line = max(1, int(width * CHARS_PER_WIDTH_UNIT[11]))
    wrapped = sum(max(1, len(textwrap.wrap(p, per_line, expand_tabs=False))) for p in text.split("\n"))
    if len(text) <= per_line:
        assert text_lines(text, width, 11) == text.count("\n") + 1 == wrapped
