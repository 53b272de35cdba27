"""The cell level of the .xlsx reader: escapes, numbers, odd values, dates, and the fast path's reach.

Every workbook here is built in code: a minimal package whose one sheet, string table and styles are
given as XML, so each case is exactly the bytes a writer (or a careless or hostile sender) produces.
"""

from __future__ import annotations

import math
import random
import zipfile
from datetime import datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel

from nps_xlsx.read import xlsx as reader_xlsx
from nps_xlsx.read import xlsx_scan
from nps_xlsx.read.raw import TIME_OF_DAY, RawCell, RawWorkbook, parse_double
from nps_xlsx.read.safety import Limits, Package
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, _patch_cells, fill_bytes, random_answers
from nps_xlsx.validate.check import read_return

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
FIRST_AREA_SHEET = "xl/worksheets/sheet2.xml"  # Engaging Councillors: EC1's score is I4, its comment J4
# A date style (numFmtId 14) at index 1, a time style (numFmtId 21) at index 2.
STYLES = (
    f'<styleSheet xmlns="{NS}"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
    '<xf numFmtId="21" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


def _part(xml: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml).encode()
    return ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n' + xml).encode("utf-16")


def make_workbook(path: Path, rows: str, strings: list[str] | None = None, encoding: str = "utf-8") -> Path:
    """A one-sheet workbook: ``rows`` is the content of ``<sheetData>``; ``strings`` the raw ``<si>`` items."""
    rels = [f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>']
    rels.append(f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>')
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>',
    }
    if strings is not None:
        rels.append(f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{NS}" count="{len(strings)}">{"".join(strings)}</sst>'
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, _part(xml, encoding if "sheet" in name or "sharedStrings" in name else "utf-8"))
    return path


def read_book(path: Path) -> RawWorkbook:
    with zipfile.ZipFile(path) as archive:
        return reader_xlsx.read_xlsx(Package(archive, Limits()))


def cells_of(path: Path) -> dict[tuple[int, int], RawCell]:
    return read_book(path).sheets[0].cells


def snapshot(book: RawWorkbook) -> tuple:
    """Everything a RawWorkbook holds, every sheet's cells included (in their order: the validator takes the first
    of two cells that say the same), in a comparable form."""
    sheets = [(s.name, s.state, list(s.cells.items())) for s in book.sheets]
    return book.format, sheets, book.names, book.properties, book.has_macros


def same(a: object, b: object) -> bool:
    """Equal, NaN included (a NaN cell is equal to itself here)."""
    return repr(a) == repr(b)


# --- 1. one decoding of _xHHHH_ ---------------------------------------------------------------------------------

ESCAPE_CASES = [
    ("line_x000D_break", "line\rbreak"),  # Excel's CR of text pasted from Word or Outlook
    ("a_x000d_b", "a\rb"),  # lower-case hex
    ("_x005F_x000D_", "_x000D_"),  # an escaped underscore: the literal text _x000D_
    ("_x005f_", "_"),
    ("x_x0041__x0042_y", "xABy"),
    ("_xD83D_", "\ud83d"),  # half an emoji: kept as the file says (cleaned later, by the validator)
    ("_xD83D__xDE00_", "\U0001f600"),  # a surrogate pair: one character, as Excel shows it
    ("_x12_ _xZZZZ_ _x00041_", "_x12_ _xZZZZ_ _x00041_"),  # malformed: literal
    ("no escape_x", "no escape_x"),
]
FORMS = {
    "shared": ('<c r="A1" t="s"><v>0</v></c>', lambda t: f"<si><t>{t}</t></si>"),
    "shared-rich": (
        '<c r="A1" t="s"><v>0</v></c>',
        lambda t: f"<si><r><rPr><b/></rPr><t>{t}</t></r><r><t>!</t></r></si>",
    ),
    "shared-pretty": ('<c r="A1" t="s">\n <v>0</v>\n</c>', lambda t: f"<si>\n  <t>{t}</t>\n</si>"),
    "inline": (None, lambda t: f'<c r="A1" t="inlineStr"><is><t>{t}</t></is></c>'),
    "inline-rich": (None, lambda t: f'<c r="A1" t="inlineStr"><is><r><t>{t}</t></r><r><t>!</t></r></is></c>'),
    "formula-str": (None, lambda t: f'<c r="A1" t="str"><f>A2</f><v>{t}</v></c>'),
}


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "expat"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("raw, expected", ESCAPE_CASES)
def test_escapes_decode_the_same_on_every_path(
    raw: str, expected: str, form: str, encoding: str, fast: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "1" if fast else "0")
    cell, item = FORMS[form]
    suffix = "!" if form.endswith("rich") else ""
    if cell is None:
        path = make_workbook(tmp_path / "x.xlsx", f'<row r="1">{item(raw)}</row>', encoding=encoding)
    else:
        path = make_workbook(tmp_path / "x.xlsx", f'<row r="1">{cell}</row>', [item(raw)], encoding=encoding)
    assert cells_of(path)[(0, 0)] == RawCell(expected + suffix, "text", form == "formula-str")


def test_escapes_are_taken_by_the_fast_path() -> None:
    strings = xlsx_scan.scan_shared_strings(
        f'<sst xmlns="{NS}"><si><t>a_x000D_b</t></si><si><r><t>_x005F_x000D_</t></r></si></sst>'.encode(), list
    )
    assert strings == ["a\rb", "_x000D_"]
    maker = reader_xlsx._CellMaker([], frozenset(), reader_xlsx.EPOCH_1900)
    sheet = _part(f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>_xD83D_</t>'
                  "</is></c></row></sheetData></worksheet>", "utf-8")  # fmt: skip
    assert xlsx_scan.scan_cells(sheet, maker, 10) == {(0, 0): RawCell("\ud83d", "text")}


def test_a_comment_pasted_from_outlook_reads_with_its_line_breaks(
    template_path: Path, rubric: Rubric, tmp_path: Path
) -> None:
    """Excel writes the CR of pasted text as _x000D_ in the string table; the comment must not show it."""
    path = tmp_path / "outlook.xlsx"
    path.write_bytes(fill_bytes(template_path.read_bytes(), {}, {"council_name": "Dacorum Borough Council"}))
    _rewrite_with_string(path, FIRST_AREA_SHEET, "L5", "First line_x000D_\nsecond line")
    report = read_return(path, rubric)
    answer = next(a for a in report.response.answers if a.code_id == "EC1")  # type: ignore[union-attr]
    assert answer.comment_cell == "L5"
    assert answer.comment in ("First line\r\nsecond line", "First line\nsecond line")


def _rewrite_with_string(path: Path, member: str, ref: str, raw_text: str) -> None:
    """Make ``ref`` of ``member`` a shared string holding ``raw_text`` (XML content, escapes as written)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sst = parts["xl/sharedStrings.xml"].decode()
    count = sst.count("<si>") + sst.count("<si/>")
    parts["xl/sharedStrings.xml"] = sst.replace("</sst>", f"<si><t>{raw_text}</t></si></sst>").encode()
    parts[member] = _patch_cells(parts[member].decode(), {ref: f'<c r="{ref}" t="s"><v>{count}</v></c>'}).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


# --- 2. the fast path off: the same workbook, every file ---------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
REPO_WORKBOOKS = sorted(p for p in (REPO / "samples").rglob("*.xls[xm]") if not p.name.startswith("~$")) + sorted(
    (REPO / "templates").glob("*.xlsx")
)


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, tuple]:
    """The workbook read with the fast path, then with expat only (``NPS_XLSX_FAST_PATH=0``)."""
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "1")
    fast = snapshot(read_book(path))
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "0")
    slow = snapshot(read_book(path))
    monkeypatch.delenv(xlsx_scan.FAST_PATH_ENV)
    return fast, slow


def test_the_switch_turns_the_fast_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = _part(f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
                  "utf-8")  # fmt: skip
    maker = reader_xlsx._CellMaker([], frozenset(), reader_xlsx.EPOCH_1900)
    assert xlsx_scan.scan_cells(sheet, maker, 10) is not None
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "0")
    assert xlsx_scan.scan_cells(sheet, maker, 10) is None
    assert xlsx_scan.scan_shared_strings(f'<sst xmlns="{NS}"><si><t>a</t></si></sst>'.encode(), list) is None
    assert reader_xlsx._parse_sheet(sheet, "s", maker, Limits()) == {(0, 0): RawCell(1.0, "number")}


@pytest.mark.parametrize("path", REPO_WORKBOOKS, ids=lambda p: p.name)
def test_every_repository_workbook_reads_the_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = both_ways(path, monkeypatch)
    assert fast == slow
    assert sum(len(cells) for _name, _state, cells in fast[1]) > 100


CORPUS_WORKBOOKS = sorted((REPO / "tests" / "corpus").rglob("*.xls[xm]"))


@pytest.mark.parametrize("path", CORPUS_WORKBOOKS, ids=lambda p: str(p.relative_to(REPO / "tests" / "corpus")))
def test_every_third_party_workbook_reads_the_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus of the differential test (Excel, LibreOffice, WPS… files): the same cells, or the same refusal."""
    from .differential import read_ours

    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "1")
    fast = read_ours(path)
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "0")
    slow = read_ours(path)
    assert same(fast, slow)


def test_the_fixtures_read_the_same_both_ways(
    template_path: Path, personalised_path: Path, rubric: Rubric, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled = tmp_path / "filled.xlsx"
    answers = random_answers(rubric, random.Random(7), blank_rate=0.2)
    cover = {"council_name": "Dacorum Borough Council", "completion_date": datetime(2026, 3, 1).date()}
    filled.write_bytes(fill_bytes(template_path.read_bytes(), answers, cover))
    for path in (template_path, personalised_path, filled):
        fast, slow = both_ways(path, monkeypatch)
        assert fast == slow, path


ODD_TEXTS = ["3 – mature ", " high ", "seven", "\x01 2", "tab\there", "_x0000_ kept", "_x005F_x000D_", "🙂 \ud83d half"]


def test_odd_returns_read_to_the_same_report_both_ways(
    template_path: Path, rubric: Rubric, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scores, comments, choices and cover fields holding odd text (escapes, control characters, half an emoji):
    the whole report, every issue and location included, is the same whichever reader reads the cells."""
    from .untrusted import fill_text

    rng = random.Random(18)
    codes = [code.id for code in rubric.value_codes]
    texts = fill_text(
        template_path.read_bytes(),
        {code: rng.choice(ODD_TEXTS) for code in codes},
        {code: rng.choice(ODD_TEXTS) for code in codes},
        {"council_name": "Dacorum\x02 Borough Council", "completion_date": "30/06/2018"},
    )
    choices = {
        code: Typed(rng.choice([3, 2.5, "Unscored", None]), None, *rng.sample(ODD_TEXTS[:4], 2)) for code in codes
    }
    typed = fill_bytes(template_path.read_bytes(), choices, {"council_name": "Dacorum"}, {"EC": "nine", "SM": 4})
    for name, data in (("texts.xlsx", texts), ("typed.xlsx", typed)):
        (tmp_path / name).write_bytes(data)
        reports = []
        for switch in ("1", "0"):
            monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, switch)
            reports.append(read_return(tmp_path / name, rubric))
        fast, slow = reports
        assert {"score-invalid", "control-characters-removed"} <= {issue.code for issue in fast.issues}, name
        assert repr(fast) == repr(slow), name


@pytest.fixture(scope="module")
def real_client_resaves(template_path: Path, rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """LibreOffice and Gnumeric re-saves (as .xlsx) of the template and of a filled return."""
    from .clients import soffice_convert, ssconvert_convert

    work = tmp_path_factory.mktemp("resaves")
    filled = work / "filled.xlsx"
    answers = random_answers(rubric, random.Random(3), blank_rate=0.1)
    cover = {"council_name": "Dacorum Borough Council", "completion_date": datetime(2026, 3, 1).date()}
    filled.write_bytes(fill_bytes(template_path.read_bytes(), answers, cover))
    saved = []
    for source in (template_path, filled):
        saved.append(soffice_convert(source, "xlsx", work / f"lo-{source.stem}", work / "profile"))
        saved.append(ssconvert_convert(source, work / f"gnumeric-{source.stem}.xlsx"))
    return saved


@pytest.mark.real_client
def test_real_client_resaves_read_the_same_both_ways_and_fast(
    real_client_resaves: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in real_client_resaves:
        fast, slow = both_ways(path, monkeypatch)
        assert fast == slow, path
        assert declined_parts(path) == [], path  # Gnumeric's pretty-printed XML and rich inline strings too


def declined_parts(path: Path) -> list[str]:
    """The worksheets and string table of ``path`` that the fast path does not read (the expat reader does)."""
    declined = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        strings: list[str] = []
        for name in names:
            if name.lower().endswith("sharedstrings.xml"):
                data = archive.read(name)
                fast = xlsx_scan.scan_shared_strings(data, lambda item: [""] * 2)  # any other item declines
                strings = reader_xlsx._parse_shared_strings(data, name)
                if fast != strings:
                    declined.append(name)
        maker = reader_xlsx._CellMaker(strings, frozenset(), reader_xlsx.EPOCH_1900)
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                data = archive.read(name)
                if xlsx_scan.scan_cells(data, maker, 10**6, name) is None and b"<sheetData>" in data:
                    declined.append(name)
    return declined


# --- 3 and 4. numbers by xsd:double; one odd cell is an issue at that cell -----------------------------------------

NOT_NUMBERS = [
    "0_3",
    "\u0663",
    "\uff13",
    "\u00a03",
    "3\u2003",
    "infinity",
    "inf",
    "nan",
    "+nan",
    "1_000",
    "0x10",
    "",
    "3.",
]
NUMBERS = {"3": 3.0, " 3": 3.0, "3\n": 3.0, "-0.5E+2": -50.0, ".5": 0.5, "3.": 3.0, "INF": math.inf, "-INF": -math.inf}


@pytest.mark.parametrize("text", [t for t in NOT_NUMBERS if t != "3."])
def test_python_floats_that_are_not_xsd_doubles_read_as_text(text: str) -> None:
    assert parse_double(text) is None
    maker = reader_xlsx._CellMaker([], frozenset({1}), reader_xlsx.EPOCH_1900)
    assert maker("n", 0, False, text) == RawCell(text, "text")
    assert maker("n", 1, False, text) == RawCell(text, "text")  # a date style changes nothing


@pytest.mark.parametrize("text, number", NUMBERS.items())
def test_xsd_doubles_read_as_numbers(text: str, number: float) -> None:
    assert parse_double(text) == number
    assert math.isnan(parse_double("NaN"))  # type: ignore[arg-type]
    assert parse_double("1" * 5000) == math.inf  # int() would refuse it; no exception either way


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["n", "s", "str", "b", "e", "d", "inlineStr", "x"]),
    style=st.sampled_from([0, 1, 2]),
    formula=st.booleans(),
    value=st.one_of(
        st.none(), st.text(max_size=12), st.sampled_from(["NaN", "INF", "-INF", "9" * 5000, "-1", "1e400"])
    ),
)
def test_the_cell_maker_is_total(kind: str, style: int, formula: bool, value: str | None) -> None:
    """Whatever a cell holds, it becomes a cell (or nothing), never an exception."""
    maker = reader_xlsx._CellMaker(["a", "b"], frozenset({1, 2}), reader_xlsx.EPOCH_1900)
    cell = maker(kind, style, formula, value, value)
    assert cell is None or isinstance(cell, RawCell)
    if cell is not None:  # its kind says what its value is, as RawCell's accessors read it
        assert (cell.text() is not None) == (cell.kind == "text")
        assert (cell.number() is not None) == (cell.kind == "number")


@pytest.mark.parametrize(
    "cell, text, number",
    [
        (RawCell("3", "text"), "3", None),
        (RawCell("", "text"), "", None),
        (RawCell(3.0, "number"), None, 3.0),
        (RawCell(-0.5, "number", formula=True), None, -0.5),
        (RawCell(True, "bool"), None, None),  # a bool is not a number, though Python's bool is an int
        (RawCell("#DIV/0!", "error"), None, None),  # an error's text is not a cell's text
        (RawCell(datetime(2027, 1, 31), "date"), None, None),
        (RawCell(None, "uncached", formula=True), None, None),
    ],
)
def test_raw_cell_accessors_read_only_their_own_kind(cell: RawCell, text: str | None, number: float | None) -> None:
    assert cell.text() == text
    assert cell.number() == number
    assert number is None or type(cell.number()) is float


def _return_with_cell(template: Path, directory: Path, member: str, ref: str, cell: str) -> Path:
    """A return (council named, one other value code answered so it is not blank) whose cell ``ref`` of
    ``member`` is ``cell`` (its style kept)."""
    path = directory / "return.xlsx"
    answers = {"EN4": Typed("3 - Mature")}
    path.write_bytes(fill_bytes(template.read_bytes(), answers, {"council_name": "Dacorum Borough Council"}))
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[member] = _patch_cells(parts[member].decode(), {ref: cell}).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


ODD_SCORES = [
    ('<c r="I5"><v>0_3</v></c>', "score-invalid"),
    ('<c r="I5"><v>\u0663</v></c>', "score-invalid"),  # Arabic-Indic three
    (f'<c r="I5"><v>{"1" * 5000}</v></c>', "score-invalid"),
    ('<c r="I5"><v>NaN</v></c>', "score-invalid"),
    ('<c r="I5"><v>-INF</v></c>', "score-invalid"),
    (f'<c r="I5" t="s"><v>{"1" * 5000}</v></c>', "score-formula-error"),  # a shared string that cannot exist
    ('<c r="I5" t="s"><v>99999999</v></c>', "score-formula-error"),
    ('<c r="I5" t="s"><v>-1</v></c>', "score-formula-error"),  # not the last string, as a Python index would be
    ('<c r="I5" t="s"><v/></c>', "score-blank"),  # an empty value: an empty cell, as other readers read it
    ('<c r="I5"><v> 3 </v></c>', None),  # xsd:double collapses XML white space (openpyxl reads 3 too)
]


@pytest.mark.parametrize("cell, code", ODD_SCORES, ids=[c[:40] for c, _ in ODD_SCORES])
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "expat"])
def test_an_odd_score_cell_is_an_issue_at_that_cell(
    cell: str,
    code: str | None,
    fast: bool,
    template_path: Path,
    rubric: Rubric,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "1" if fast else "0")
    report = read_return(_return_with_cell(template_path, tmp_path, FIRST_AREA_SHEET, "I5", cell), rubric)
    assert report.response is not None, [i.message for i in report.issues]
    at_cell = [(i.code, i.location.sheet, i.location.cell) for i in report.issues if i.value_code == "EC1"]
    answer = next(a for a in report.response.answers if a.code_id == "EC1")
    if code is None:
        assert (answer.status, answer.score, at_cell) == ("scored", 3, [])
    else:
        assert at_cell == [(code, "Engaging Councillors", "I5")]
    assert not [i for i in report.issues if i.location.cell is None]  # nothing about the whole file


@pytest.mark.parametrize("value", ["NaN", "INF", "-INF", "1e300", "9" * 5000, "-1e6"])
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "expat"])
def test_an_odd_completion_date_leaves_the_file_readable(
    value: str, fast: bool, template_path: Path, rubric: Rubric, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "1" if fast else "0")
    sheet, row, col = read_book(template_path).names["completion_date"]
    assert sheet == "Cover"
    ref = f"{chr(65 + col)}{row + 1}"
    path = _return_with_cell(
        template_path, tmp_path, "xl/worksheets/sheet1.xml", ref, f'<c r="{ref}"><v>{value}</v></c>'
    )
    cell = read_book(path).sheet("Cover").cells[(row, col)]  # type: ignore[union-attr]
    assert cell.kind in ("number", "date")  # a date when one can hold it, else the number
    report = read_return(path, rubric)
    assert report.response is not None and "corrupt-file" not in [i.code for i in report.issues]


# --- 5. dates ------------------------------------------------------------------------------------------------------

SERIALS = [0, 0.25, 0.999999, 0.9999999999, 1, 1.5, 28, 59, 59.75, 60, 60.5, 61, 366, 45000.5, 2958465.99, -1, -0.5]


@pytest.mark.parametrize("serial", SERIALS)
@pytest.mark.parametrize("epoch", [reader_xlsx.EPOCH_1900, reader_xlsx.EPOCH_1904], ids=["1900", "1904"])
def test_date_serials_read_as_openpyxl_reads_them(serial: float, epoch: datetime) -> None:
    maker = reader_xlsx._CellMaker([], frozenset({1, 2}), epoch)
    try:
        value = from_excel(serial, epoch)
        expected = RawCell(datetime.combine(TIME_OF_DAY.date(), value) if isinstance(value, time) else value, "date")
    except OverflowError:  # past 9999-12-31: openpyxl fails, we keep the number
        expected = RawCell(float(serial), "number")
    assert maker("n", 1, False, repr(serial)) == expected
    assert maker("n", 2, False, repr(serial)) == expected


def test_the_1900_leap_year_bug() -> None:
    maker = reader_xlsx._CellMaker([], frozenset({1}), reader_xlsx.EPOCH_1900)
    assert maker("n", 1, False, "1").value == datetime(1900, 1, 1)
    assert maker("n", 1, False, "59").value == datetime(1900, 2, 28)
    assert maker("n", 1, False, "61").value == datetime(1900, 3, 1)
    assert maker("n", 1, False, "0.5").value == datetime(1899, 12, 30, 12)  # a time only, on TIME_OF_DAY


ISO_CELLS = {
    "2026-01-15": datetime(2026, 1, 15),
    "2026-01-15T12:30:00": datetime(2026, 1, 15, 12, 30),
    "2026-01-15T12:30:00Z": datetime(2026, 1, 15, 12, 30),
    "2026-01-15T12:30:00.5+01:00": datetime(2026, 1, 15, 12, 30, 0, 500000),  # the time as written
    "2026-01-15T12:30:45.123456789": datetime(2026, 1, 15, 12, 30, 45, 123456),
    "12:30:00": datetime(1899, 12, 30, 12, 30),  # a time of day, as the .ods reader gives it too
    "12:30": datetime(1899, 12, 30, 12, 30),
    "T08:00:00.250": datetime(1899, 12, 30, 8, 0, 0, 250000),
}


@pytest.mark.parametrize("text, value", ISO_CELLS.items())
def test_iso_cells_read_as_dates_and_times(text: str, value: object, tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "d.xlsx", f'<row r="1"><c r="A1" t="d"><v>{text}</v></c></row>')
    assert cells_of(path)[(0, 0)] == RawCell(value, "date")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "24:00:00", "\u0662\u0660\u0662\u0666-01-15", "soon", ""])
def test_iso_cells_that_are_not_dates_read_as_text(text: str) -> None:
    maker = reader_xlsx._CellMaker([], frozenset(), reader_xlsx.EPOCH_1900)
    assert maker("d", 0, False, text) == RawCell(text, "text")


# --- 6. the fast path's reach ---------------------------------------------------------------------------------------

WIDER_FORMS = {
    "excel-365": '<row r="1"><c r="A1" cm="1"><f t="array" ref="A1:A3">SEQUENCE(3)</f><v>1</v></c>'
    '<c r="B1" t="e" vm="1"><v>#VALUE!</v></c><c r="C1" s="1" t="s" cm="2" vm="3"><v>0</v></c></row>',
    "attribute-order": '<row r="1"><c t="s" s="2" r="A1"><v>1</v></c><c t="str" r="B1"><f>A1</f><v>x</v></c></row>',
    "rich-inline": '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/><sz val="10"/></rPr>'
    '<t xml:space="preserve">bold </t></r><r><t>plain</t></r><r><rPr/><t/></r></is></c></row>',
    "gnumeric-pretty": '\n    <row r="1" spans="1:2" customHeight="1" ht="30">\n      <c r="A1" s="2" t="s">\n'
    '        <v>0</v>\n      </c>\n      <c r="B1" t="inlineStr">\n        <is>\n          <r>\n'
    '            <rPr>\n              <rFont val="2"/>\n              <b val="true"/>\n            </rPr>\n'
    "            <t>What it is: </t>\n          </r>\n          <r>\n            <rPr/>\n            <t/>\n"
    '          </r>\n        </is>\n      </c>\n      <c r="C1" s="1" >\n        <v>45000</v>\n      </c>\n'
    "    </row>\n  ",
}


@pytest.mark.parametrize("form", WIDER_FORMS)
def test_wider_forms_are_read_by_the_fast_path_as_expat_reads_them(form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    maker = reader_xlsx._CellMaker(["ID", "EC1"], frozenset({1}), reader_xlsx.EPOCH_1900)
    sheet = _part(f'<worksheet xmlns="{NS}"><sheetData>{WIDER_FORMS[form]}</sheetData></worksheet>', "utf-8")
    fast = xlsx_scan.scan_cells(sheet, maker, 100)
    monkeypatch.setenv(xlsx_scan.FAST_PATH_ENV, "0")
    assert fast is not None and fast == reader_xlsx._parse_sheet(sheet, "s", maker, Limits())
    assert fast  # something was read


def test_a_pretty_printed_string_table_is_read_fast() -> None:
    table = (
        f'<sst xmlns="{NS}" count="3">\n  <si>\n    <t>plain</t>\n  </si>\n  <si>\n    <r>\n      <rPr>\n'
        '        <b val="true"/>\n      </rPr>\n      <t xml:space="preserve">rich </t>\n    </r>\n    <r>\n'
        "      <t>text</t>\n    </r>\n  </si>\n  <si>\n  </si>\n</sst>\n"
    ).encode()
    assert xlsx_scan.scan_shared_strings(table, lambda item: []) == ["plain", "rich text", ""]
    assert reader_xlsx._parse_shared_strings(table, "sst") == ["plain", "rich text", ""]


@pytest.mark.parametrize("size", [100_000, 1_000_000])
def test_a_long_run_of_white_space_is_scanned_once(size: int) -> None:
    """A run of white space before an element the fast path does not know once cost time quadratic in its length
    (40 KB: two minutes); matched token after token, it is declined in one pass."""
    maker = reader_xlsx._CellMaker([], frozenset(), reader_xlsx.EPOCH_1900)
    sheet = _part(f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c>{" " * size}<x/></row>'
                  "</sheetData></worksheet>", "utf-8")  # fmt: skip
    assert xlsx_scan.scan_cells(sheet, maker, 10) is None
    table = f'<sst xmlns="{NS}"><si><t>a</t></si>{" " * size}<x/></sst>'.encode()
    assert xlsx_scan.scan_shared_strings(table, lambda item: []) is None
