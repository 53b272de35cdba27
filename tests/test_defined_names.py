"""Defined names: only a name whose formula is exactly one cell of this workbook is a cell name.

Ranges of several cells, unions, functions, constants, 3-D references and cells of other workbooks
are ignored, in ``.xlsx`` (:func:`nps_xlsx.a1.parse_name_target`) as in ``.ods``
(:func:`nps_xlsx.read.ods.parse_ods_range`); the real-client test checks that LibreOffice's
``.xlsx``, ``.ods`` and ``.xls`` saves of one workbook give the same names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nps_xlsx.a1 import parse_name_target
from nps_xlsx.read.ods import parse_ods_range
from nps_xlsx.read.raw import RawWorkbook
from nps_xlsx.read.safety import Limits
from nps_xlsx.read.workbook import read_workbook

from . import hostile_legacy as hl
from .clients import soffice_convert

XLSX_NAMES = {
    # one cell of this workbook
    "Sheet1!$A$1": ("Sheet1", 0, 0),
    "Sheet1!B2": ("Sheet1", 1, 1),
    "'My sheet'!$I$4": ("My sheet", 3, 8),
    "'It''s'!$B$2": ("It's", 1, 1),
    "'Q&A!'!$C$3": ("Q&A!", 2, 2),  # "!" inside the quotes is part of the sheet name
    "Blätt1!$B$4": ("Blätt1", 3, 1),
    "Sheet1!$A$1:$A$1": ("Sheet1", 0, 0),  # a range whose ends are the same cell
    " =Sheet1!$A$1 ": ("Sheet1", 0, 0),
    # not one cell
    "Sheet1!$A$1:$D$1": None,
    "Sheet1!$A$3,Sheet1!$C$3:$D$3": None,
    "Sheet1!$C$5:$C$7,Sheet1!$C$9:$C$11,Sheet1!$E$5:$E$7,Sheet1!$E$9:$E$11,Sheet1!$D$8": None,
    "Sheet1!$A$1,Sheet1!$A$1": None,
    "Sheet1!$A$1 Sheet1!$A$1": None,  # an intersection
    "Sheet1!A1-Sheet2!B1": None,
    "SUM(Sheet1!$A$1)": None,
    "9.99": None,
    '"text"': None,
    "B1namedrange": None,
    "Sheet1!#REF!": None,
    "#REF!$A$1": None,
    "Sheet1:Sheet3!$A$1": None,
    "'Sheet1:Sheet3'!$A$1": None,
    # a cell of another workbook
    "[1]Sheet1!$A$1": None,
    "[1]!B2range": None,
    "'[Book2.xlsx]Sheet1'!$A$1": None,
    "'C:\\path\\[x.xlsx]Sheet'!A1": None,
    "'https://example.org/dir/[x.xlsx]Sheet1'!$A$1": None,
    "": None,
}


@pytest.mark.parametrize(("formula", "target"), XLSX_NAMES.items(), ids=repr)
def test_xlsx_name_formulas(formula: str, target: tuple[str, int, int] | None) -> None:
    assert parse_name_target(formula) == target


ODS_ADDRESSES = {
    "$Sheet1.$A$1 $Sheet1.$B$2": None,  # a list of cells was read as sheet 'Sheet1.$A$1 $Sheet1', cell B2
    "$Sheet1.$A$1;$Sheet1.$B$2": None,
    "[$Sheet1.$A$1]": None,
    "'file:///tmp/book2.ods'#$Sheet1.$A$1": None,  # a cell of another file
    "$'Q&A'.$C$3:.$C$3": ("Q&A", 2, 2),
    "Blätt1.B4": ("Blätt1", 3, 1),
    ".A1": None,  # no sheet
}


@pytest.mark.parametrize(("address", "target"), ODS_ADDRESSES.items(), ids=repr)
def test_ods_range_addresses_that_are_not_one_cell(address: str, target: tuple[str, int, int] | None) -> None:
    assert parse_ods_range(address) == target


def _book(path: Path) -> RawWorkbook:
    return read_workbook(path, path.read_bytes(), Limits())[0]


def _xlsx_with_names(path: Path, formulas: dict[str, str]) -> Path:
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.active["A1"] = 1
    workbook.create_sheet("My sheet")
    for name, formula in formulas.items():
        workbook.defined_names[name] = DefinedName(name, attr_text=formula)
    workbook.save(path)
    return path


def test_only_single_cell_names_of_the_workbook_are_read_from_xlsx(tmp_path: Path) -> None:
    formulas = {f"n{i}": formula.strip() for i, formula in enumerate(XLSX_NAMES) if formula.strip()}
    book = _book(_xlsx_with_names(tmp_path / "names.xlsx", formulas))
    expected = {f"n{i}": target for i, (f, target) in enumerate(XLSX_NAMES.items()) if target and f.strip()}
    assert book.names == expected


def test_only_single_cell_named_ranges_are_read_from_ods(tmp_path: Path) -> None:
    ranges = {"one": "$Sheet1.$B$2", "area": "$Sheet1.$A$1:.$B$3", "list": "$Sheet1.$A$1 $Sheet1.$B$2"}
    ranges["other_file"] = "'file:///tmp/book2.ods'#$Sheet1.$A$1"
    extra = "".join(
        f'<table:named-range table:name="{name}" table:cell-range-address="{address.replace(chr(39), "&apos;")}"/>'
        for name, address in ranges.items()
    )
    expression = '<table:named-expression table:name="union" table:expression="[$Sheet1.$A$3];[$Sheet1.$C$3]"/>'
    extra = f"<table:named-expressions>{extra}{expression}</table:named-expressions>"
    path = hl.make_ods(tmp_path, hl.ods_table("Sheet1", hl.ods_row(hl.ods_cell("x"))), extra=extra)
    assert _book(path).names == {"one": ("Sheet1", 1, 1)}


@pytest.mark.real_client
def test_libreoffice_saves_of_one_workbook_give_the_same_names(tmp_path: Path) -> None:
    """LibreOffice's .xlsx, .ods and .xls of one workbook: the same cell names, whatever the format."""
    formulas = {
        "one": "Sheet1!$B$2",
        "quoted": "'My sheet'!$C$3",
        "same_ends": "Sheet1!$D$4:$D$4",
        "area": "Sheet1!$A$1:$D$1",
        "union": "Sheet1!$C$5:$C$7,Sheet1!$D$8",
        "external": "[1]Sheet1!$A$1",
        "constant": "9.99",
        "to_a_name": "one",  # xlrd evaluates it to one's cell; not a cell name in any format
        "same_twice": "Sheet1!$B$2,Sheet1!$B$2",
    }
    source = _xlsx_with_names(tmp_path / "names.xlsx", formulas)
    expected = {"one": ("Sheet1", 1, 1), "quoted": ("My sheet", 2, 2), "same_ends": ("Sheet1", 3, 3)}
    assert _book(source).names == expected
    for target in ("xlsx", "ods", "xls"):
        saved = soffice_convert(source, target, tmp_path / target, tmp_path / "profile")
        assert _book(saved).names == expected, target
