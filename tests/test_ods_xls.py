"""The .ods and .xls readers on odd and hostile files: bounded repeats and text, LibreOffice's own forms
(empty-string formula results, times, range names, encryption), and legacy .xls checked before xlrd parses.

Files are built in code (:mod:`tests.hostile_legacy`); the real-client tests make theirs with LibreOffice.
Caps are hit with small :class:`Limits`; time and memory are measured by bench/, not here.
"""

from __future__ import annotations

import struct
import zipfile
from datetime import datetime, time
from pathlib import Path

import pytest

from nps_xlsx.read.ods import ANSWER_COLUMNS, ANSWER_ROWS, TEXT_LIMIT, parse_ods_range, read_ods
from nps_xlsx.read.raw import EPOCH_1900, EPOCH_1904, RawCell, ReadFailure
from nps_xlsx.read.safety import Budget, Limits, Package
from nps_xlsx.read.xls import read_xls
from nps_xlsx.read.xlsx import _CellMaker
from nps_xlsx.rubric import Rubric
from nps_xlsx.validate.check import FileReport, read_return

from . import hostile_legacy as hl
from .clients import run_program, soffice_convert
from .conftest import require_program


def ods_book(path: Path, limits: Limits | None = None, budget: Budget | None = None):
    with zipfile.ZipFile(path) as archive:
        return read_ods(Package(archive, limits or Limits(), budget))


def ods_failure(path: Path, limits: Limits) -> ReadFailure:
    with pytest.raises(ReadFailure) as caught:
        ods_book(path, limits)
    return caught.value


def only_error(report: FileReport) -> str:
    """The code of the report's one issue, which must be a file-level error saying how to fix it."""
    assert report.status == "rejected"
    assert len(report.issues) == 1, [i.message for i in report.issues]
    issue = report.issues[0]
    assert issue.severity == "error" and issue.location.sheet is None
    assert not any(word in issue.message for word in ("Traceback", "Error", "struct", "unpack", "()"))
    return issue.code


# --- 1: .ods repeats and text are bounded ---------------------------------------------------------------------


def test_identical_neighbours_and_repeated_rows_are_all_read(tmp_path: Path) -> None:
    """LibreOffice writes two councils' identical scores, and identical rows, as one repeated element."""
    rows = hl.ods_row(hl.ods_cell("ID") + hl.ods_cell("3 - Mature", 2)) + hl.ods_row(hl.ods_cell("x", 3), 2)
    rows += hl.ods_row("<table:table-cell/>", 50) + hl.ods_row(hl.ods_cell("last"))
    cells = ods_book(hl.make_ods(tmp_path, hl.ods_table("S", rows))).sheets[0].cells
    assert cells[(0, 1)] == cells[(0, 2)] == RawCell("3 - Mature", "text")
    assert {(r, c) for r in (1, 2) for c in range(3)} <= cells.keys()
    assert cells[(53, 0)].value == "last" and len(cells) == 3 + 6 + 1


def test_repeats_are_kept_only_inside_the_answer_area(tmp_path: Path) -> None:
    """A cell repeated across every column and a row repeated to the last row keep only their copies inside
    the answer area; a run starting outside it keeps its first cell, as an explicit cell would be kept."""
    rows = hl.ods_row(hl.ods_cell("x", 16_384), 1_048_576)
    rows += hl.ods_row('<table:table-cell table:number-columns-repeated="100"/>' + hl.ods_cell("far", 10**9))
    cells = ods_book(hl.make_ods(tmp_path, hl.ods_table("S", rows)), Limits()).sheets[0].cells
    assert len(cells) == ANSWER_COLUMNS * ANSWER_ROWS + 1
    assert max(r for r, _c in cells if r < 1_048_576) == ANSWER_ROWS - 1 and (1_048_576, 100) in cells
    assert max(c for r, c in cells if r < ANSWER_ROWS) == ANSWER_COLUMNS - 1


@pytest.mark.parametrize(
    ("limits", "sheets", "columns", "rows"),
    [
        (Limits(max_cells_per_sheet=100), 1, 11, 10),  # 110 cells on one sheet
        (Limits(max_cells_per_workbook=150), 2, 10, 10),  # 100 cells on each of two sheets
        (Limits(max_cells_per_sheet=100), 1, 51, 2),  # 51 columns, 2 rows
    ],
)
def test_repeats_over_the_caps_are_refused(
    tmp_path: Path, limits: Limits, sheets: int, columns: int, rows: int
) -> None:
    path = hl.make_ods_repeat_bomb(tmp_path, sheets=sheets, columns=columns, rows=rows)
    assert ods_failure(path, limits).code == "too-many-cells"
    just_under = hl.make_ods_repeat_bomb(tmp_path, sheets=1, columns=10, rows=10)
    assert len(ods_book(just_under, Limits(max_cells_per_sheet=100)).sheets[0].cells) == 100


def test_a_row_of_explicit_cells_over_the_cap_is_refused_while_it_is_read(tmp_path: Path) -> None:
    path = hl.make_ods(tmp_path, hl.ods_table("S", hl.ods_row(hl.ods_cell("x") * 101)))
    assert ods_failure(path, Limits(max_cells_per_sheet=100)).code == "too-many-cells"


def test_a_tiny_repeat_bomb_is_rejected_as_too_many_cells(rubric: Rubric, tmp_path: Path) -> None:
    """A kilobyte meaning 8 million cells: 40 sheets, each under the sheet cap, over the workbook's."""
    path = hl.make_ods_repeat_bomb(tmp_path)
    assert path.stat().st_size < 2_000
    assert only_error(read_return(path, rubric)) == "too-many-cells"


def test_repeated_spaces_stop_at_a_cells_length(tmp_path: Path) -> None:
    """``<text:s text:c="100000000"/>`` is not expanded past what makes the cell too long for a cell."""
    cells = ods_book(hl.make_ods_space_bomb(tmp_path, cells=3)).sheets[0].cells
    assert len(cells) == 3
    for cell in cells.values():
        assert len(cell.value) == TEXT_LIMIT + 1 and cell.value.startswith("a ") and cell.value.endswith(" b")


def test_expanded_spaces_are_charged_to_the_budget(tmp_path: Path) -> None:
    path = hl.make_ods_space_bomb(tmp_path, cells=30)
    assert ods_failure(path, Limits(max_total_bytes=10 * TEXT_LIMIT)).code == "zip-bomb"


def test_every_part_is_read_once_through_the_files_budget(tmp_path: Path) -> None:
    """The manifest, content.xml and meta.xml are inflated once each and charged to the file's one budget,
    so parts that each fit the per-part limit are refused together over the file's total."""
    table = hl.ods_table("S", hl.ods_row(hl.ods_cell("x")))
    path = hl.make_ods(tmp_path, table, properties={"council_code": "E07000096", "padding": "p" * 5_000})
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        package = Package(archive, Limits())
        book = read_ods(package)
        assert book.properties["council_code"] == "E07000096"
        assert package.budget.inflated == sizes["META-INF/manifest.xml"] + sizes["content.xml"] + sizes["meta.xml"]
    total = sizes["META-INF/manifest.xml"] + sizes["content.xml"] + sizes["meta.xml"] // 2
    assert ods_failure(path, Limits(max_total_bytes=total)).code == "zip-bomb"
    assert ods_book(path, Limits(max_total_bytes=total + sizes["meta.xml"])).properties == book.properties


def test_markup_beyond_any_workbook_within_the_caps_is_refused_before_parsing(tmp_path: Path) -> None:
    """Empty styled cells keep nothing but cost time: more tags than the cell cap allows is refused."""
    row = hl.ods_row('<table:table-cell table:style-name="a"/>' * 300)
    path = hl.make_ods(tmp_path, hl.ods_table("S", row))
    assert ods_failure(path, Limits(max_cells_per_workbook=100)).code == "too-many-cells"
    assert ods_book(path, Limits(max_cells_per_workbook=1_000)).sheets[0].cells == {}


@pytest.mark.parametrize("count", ["99999999999999999999999999", "-3", "x", "²", "0"])
def test_odd_repeat_counts_are_read_without_failing(tmp_path: Path, count: str) -> None:
    row = f'<table:table-row><table:table-cell table:number-columns-repeated="{count}"/>{hl.ods_cell("v")}'
    row += "</table:table-row>"
    cells = ods_book(hl.make_ods(tmp_path, hl.ods_table("S", row))).sheets[0].cells
    assert [value.value for value in cells.values()] == ["v"]


# --- 2: a formula whose result is "" -----------------------------------------------------------------------------

FORMULA = 'table:formula="of:=&quot;&quot;"'


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (f"<table:table-cell {FORMULA}><text:p/></table:table-cell>", RawCell("", "text", True)),  # LibreOffice 7
        (f'<table:table-cell {FORMULA} calcext:value-type="string"/>', RawCell("", "text", True)),
        (f'<table:table-cell {FORMULA} office:value-type="string" office:string-value=""/>', RawCell("", "text", True)),
        (f"<table:table-cell {FORMULA}/>", RawCell(None, "uncached", True)),  # no result at all
    ],
)
def test_empty_string_formula_result_is_blank_text(tmp_path: Path, cell: str, expected: RawCell) -> None:
    path = hl.make_ods(tmp_path, hl.ods_table("S", hl.ods_row(cell)))
    assert ods_book(path).sheets[0].cells == {(0, 0): expected}


# --- 3: encryption -----------------------------------------------------------------------------------------------


def test_encrypted_ods_is_reported_as_encrypted(rubric: Rubric, tmp_path: Path) -> None:
    path = hl.make_ods(tmp_path, "", "locked.ods", encrypted=True)
    assert only_error(read_return(path, rubric)) == "encrypted"


# --- 4: named ranges ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "target"),
    [
        ("$Sheet1.$I$4", ("Sheet1", 3, 8)),
        ("$'My sheet'.$I$4", ("My sheet", 3, 8)),
        ("$'My.sheet''s'.$C$1", ("My.sheet's", 0, 2)),
        ("'a:b'.B2", ("a:b", 1, 1)),
        ("$Sheet1.$A$1:.$B$3", None),  # a range is not a cell
        ("$'My sheet'.$A$1:$'My sheet'.$A$1", ("My sheet", 0, 0)),  # one cell written as a range
        ("$Sheet1.$A$1:$Other.$A$1", None),
        ("$Sheet1", None),
        ("$'unclosed.$A$1", None),
        ("", None),
    ],
)
def test_ods_range_addresses(address: str, target: tuple[str, int, int] | None) -> None:
    assert parse_ods_range(address) == target


def test_named_ranges_in_a_file(tmp_path: Path) -> None:
    names = (
        '<table:named-expressions><table:named-range table:name="one" '
        "table:cell-range-address=\"$'My.sheet''s'.$C$1\"/>"
        '<table:named-range table:name="Rng" table:cell-range-address="$Sheet1.$A$1:.$B$3"/></table:named-expressions>'
    )
    path = hl.make_ods(tmp_path, hl.ods_table("My.sheet's", hl.ods_row(hl.ods_cell("x"))), extra=names)
    assert ods_book(path).names == {"one": ("My.sheet's", 0, 2)}


# --- 5: times and dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "value"),
    [
        ('office:value-type="time" office:time-value="PT12H30M00S"', datetime(1899, 12, 30, 12, 30)),
        # a duration over a day runs on as an Excel serial (1.5 days is 1900-01-01 12:00), as in the .xlsx reader
        ('office:value-type="time" office:time-value="PT36H00M00.5S"', datetime(1900, 1, 1, 12, 0, 0, 500000)),
        ('office:value-type="time" office:time-value="-PT12H"', datetime(1899, 12, 29, 12)),
        ('office:value-type="date" office:date-value="2026-01-15T12:30:15"', datetime(2026, 1, 15, 12, 30, 15)),
        (
            'office:value-type="date" office:date-value="2026-01-15T12:30:15.123456789"',
            datetime(2026, 1, 15, 12, 30, 15, 123456),
        ),
        ('office:value-type="date" office:date-value="2026-01-15"', datetime(2026, 1, 15)),
        ('office:value-type="date" office:date-value="2026-02-30"', "shown"),  # not a date: its display text
        ('office:value-type="time" office:time-value="PT"', "shown"),
        ('office:value-type="time" office:time-value="P99999999999999999999D"', "shown"),
        ('office:value-type="float" office:value="1_000"', "shown"),  # not an xsd:double
    ],
)
def test_times_and_dates_are_read_as_values(tmp_path: Path, attrs: str, value: object) -> None:
    path = hl.make_ods(tmp_path, hl.ods_table("S", hl.ods_row(hl.ods_cell("shown", attrs=attrs))))
    cell = ods_book(path).sheets[0].cells[(0, 0)]
    assert cell == (RawCell(value, "text") if value == "shown" else RawCell(value, "date"))


DURATIONS = {"PT0S": 0, "PT6H": 0.25, "PT23H59M59S": 86399 / 86400, "PT24H": 1, "PT255H10M10S": 10 + 54610 / 86400}
DURATIONS |= {"P59DT18H": 59.75, "P60D": 60, "P61DT12H": 61.5, "-PT12H": -0.5, "-P1DT6H": -1.25}


@pytest.mark.parametrize(("duration", "days"), DURATIONS.items())
def test_ods_durations_read_as_the_xlsx_reader_reads_the_same_serial(duration: str, days: float) -> None:
    """One rule for every format: an .ods duration is the date-time the .xlsx reader gives an Excel serial of
    as many days (a time of day on 1899-12-30; later days counted as Excel counts them, with 29 February 1900)."""
    from nps_xlsx.read.ods import parse_ods_time

    assert parse_ods_time(duration) == _CellMaker([], frozenset({1}), EPOCH_1900)("n", 1, False, repr(days)).value


# --- 6, 7: .xls ---------------------------------------------------------------------------------------------------


def xls_failure(data: bytes, limits: Limits) -> ReadFailure:
    with pytest.raises(ReadFailure) as caught:
        book = read_xls(data, limits)
        for sheet in book.sheets:
            sheet.cells  # noqa: B018 - sheets are read on first use
    return caught.value


def test_xls_reads_cells_and_one_cell_names(tmp_path: Path) -> None:
    path = hl.make_xls(tmp_path, [("Cover", [hl.label_record(0, 0, 0), hl.number_record(1, 1, 3.0)])], ["hello"])
    book = read_xls(path.read_bytes(), Limits())
    assert book.sheets[0].cells == {(0, 0): RawCell("hello", "text"), (1, 1): RawCell(3.0, "number")}


XLS_SERIALS = [0, 0.25, 0.999999, 1, 28, 59, 59.75, 60, 61, 366, 45000.5, 2958465.99, 2958466, -1, -0.5]


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_xls_dates_read_as_the_xlsx_reader_reads_them(tmp_path: Path, date1904: bool) -> None:
    """One serial-to-date rule for every format: a time of day on TIME_OF_DAY (xlrd's own rule puts it on
    1899-12-31, or 1904-01-01), Excel's fictitious 29 February 1900, the 1904 system; beyond 9999, the number."""
    cells = [hl.number_record(0, i, serial, hl.DATE_XF) for i, serial in enumerate(XLS_SERIALS)]
    path = hl.make_xls(tmp_path, [("Dates", cells)], date1904=date1904)
    read = read_xls(path.read_bytes(), Limits()).sheets[0].cells
    maker = _CellMaker([], frozenset({1}), EPOCH_1904 if date1904 else EPOCH_1900)
    assert read == {(0, i): maker("n", 1, False, repr(serial)) for i, serial in enumerate(XLS_SERIALS)}
    assert read[(0, 1)] == RawCell(datetime(1899, 12, 30, 6), "date")
    assert read[(0, 3)] == RawCell(datetime(1904, 1, 2) if date1904 else datetime(1900, 1, 1), "date")
    assert read[(0, 12)] == RawCell(2958466.0, "number")


def test_xls_sheets_are_parsed_only_when_used(tmp_path: Path) -> None:
    """A sheet the validator never looks at is never parsed, however big."""
    big = [hl.number_record(i // 200, i % 200, 1.0) for i in range(1_000)]
    path = hl.make_xls(tmp_path, [("Small", [hl.number_record(0, 0, 1.0)]), ("Big", big)])
    limits = Limits(max_cells_per_sheet=100)
    book = read_xls(path.read_bytes(), limits)
    assert len(book.sheets[0].cells) == 1
    with pytest.raises(ReadFailure) as caught:
        book.sheets[1].cells  # noqa: B018
    assert caught.value.code == "too-many-cells" and "'Big'" in caught.value.detail


@pytest.mark.parametrize(
    ("sheets", "limits"),
    [
        ([101], Limits(max_cells_per_sheet=100)),
        ([80, 80], Limits(max_cells_per_workbook=150)),
    ],
)
def test_xls_over_the_caps_is_refused_before_xlrd_parses_the_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheets: list[int], limits: Limits
) -> None:
    import xlrd.sheet

    parsed: list[str] = []
    real_read = xlrd.sheet.Sheet.read
    monkeypatch.setattr(xlrd.sheet.Sheet, "read", lambda self, bk: parsed.append(self.name) or real_read(self, bk))
    records = [[hl.number_record(i // 50, i % 50, 1.0) for i in range(n)] for n in sheets]
    path = hl.make_xls(tmp_path, [(f"S{i}", r) for i, r in enumerate(records)])
    assert xls_failure(path.read_bytes(), limits).code == "too-many-cells"
    assert parsed == [f"S{i}" for i in range(len(sheets) - 1)]  # the refused sheet was never parsed


def test_xls_with_too_many_records_is_refused(tmp_path: Path) -> None:
    blanks = [hl.biff_record(0x0201, struct.pack("<HHH", i // 50, i % 50, 0)) for i in range(300)]
    path = hl.make_xls(tmp_path, [("S", blanks)])
    assert xls_failure(path.read_bytes(), Limits(max_cells_per_sheet=100)).code == "too-many-cells"


def test_xls_text_table_larger_than_the_cell_cap_is_refused(tmp_path: Path) -> None:
    path = hl.make_xls_big_text_table(tmp_path, strings=200, length=5)
    assert xls_failure(path.read_bytes(), Limits(max_cells_per_workbook=100)).code == "too-many-cells"


COVER = [hl.label_record(0, 0, 0)] + [hl.number_record(1, i, 1.0) for i in range(300)]


def _stream_damage(damage):
    """Damage the BIFF stream itself, then wrap it in a sound compound file."""
    return lambda: hl.ole_file(damage(hl.biff_workbook([("Cover", COVER)], ["NPS"])))


def _file_damage(damage):
    return lambda: damage(hl.ole_file(hl.biff_workbook([("Cover", COVER)], ["NPS"])))


DAMAGED_XLS = {
    # each of these made the old reader show Python internals (AssertionError, struct.error, CompDocError)
    "stream-cut-short": (_stream_damage(lambda s: s[:-10]), "corrupt-file"),
    "cell-record-too-short": (
        _stream_damage(lambda s: s.replace(hl.number_record(1, 5, 1.0), hl.biff_record(0x0203, b"\x01\x00"))),
        "corrupt-file",
    ),
    "text-table-count-wrong": (
        _stream_damage(lambda s: s.replace(struct.pack("<II", 1, 1), struct.pack("<II", 5, 5), 1)),
        "corrupt-file",
    ),
    "directory-out-of-range": (
        _file_damage(lambda d: d[:48] + struct.pack("<I", 0xFFFFFFF0) + d[52:]),
        "corrupt-file",
    ),
    "file-cut-short": (_file_damage(lambda d: d[:1536]), "corrupt-file"),
    "no-workbook-stream": (
        _file_damage(lambda d: d.replace("Workbook".encode("utf-16-le"), "Document".encode("utf-16-le"))),
        "not-a-spreadsheet",
    ),
}


@pytest.mark.parametrize("case", DAMAGED_XLS)
def test_damaged_xls_is_reported_in_plain_words(rubric: Rubric, tmp_path: Path, case: str) -> None:
    build, code = DAMAGED_XLS[case]
    path = tmp_path / f"{case}.xls"
    path.write_bytes(build())
    report = read_return(path, rubric)
    assert only_error(report) == code
    if code == "corrupt-file":
        assert "Excel or LibreOffice" in report.issues[0].message and ".xlsx" in report.issues[0].message


# --- real LibreOffice files ------------------------------------------------------------------------------------


def _macro_profile(tmp_path: Path) -> Path:
    """A private LibreOffice profile whose Standard library has a macro that saves a file with a password."""
    profile = tmp_path / "profile"
    soffice_convert(hl.make_ods(tmp_path, hl.ods_table("S", "")), "csv", tmp_path / "warmup", profile)
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
        '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        'script:language="StarBasic">\n'
        "Sub SaveEncrypted(source As String, target As String)\n"
        "  Dim load(0) As New com.sun.star.beans.PropertyValue\n"
        '  load(0).Name = "Hidden" : load(0).Value = True\n'
        '  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, load())\n'
        "  Dim store(1) As New com.sun.star.beans.PropertyValue\n"
        '  store(0).Name = "FilterName" : store(0).Value = "calc8"\n'
        '  store(1).Name = "Password" : store(1).Value = "secret"\n'
        "  doc.storeToURL(ConvertToURL(target), store())\n"
        "  doc.close(True)\n"
        "End Sub\n"
        "</script:module>\n"
    )
    return profile


@pytest.mark.real_client
def test_real_libreoffice_encrypted_ods(rubric: Rubric, tmp_path: Path) -> None:
    soffice = require_program("soffice")
    profile = _macro_profile(tmp_path)
    source = hl.make_ods(tmp_path, hl.ods_table("S", hl.ods_row(hl.ods_cell("x"))), "plain.ods")
    target = tmp_path / "locked.ods"
    macro = f'macro:///Standard.Module1.SaveEncrypted("{source}","{target}")'
    run_program(
        [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore", macro], "LO"
    )
    with zipfile.ZipFile(target) as archive:
        assert b"encryption-data" in archive.read("META-INF/manifest.xml")
    assert only_error(read_return(target, rubric)) == "encrypted"


@pytest.mark.real_client
def test_real_libreoffice_empty_string_formula(tmp_path: Path) -> None:
    """LibreOffice calculates ``=""`` on import and writes it with no value type, only an empty paragraph."""
    source = tmp_path / "formulas.csv"
    source.write_text('="",=1+1\n')
    path = soffice_convert(source, "ods", tmp_path / "out", tmp_path / "profile")
    with zipfile.ZipFile(path) as archive:
        assert b'<table:table-cell table:formula="of:=&quot;&quot;"><text:p/>' in archive.read("content.xml")
    cells = ods_book(path).sheets[0].cells
    assert cells == {(0, 0): RawCell("", "text", True), (0, 1): RawCell(2.0, "number", True)}


@pytest.mark.real_client
def test_real_libreoffice_times_dates_and_range_names(tmp_path: Path) -> None:
    """Times, date-times and a multi-cell named range as LibreOffice writes them in .ods."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "My.sheet's"
    sheet["A1"], sheet["A2"], sheet["B1"] = time(12, 30), datetime(2026, 1, 15, 12, 30, 15), 3
    workbook.defined_names["area"] = DefinedName("area", attr_text="'My.sheet''s'!$A$1:$B$3")
    workbook.defined_names["one"] = DefinedName("one", attr_text="'My.sheet''s'!$B$1")
    workbook.save(tmp_path / "times.xlsx")
    path = soffice_convert(tmp_path / "times.xlsx", "ods", tmp_path / "out", tmp_path / "profile")
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml")
    assert b'office:time-value="PT12H30M00S"' in content and b"$A$1:.$B$3" in content
    book = ods_book(path)
    cells = book.sheets[0].cells
    assert cells[(0, 0)] == RawCell(datetime(1899, 12, 30, 12, 30), "date")
    assert cells[(1, 0)] == RawCell(datetime(2026, 1, 15, 12, 30, 15), "date")
    assert book.names == {"one": ("My.sheet's", 0, 1)}


@pytest.mark.real_client
def test_real_libreoffice_xls_of_many_cells_is_refused_before_parsing(tmp_path: Path) -> None:
    """LibreOffice's own .xls (SST, MULRK, DBCELL records...) is walked and refused over a small cap."""
    source = tmp_path / "many.csv"
    source.write_text("\n".join(",".join(str(r * 20 + c) for c in range(20)) for r in range(30)) + "\n")
    path = soffice_convert(source, "xls", tmp_path / "out", tmp_path / "profile")
    assert len(read_xls(path.read_bytes(), Limits()).sheets[0].cells) == 600
    assert xls_failure(path.read_bytes(), Limits(max_cells_per_sheet=500)).code == "too-many-cells"
