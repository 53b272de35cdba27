"""The summary workbook as a person sees it: rows tall enough for their wrapped text, columns as wide as
their content, identifying columns frozen, number formats that fit, charts that leave the tables alone,
and a print setup per sheet."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect.sheets import LEGIBLE_SCALE, MAX_WIDTH, MIN_WIDTH, PAGE_PIXELS, PORTRAIT_PIXELS
from nps_xlsx.rubric import Rubric
from nps_xlsx.style import LINE_HEIGHT, MAX_ROW_HEIGHT, column_pixels, text_lines
from nps_xlsx.testing import Typed, fill_bytes, random_answers

LONG = (
    "We review this every year with the audit committee and the section 151 officer. " * 12
).strip()  # read returns strip text
HUGE = ("A comment pasted from a report, far longer than any row can show. " * 180).strip()  # over 409 pt
PARAGRAPHS = "First point.\n\nSecond point.\nThird point."  # short, but four lines
DEFAULT_HEIGHT = 15.0
TABLE_SHEETS = [
    "Overall distribution",
    "By key area",
    "By value code",
    "Score matrix",
    "Area averages",
    "Value code statistics",
    "Widest spread",
    "Comments",
    "Issues",
    "Ledger",
    "Chase list",
    "Needs review",
]


@pytest.fixture(scope="module")
def book(template_path: Path, rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    """The summary of three returns, one of them with long, very long and multi-paragraph comments."""
    root = tmp_path_factory.mktemp("layout")
    returns = root / "returns"
    returns.mkdir()
    template = template_path.read_bytes()
    names = ["Hartlepool Borough Council", "St Helens Metropolitan Borough Council", "Leeds City Council"]
    for n, name in enumerate(names):
        answers = random_answers(rubric, random.Random(n))
        if n == 1:
            answers.update(EC1=Typed("4 - Leader", LONG), EC2=Typed("Unscored", HUGE), EC3=Typed(None, PARAGRAPHS))
        (returns / f"r{n}.xlsx").write_bytes(fill_bytes(template, answers, {"council_name": name}))
    out = root / "summary.xlsx"
    result = CliRunner().invoke(main, ["collect", str(returns), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out)


def width(sheet, col: int) -> float:
    """Column ``col``'s width as set (a ``<col>`` element may span several columns), without Excel's padding."""
    spans = [d for d in sheet.column_dimensions.values() if d.min <= col <= d.max]
    assert len(spans) == 1, f"{sheet.title}: no width set for column {col}"
    return round(spans[0].width - 0.71, 2)  # xlsxwriter stores a width plus 0.71 (5 px of padding)


def test_every_wrapped_cell_has_the_height_its_lines_need(book: openpyxl.Workbook) -> None:
    """In every table, a row is at least as tall as its longest wrapped text needs (within Excel's 409 pt)."""
    checked = 0
    for name in TABLE_SHEETS:
        sheet = book[name]
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                    continue
                lines = text_lines(cell.value, width(sheet, cell.column), 11)
                needed = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT[11])
                height = sheet.row_dimensions[cell.row].height or DEFAULT_HEIGHT
                assert height >= needed, f"{name}!{cell.coordinate}: {height} pt for {lines} lines"
                checked += lines > 1
    assert checked > 10  # the long comments, multi-line issues


def test_long_comments_get_tall_rows_and_the_longest_excels_maximum(book: openpyxl.Workbook) -> None:
    sheet = book["Comments"]
    rows = {cell.value: cell.row for cell in sheet["F"][1:]}
    comment_width = width(sheet, 6)
    long_lines = text_lines(LONG, comment_width, 11)
    assert long_lines >= 10
    assert sheet.row_dimensions[rows[LONG]].height >= long_lines * LINE_HEIGHT[11]
    assert sheet.row_dimensions[rows[HUGE]].height == MAX_ROW_HEIGHT
    assert sheet.row_dimensions[rows[PARAGRAPHS]].height >= 4 * LINE_HEIGHT[11]
    assert all(sheet[f"F{r}"].alignment.wrap_text for r in rows.values())


def test_column_widths_follow_the_content(book: openpyxl.Workbook) -> None:
    for name in TABLE_SHEETS:
        sheet = book[name]
        for col in range(1, sheet.max_column + 1):
            wrapped = sheet.cell(2, col).alignment.wrap_text  # long text wraps, in at most 70 (Comments)
            assert MIN_WIDTH <= width(sheet, col) <= (70 if wrapped else MAX_WIDTH), (name, col)
    comments = book["Comments"]
    headers = [c.value for c in comments[1]]
    by_header = {h: width(comments, i) for i, h in enumerate(headers, start=1)}
    assert by_header["ID"] < by_header["Level"] < by_header["Comment"]
    matrix = book["Score matrix"]
    codes = [c.value for c in matrix["B"][1:]]
    assert width(matrix, 2) >= max(len(c) for c in codes) + 1  # codes in full, not "E06000C"
    assert all(width(matrix, col) <= 8 for col in range(3, matrix.max_column + 1))  # 59 value codes stay narrow


def test_headers_and_identifying_columns_are_frozen(book: openpyxl.Workbook) -> None:
    frozen = {name: book[name].freeze_panes for name in TABLE_SHEETS}
    assert frozen == {
        "Overall distribution": "B2",
        "By key area": "B2",
        "By value code": "C2",  # ID and name
        "Score matrix": "C2",  # council and code
        "Area averages": "B2",
        "Value code statistics": "C2",  # ID and name
        "Widest spread": "D2",  # rank, ID and name
        "Comments": "C2",  # council and ID
        "Issues": "B2",
        "Ledger": "B2",
        "Chase list": "C2",  # code and council
        "Needs review": "B2",
    }


def test_number_formats_fit_the_figures(book: openpyxl.Workbook) -> None:
    averages = book["Area averages"]
    headers = [c.value for c in averages[1]]
    formats = {h: {c.number_format for c in col[1:]} for h, col in zip(headers, averages.iter_cols(), strict=True)}
    assert formats["Mean"] == {"0.00"} and formats["Median"] == {"0.0"} and formats["n"] == {"0"}
    matrix = book["Score matrix"]
    cells = [c for row in matrix.iter_rows(min_row=2, min_col=3) for c in row if c.value not in (None, "")]
    assert {type(c.value) for c in cells} == {int, str}  # scores and "U"
    assert {c.alignment.horizontal for c in cells} == {"center"}  # "U" lines up with the numbers


def _chart(sheet):
    (chart,) = sheet._charts
    return chart


def test_stacked_charts_compare_shares_and_leave_the_tables_alone(book: openpyxl.Workbook, rubric: Rubric) -> None:
    by_area = book["By key area"]
    chart = _chart(by_area)
    assert chart.grouping == "percentStacked"
    assert chart.anchor._from.row >= by_area.max_row  # below the table, not beside it
    assert not book["By value code"]._charts  # its 59-row table keeps the page to itself
    codes = _chart(book["By value code (chart)"])
    assert codes.grouping == "percentStacked"
    rows = codes.anchor.to.row - codes.anchor._from.row
    assert rows * 20 >= len(rubric.value_codes) * 14  # at least 14 px a bar (default rows are 20 px)


def test_print_setup(book: openpyxl.Workbook) -> None:
    for name in TABLE_SHEETS:
        sheet = book[name]
        setup = sheet.page_setup
        assert sheet.print_title_rows == "$1:$1", name
        one_page = name in ("Overall distribution", "By key area")  # a short table and its chart
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert setup.fitToHeight in ((None, 1) if one_page else (0,)), name
        across = int(setup.fitToWidth or 1)
        page = PORTRAIT_PIXELS if setup.orientation == "portrait" else PAGE_PIXELS
        pixels = sum(column_pixels(width(sheet, col)) for col in range(1, sheet.max_column + 1))
        assert page * across / pixels >= LEGIBLE_SCALE, name  # the text is printed legibly
        if across > 1:  # each page across shows which row it is
            frozen = sheet.freeze_panes[0]
            assert sheet.print_title_cols == f"$A:${chr(ord(frozen) - 1)}", name
    assert book["Comments"].page_setup.orientation == "landscape"
    assert int(book["Comments"].page_setup.fitToWidth or 1) == 1  # one page wide, wrapped, not shrunk
    assert int(book["Score matrix"].page_setup.fitToWidth) > 1  # 59 columns: several pages across
    assert book["Area averages"].page_setup.orientation == "portrait"
    chart = book["By value code (chart)"]
    assert chart.page_setup.orientation == "portrait" and chart.page_setup.fitToHeight in (None, 1)
