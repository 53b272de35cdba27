"""The template survives real spreadsheet programs: LibreOffice and Gnumeric.

Each conversion runs once per session. The checks are the things the return
reader and the person filling in the workbook rely on: sheet names and order,
the defined names of the input cells, the score drop-downs and the hidden
metadata sheet.

What the programs change, as of LibreOffice 7.4 and Gnumeric 1.12.55:

* Gnumeric's XLSX writer drops ``state="hidden"`` from the metadata sheet (its
  own reader does read it), so the sheet comes back visible; its contents are
  intact. It also writes the print titles as a sheet-local ``Print_Titles``
  name without the ``_xlnm.`` prefix, adds ``_xlnm.Sheet_Title`` names and
  ``_xlnm.Print_Area = #REF!`` on sheets without a print area, and merges the
  one-cell conditional formats into one rule per column.
* A headless LibreOffice conversion has no view, so frozen panes and hidden
  gridlines are not written; it drops empty-string cells (an empty metadata
  value comes back as a blank cell) and spells out defaults on validations
  (``operator="between"``, ``errorStyle="stop"``, ``formula2=0``).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

import openpyxl
import pytest
from defusedxml import ElementTree

from nps_xlsx import a1, layout
from nps_xlsx.rubric import Rubric

from .clients import run_program, soffice_convert, ssconvert_convert
from .conftest import require_program

pytestmark = pytest.mark.real_client

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _t(name: str) -> str:
    return f"{{{TABLE}}}{name}"


# --- reading .xlsx ----------------------------------------------------------------------------------------------

Location = tuple[str, str]  # (sheet name, "I4")


def load_xlsx(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        # Gnumeric writes no default cell style; openpyxl warns and supplies its own.
        warnings.filterwarnings("ignore", message="Workbook contains no default style")
        return openpyxl.load_workbook(path)


def xlsx_names(workbook: openpyxl.Workbook) -> dict[str, Location | str]:
    """Every workbook-level defined name: its (sheet, cell) if it is one plain reference, else its text."""
    names: dict[str, Location | str] = {}
    for name, defined in workbook.defined_names.items():
        destinations = list(defined.destinations) if defined.type == "RANGE" else []
        if len(destinations) == 1:
            sheet, ref = destinations[0]
            names[name] = (sheet, ref.replace("$", ""))
        else:
            names[name] = defined.attr_text
    return names


def xlsx_list_choices(formula: str | None) -> list[str] | str | None:
    """The entries of an inline list (``"a,b,c"``), or the formula itself if it is anything else."""
    if formula and len(formula) >= 2 and formula[0] == formula[-1] == '"':
        return formula[1:-1].split(",")
    return formula


def xlsx_validations_at(workbook: openpyxl.Workbook, location: Location) -> list[tuple]:
    """(type, choices, drop-down hidden, error style, error shown, blank allowed) of each validation on a cell."""
    sheet, cell = location
    found = []
    for validation in workbook[sheet].data_validations.dataValidation:
        if cell in validation.sqref:
            found.append(
                (
                    validation.type,
                    xlsx_list_choices(validation.formula1),
                    bool(validation.showDropDown),  # OOXML's showDropDown=1 *hides* the arrow
                    validation.errorStyle or "stop",
                    bool(validation.showErrorMessage),
                    bool(validation.allow_blank),
                )
            )
    return found


def xlsx_meta(workbook: openpyxl.Workbook) -> dict[str, str]:
    """The metadata sheet as key -> value, a blank cell read as ``""``."""
    rows = workbook[layout.META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)
    return {key: "" if value is None else value for key, value in rows if key is not None}


# --- reading .ods -----------------------------------------------------------------------------------------------


@dataclass
class OdsBook:
    """What the tests need from an ODS file's content.xml."""

    sheets: list[str]
    displayed: dict[str, bool]
    names: dict[str, Location | str]
    validations: dict[str, Element]
    cell_validation: dict[Location, str]
    meta: dict[str, str]


_ODS_ADDRESS = re.compile(
    r"^\$?(?:'(?P<quoted>(?:[^']|'')*)'|(?P<plain>[^.']+))"
    r"\.\$?(?P<col>[A-Z]+)\$?(?P<row>\d+)"
    r"(?::\.?\$?(?P<col2>[A-Z]+)\$?(?P<row2>\d+))?$"
)


def ods_location(address: str) -> Location | str:
    """``$'Engaging Councillors'.$I$4`` -> ``("Engaging Councillors", "I4")``; anything else is returned as is."""
    match = _ODS_ADDRESS.match(address)
    if not match:
        return address
    quoted = match["quoted"]
    sheet = quoted.replace("''", "'") if quoted is not None else match["plain"]
    ref = f"{match['col']}{match['row']}"
    if match["col2"]:
        ref += f":{match['col2']}{match['row2']}"
    return sheet, ref


def ods_list_choices(condition: str) -> list[str] | str:
    """The entries of ``of:cell-content-is-in-list("a";"b")``, or the condition itself if it is anything else."""
    prefix = "of:cell-content-is-in-list("
    if not (condition.startswith(prefix) and condition.endswith(")")):
        return condition
    inner = condition[len(prefix) : -1]
    items = re.findall(r'"((?:[^"]|"")*)"', inner)
    if ";".join(f'"{item}"' for item in items) != inner:  # not a list of string literals only
        return condition
    return [item.replace('""', '"') for item in items]


def ods_cells(table: Element) -> Iterator[tuple[int, int, Element]]:
    """(row, col, element) of every cell with content or a validation, honouring the repeat counts."""
    row = 0
    for row_element in table.iter(_t("table-row")):
        rows = int(row_element.get(_t("number-rows-repeated"), "1"))
        col = 0
        for cell in row_element:
            if cell.tag not in (_t("table-cell"), _t("covered-table-cell")):
                continue
            cols = int(cell.get(_t("number-columns-repeated"), "1"))
            if cell.get(_t("content-validation-name")) or len(cell):
                for r in range(rows):
                    for c in range(cols):
                        yield row + r, col + c, cell
            col += cols
        row += rows


def ods_text(cell: Element) -> str:
    return "\n".join("".join(p.itertext()) for p in cell.findall(f"{{{TEXT}}}p"))


def read_ods(path: Path) -> OdsBook:
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    spreadsheet = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}spreadsheet")
    assert spreadsheet is not None, f"{path}: no office:spreadsheet in content.xml"

    table_display = {}
    for style in root.iter(f"{{{STYLE}}}style"):
        properties = style.find(f"{{{STYLE}}}table-properties")
        if style.get(f"{{{STYLE}}}family") == "table" and properties is not None:
            table_display[style.get(f"{{{STYLE}}}name")] = properties.get(_t("display"), "true") == "true"

    tables = spreadsheet.findall(_t("table"))
    sheets = [table.get(_t("name")) for table in tables]
    displayed = {table.get(_t("name")): table_display.get(table.get(_t("style-name")), True) for table in tables}

    # Workbook-level names only: each sheet's print ranges sit in that table's own named-expressions.
    names: dict[str, Location | str] = {}
    for named in spreadsheet.findall(f"{_t('named-expressions')}/{_t('named-range')}"):
        names[named.get(_t("name"))] = ods_location(named.get(_t("cell-range-address")))

    validations = {
        validation.get(_t("name")): validation
        for validation in spreadsheet.findall(f"{_t('content-validations')}/{_t('content-validation')}")
    }

    cell_validation: dict[Location, str] = {}
    meta_cells: dict[tuple[int, int], str] = {}
    for table in tables:
        sheet = table.get(_t("name"))
        for row, col, cell in ods_cells(table):
            name = cell.get(_t("content-validation-name"))
            if name:
                cell_validation[(sheet, a1.cell_ref(row, col))] = name
            if sheet == layout.META_SHEET and col < 2:
                meta_cells[(row, col)] = ods_text(cell)
    meta_rows = sorted({row for row, _col in meta_cells} - {0})
    meta = {meta_cells[(row, 0)]: meta_cells.get((row, 1), "") for row in meta_rows if (row, 0) in meta_cells}
    return OdsBook(sheets, displayed, names, validations, cell_validation, meta)


def ods_validation_summary(validation: Element) -> tuple:
    """(choices, drop-down display, error type, error shown, blank allowed) of an ODS validation."""
    error = validation.find(_t("error-message"))
    return (
        ods_list_choices(validation.get(_t("condition"), "")),
        validation.get(_t("display-list"), "unsorted"),
        error.get(_t("message-type"), "stop") if error is not None else None,
        error.get(_t("display"), "false") == "true" if error is not None else False,
        validation.get(_t("allow-empty-cell"), "true") == "true",
    )


# --- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LibreOffice user profile private to this session (tmp_path_factory makes it unique)."""
    return tmp_path_factory.mktemp("lo-profile")


@pytest.fixture(scope="session")
def lo_xlsx(template_path: Path, lo_profile: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return soffice_convert(template_path, "xlsx", tmp_path_factory.mktemp("lo-xlsx"), lo_profile)


@pytest.fixture(scope="session")
def lo_ods(template_path: Path, lo_profile: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return soffice_convert(template_path, "ods", tmp_path_factory.mktemp("lo-ods"), lo_profile)


@pytest.fixture(scope="session")
def lo_pdf(template_path: Path, lo_profile: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return soffice_convert(template_path, "pdf", tmp_path_factory.mktemp("lo-pdf"), lo_profile)


@pytest.fixture(scope="session")
def gnumeric_xlsx(template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ssconvert_convert(template_path, tmp_path_factory.mktemp("gnumeric-xlsx") / "template.xlsx")


@pytest.fixture(scope="session")
def original(template_path: Path) -> openpyxl.Workbook:
    return load_xlsx(template_path)


@pytest.fixture(scope="session")
def expected_sheets(rubric: Rubric) -> list[str]:
    return [layout.COVER_SHEET, *(area.sheet for area in rubric.areas), layout.SUMMARY_SHEET, layout.META_SHEET]


@pytest.fixture(scope="session")
def input_names(rubric: Rubric) -> list[str]:
    """The defined names of every input cell: the cover fields, then a score and a comment per value code."""
    names = [name for name, _label in layout.COVER_FIELDS]
    for code in rubric.value_codes:
        names += [layout.score_name(code.id), layout.comment_name(code.id)]
    return names


@pytest.fixture(scope="session")
def original_names(original: openpyxl.Workbook, rubric: Rubric, input_names: list[str]) -> dict[str, Location | str]:
    """The original's defined names, after checking they point where the layout says."""
    names = xlsx_names(original)
    expected = {}
    for index, (name, _label) in enumerate(layout.COVER_FIELDS):
        expected[name] = (layout.COVER_SHEET, a1.cell_ref(layout.cover_input_row(index), layout.COVER_INPUT_COL))
    for area in rubric.areas:
        for cells in layout.code_cells(rubric, area):
            expected[layout.score_name(cells.code_id)] = (area.sheet, a1.cell_ref(cells.row, cells.score_col))
            expected[layout.comment_name(cells.code_id)] = (area.sheet, a1.cell_ref(cells.row, cells.comment_col))
    assert {name: names.get(name) for name in input_names} == expected
    return names


@pytest.fixture(scope="session")
def score_locations(original_names: dict[str, Location | str], rubric: Rubric) -> dict[str, Location]:
    return {layout.score_name(code.id): original_names[layout.score_name(code.id)] for code in rubric.value_codes}


def _expected_xlsx_validation(rubric: Rubric) -> tuple:
    return ("list", layout.score_choices(rubric), False, "stop", True, True)


def _ambition_lists(rubric: Rubric) -> dict[str, list[str]]:
    """Each target, priority and support cell's defined name, and the entries its drop-down must list."""
    lists = {layout.target_name(area.id): layout.level_choices(rubric) for area in rubric.areas}
    for code in rubric.value_codes:
        lists[layout.priority_name(code.id)] = list(layout.PRIORITY_CHOICES)
        lists[layout.support_name(code.id)] = list(layout.SUPPORT_CHOICES)
    return lists


def _xlsx_ambition_lists(book: openpyxl.Workbook, names: dict[str, Location | str], rubric: Rubric) -> dict:
    """The drop-down entries of each target, priority and support cell, as (choices, error style, shown)."""
    found = {}
    for name in _ambition_lists(rubric):
        found[name] = [(v[1], v[3], v[4]) for v in xlsx_validations_at(book, names[name])]
    return found


def _check_xlsx_round_trip(
    converted: openpyxl.Workbook,
    original: openpyxl.Workbook,
    original_names: dict[str, Location | str],
    expected_sheets: list[str],
    rubric: Rubric,
) -> None:
    assert converted.sheetnames == expected_sheets

    converted_names = xlsx_names(converted)
    assert converted_names == original_names

    scores = {layout.score_name(code.id): converted_names[layout.score_name(code.id)] for code in rubric.value_codes}
    found = {name: xlsx_validations_at(converted, location) for name, location in scores.items()}
    assert found == {name: [_expected_xlsx_validation(rubric)] for name in scores}

    assert xlsx_meta(converted) == xlsx_meta(original)
    expected_lists = {name: [(choices, "stop", True)] for name, choices in _ambition_lists(rubric).items()}
    assert _xlsx_ambition_lists(converted, converted_names, rubric) == expected_lists


# --- tests ------------------------------------------------------------------------------------------------------


def test_original_has_what_the_round_trips_compare(
    original: openpyxl.Workbook,
    original_names: dict[str, Location | str],
    score_locations: dict[str, Location],
    expected_sheets: list[str],
    rubric: Rubric,
) -> None:
    """The baseline: without this, the comparisons below could pass on an empty workbook."""
    assert len(rubric.value_codes) == 59
    assert len(original_names) >= len(layout.COVER_FIELDS) + 2 * 59
    assert original.sheetnames == expected_sheets
    assert {ws.title: ws.sheet_state for ws in original.worksheets} == {
        name: "hidden" if name == layout.META_SHEET else "visible" for name in expected_sheets
    }
    found = {name: xlsx_validations_at(original, location) for name, location in score_locations.items()}
    assert found == {name: [_expected_xlsx_validation(rubric)] for name in score_locations}
    assert xlsx_meta(original)["rubric_fingerprint"] == rubric.fingerprint
    # the target, priority and support drop-downs are inline lists (no list on a hidden sheet)
    lists = _xlsx_ambition_lists(original, original_names, rubric)
    assert lists == {name: [(choices, "stop", True)] for name, choices in _ambition_lists(rubric).items()}


def test_libreoffice_xlsx_keeps_sheets_names_and_score_lists(
    lo_xlsx: Path,
    original: openpyxl.Workbook,
    original_names: dict[str, Location | str],
    expected_sheets: list[str],
    rubric: Rubric,
) -> None:
    converted = load_xlsx(lo_xlsx)
    _check_xlsx_round_trip(converted, original, original_names, expected_sheets, rubric)
    assert {ws.title: ws.sheet_state for ws in converted.worksheets} == {
        name: "hidden" if name == layout.META_SHEET else "visible" for name in expected_sheets
    }


def test_libreoffice_ods_keeps_sheets_names_and_score_lists(
    lo_ods: Path,
    original: openpyxl.Workbook,
    original_names: dict[str, Location | str],
    expected_sheets: list[str],
    rubric: Rubric,
) -> None:
    book = read_ods(lo_ods)
    assert book.sheets == expected_sheets
    assert book.displayed == {name: name != layout.META_SHEET for name in expected_sheets}
    assert book.names == original_names

    scores = {layout.score_name(code.id): book.names[layout.score_name(code.id)] for code in rubric.value_codes}
    found = {}
    for name, location in scores.items():
        validation_name = book.cell_validation.get(location)
        validation = book.validations.get(validation_name) if validation_name else None
        found[name] = ods_validation_summary(validation) if validation is not None else validation_name
    expected = (layout.score_choices(rubric), "unsorted", "stop", True, True)
    assert found == {name: expected for name in scores}
    ambition = {}
    for name in _ambition_lists(rubric):
        validation = book.validations.get(book.cell_validation.get(book.names[name], ""))
        ambition[name] = ods_validation_summary(validation) if validation is not None else None
    lists = _ambition_lists(rubric)
    assert ambition == {name: (choices, "unsorted", "stop", True, True) for name, choices in lists.items()}

    assert book.meta == xlsx_meta(original)


def test_gnumeric_xlsx_keeps_sheets_names_and_score_lists(
    gnumeric_xlsx: Path,
    original: openpyxl.Workbook,
    original_names: dict[str, Location | str],
    expected_sheets: list[str],
    rubric: Rubric,
) -> None:
    converted = load_xlsx(gnumeric_xlsx)
    _check_xlsx_round_trip(converted, original, original_names, expected_sheets, rubric)
    states = {ws.title: ws.sheet_state for ws in converted.worksheets}
    # Gnumeric 1.12's XLSX writer omits state="hidden" (it reads it, but never writes it), so the
    # metadata sheet may come back visible; the sheet itself, its place and its contents survive.
    assert states.pop(layout.META_SHEET) in ("hidden", "visible")
    assert states == {name: "visible" for name in expected_sheets if name != layout.META_SHEET}


def _pdf_page_count(pdf: Path) -> int:
    pdfinfo = require_program("pdfinfo")
    result = run_program([pdfinfo, str(pdf)], "pdfinfo")
    assert result.returncode == 0, result.stderr
    match = re.search(r"^Pages:\s+(\d+)\s*$", result.stdout, re.MULTILINE)
    assert match, f"no page count in pdfinfo output:\n{result.stdout}"
    return int(match[1])


def test_libreoffice_pdf_has_a_page_per_sheet(lo_pdf: Path, rubric: Rubric) -> None:
    assert lo_pdf.stat().st_size > 0
    # The cover, at least one page per key area, and the summary; the hidden metadata sheet is not printed.
    assert _pdf_page_count(lo_pdf) >= max(13, len(rubric.areas) + 2)


def test_libreoffice_pdf_text_shows_every_area(lo_pdf: Path, rubric: Rubric) -> None:
    pdftotext = require_program("pdftotext")
    result = run_program([pdftotext, str(lo_pdf), "-"], "pdftotext")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # cell text may wrap anywhere
    words = set(re.findall(r"[A-Za-z0-9]+", text))

    assert rubric.title in text
    assert layout.SUMMARY_SHEET in text
    missing = {
        area.sheet: [item for item in (area.name, area.sheet) if item not in text]
        + [code.id for code in area.value_codes if code.id not in words]
        for area in rubric.areas
    }
    assert missing == {area.sheet: [] for area in rubric.areas}
    # The hidden metadata sheet is not rendered.
    assert [key for key in layout.META_KEYS if key in text] == []


def test_summary_renders_to_pdf_with_its_charts(tmp_path_factory: pytest.TempPathFactory, lo_profile: Path) -> None:
    """The summary of the bundled samples, rendered by LibreOffice: every sheet and chart title is on the pages."""
    from click.testing import CliRunner

    from nps_xlsx.cli import main

    out = tmp_path_factory.mktemp("summary")
    repo = Path(__file__).resolve().parents[1]
    result = CliRunner().invoke(
        main, ["collect", str(repo / "samples" / "returns"), "--out", str(out / "summary.xlsx")]
    )
    assert result.exit_code == 0, result.output
    pdf = soffice_convert(out / "summary.xlsx", "pdf", out, lo_profile)
    assert _pdf_page_count(pdf) >= 10
    text = " ".join(run_program([require_program("pdftotext"), str(pdf), "-"], "pdftotext").stdout.split())
    for title in ("Overall score distribution", "Score distribution by key area", "Which value codes were given"):
        assert title in text
    assert "Hertfordshire County Council" in text and "Number of scores" in text
