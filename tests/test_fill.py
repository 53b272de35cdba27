"""Filled workbooks carry no stale formula results (issue 10, point 9).

The template's formulas (the Cover's "N of 59 answered", the "Your summary" counts) are written
with the result for a blank workbook. LibreOffice shows a cached result as it is, so a filled
workbook that kept them would say "0 of 59 answered" however full it is. The blank template and
the personalised copies keep theirs: for a blank workbook they are right.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree

from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, drop_cached_results, fill_bytes, fill_workbook, random_answers
from nps_xlsx.validate.check import read_return

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
COVER = {"council_name": "Dacorum Borough Council", "respondent_name": "Sam Patel"}


def formula_cells(data: bytes) -> dict[tuple[str, str], str | None]:
    """Every formula cell of every worksheet: (part, ref) -> its cached result (``None`` if none)."""
    cells = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for part in package.namelist():
            if not part.startswith("xl/worksheets/sheet"):
                continue
            for cell in ElementTree.fromstring(package.read(part)).iter(f"{MAIN}c"):
                if cell.find(f"{MAIN}f") is not None:
                    value = cell.find(f"{MAIN}v")
                    cells[(part, cell.get("r"))] = value.text if value is not None and value.text else None
    return cells


def full_calc_on_load(data: bytes) -> str | None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        calc = ElementTree.fromstring(package.read("xl/workbook.xml")).find(f"{MAIN}calcPr")
    return None if calc is None else calc.get("fullCalcOnLoad")


@pytest.fixture(scope="module")
def answers(rubric: Rubric) -> dict[str, Typed]:
    return random_answers(rubric, random.Random(10))


@pytest.fixture(scope="module", params=["fill_bytes", "fill_workbook"])
def filled(request: pytest.FixtureRequest, template_path: Path, answers, tmp_path_factory) -> bytes:
    if request.param == "fill_bytes":
        return fill_bytes(template_path.read_bytes(), answers, COVER)
    out = tmp_path_factory.mktemp("fill") / "filled.xlsx"
    fill_workbook(template_path, out, answers, COVER)
    return out.read_bytes()


def test_the_blank_template_caches_blank_results(template_path: Path, rubric: Rubric) -> None:
    """What the fill helpers must drop: the template's results, right only while it is blank."""
    cached = formula_cells(template_path.read_bytes())
    assert f"0 of {len(rubric.value_codes)} answered" in cached.values()
    # every formula caches its blank result; only the grid's "Your score" cells (one a value code) cache empty text
    assert sum(value is None for value in cached.values()) == len(rubric.value_codes)


def test_filled_workbook_has_its_formulas_without_cached_results(filled: bytes, template_path: Path) -> None:
    cells = formula_cells(filled)
    assert cells.keys() == formula_cells(template_path.read_bytes()).keys()
    assert {value for value in cells.values()} == {None}


def test_filled_workbook_asks_for_a_full_calculation_on_load(filled: bytes) -> None:
    """Excel recalculates on load when ``calcPr fullCalcOnLoad`` is set (ECMA-376 §18.2.2)."""
    assert full_calc_on_load(filled) in ("1", "true")


def test_filled_workbook_reads_the_same(filled: bytes, tmp_path: Path, rubric: Rubric, answers) -> None:
    """Our reader reads inputs, not formula results: dropping them changes nothing it reads."""
    path = tmp_path / "filled.xlsx"
    path.write_bytes(filled)
    report = read_return(path, rubric)
    assert not report.errors
    blanks = {code for code, answer in answers.items() if answer.score is None}
    assert {a.code_id for a in report.response.answers if a.status == "blank"} == blanks
    assert report.response.answered == len(rubric.value_codes) - len(blanks)


def test_drop_cached_results_keeps_formula_style_and_other_cells() -> None:
    xml = (
        '<row r="1"><c r="A1" s="3" t="str"><f>COUNTA(B1:B3)&amp;" of 3"</f><v>0 of 3</v></c>'
        '<c r="B1" s="2"><f>SUM(C1:C3)</f><v>0</v></c><c r="C1"><v>7</v></c>'
        '<c r="D1" t="s"><v>4</v></c><c r="E1"><f>1+1</f></c></row>'
    )
    assert drop_cached_results(xml) == (
        '<row r="1"><c r="A1" s="3"><f>COUNTA(B1:B3)&amp;" of 3"</f></c>'
        '<c r="B1" s="2"><f>SUM(C1:C3)</f></c><c r="C1"><v>7</v></c>'
        '<c r="D1" t="s"><v>4</v></c><c r="E1"><f>1+1</f></c></row>'
    )
