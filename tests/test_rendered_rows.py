"""Rows tall enough for their text, as LibreOffice prints them (issue 11, "Done when").

A filled return (every value code with a long comment) and the sample summary are rendered to PDF
once per module, with a copy of the return whose one value-code row is cut to 15 pt to show that the
checker (tests/rendered_text.py) sees text that does not fit.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx import a1, layout
from nps_xlsx.cli import main
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes

from .clients import soffice_convert_all
from .conftest import REPO
from .rendered_text import Fit, fit

pytestmark = pytest.mark.real_client

# Two paragraphs, about 300 characters: as much as the shortest value-code row (110 pt) is made for.
COMMENT = (
    "A corporate procurement strategy approved by Cabinet in 2023 sets out how we apply this; "
    "practice is consistent in the larger directorates.\n\n"
    "Evidence: quarterly reports to the Audit Committee, the published contracts register and "
    "the annual social value statement."
)
LONG_COMMENT = " ".join(f"Point {n}: the evidence is in the annual procurement report." for n in range(1, 16))
SHORT_ROW = layout.code_row(1) + 1  # the second value code's row (1-based), on the first key-area sheet


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _filled_return(template: bytes, rubric: Rubric, comments: dict[str, str] | None = None) -> bytes:
    choices = layout.score_choices(rubric)
    answers = {
        code.id: Typed(choices[i % len(choices)], (comments or {}).get(code.id, COMMENT))
        for i, code in enumerate(rubric.value_codes)
    }
    return fill_bytes(template, answers, {"council_name": "Dacorum Borough Council", "respondent_name": "A. Officer"})


def _with_row_height(xlsx: bytes, sheet_name: str, row: int, height: float) -> bytes:
    """A copy of ``xlsx`` with one row of one sheet set to ``height`` points."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    rel_id = re.search(
        rf'<sheet name="{re.escape(sheet_name)}" [^>]*r:id="([^"]+)"', source.read("xl/workbook.xml").decode()
    )
    assert rel_id, sheet_name
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'Id="{rel_id[1]}" [^>]*Target="([^"]+)"|Target="([^"]+)" [^>]*Id="{rel_id[1]}"', rels)
    assert target, rel_id[1]
    part = "xl/" + (target[1] or target[2])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data, count = re.subn(rb'(<row r="%d" [^>]*?ht=")[0-9.]+"' % row, rb'\g<1>%g"' % height, data)
                assert count == 1, f"row {row} has no height in {part}"
            copy.writestr(info, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def rendered(rubric: Rubric, template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fit]:
    """The fit of each workbook's text in its LibreOffice PDF: "template", "short" and "summary"."""
    work = tmp_path_factory.mktemp("rendered-rows")
    filled = _filled_return(template_path.read_bytes(), rubric)
    (work / "template.xlsx").write_bytes(filled)
    (work / "short.xlsx").write_bytes(_with_row_height(filled, rubric.areas[0].sheet, SHORT_ROW, 15))
    last = rubric.areas[0].value_codes[-1].id  # nothing below its row to draw over
    (work / "long.xlsx").write_bytes(_filled_return(template_path.read_bytes(), rubric, {last: LONG_COMMENT}))
    # collect on a copy, with relative paths, so that the ledger's columns do not depend on the checkout
    shutil.copytree(REPO / "samples" / "returns", work / "returns")
    shutil.copy(REPO / "samples" / "councils.csv", work / "councils.csv")
    shutil.copy(REPO / "samples" / "previous" / "responses-2021.csv", work / "r2021.csv")  # and the rounds' sheets
    with _cwd(work):
        args = ["collect", "returns", "--expected", "councils.csv", "--out", "summary.xlsx", "--previous", "r2021.csv"]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    names = ("template", "short", "long", "summary")
    sources = [work / f"{name}.xlsx" for name in names]
    pdfs = soffice_convert_all(sources, "pdf", work / "pdf", tmp_path_factory.mktemp("lo-profile-render"))
    return {name: fit(source, pdf) for name, source, pdf in zip(names, sources, pdfs, strict=True)}


@pytest.mark.parametrize("name", ["template", "summary"])
def test_every_row_is_tall_enough_for_its_wrapped_text(rendered: dict[str, Fit], name: str) -> None:
    problems = rendered[name].row_problems()
    assert problems == [], f"{len(problems)} texts do not fit their rows in the {name}:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("name", ["template", "summary"])
def test_every_column_is_wide_enough_for_its_text(rendered: dict[str, Fit], name: str) -> None:
    problems = rendered[name].column_problems()
    assert problems == [], f"{len(problems)} texts do not fit their columns in the {name}:\n" + "\n".join(problems[:20])


def test_the_checker_sees_a_row_too_short_for_its_text(rendered: dict[str, Fit], rubric: Rubric) -> None:
    short = rendered["short"]
    assert short.row_problems(), "a 15 pt value-code row went unnoticed"
    # what is drawn over the next row, or cut off, is the shortened row's text
    row_cells = {f"{rubric.areas[0].sheet}!{a1.cell_ref(SHORT_ROW - 1, col)}" for col in range(20)}
    row_words = {token for cell in short.cells if cell.where in row_cells for token in cell.text.split()}
    drawn = [overlap for overlap in short.overlaps if overlap.kind == "row"]
    assert drawn and all(overlap.first.page == drawn[0].first.page for overlap in drawn)
    assert all(overlap.first.text in row_words or overlap.second.text in row_words for overlap in drawn)
    # the unchanged return has none of this
    assert rendered["template"].row_problems() == []


def test_the_checker_sees_text_cut_off_at_the_end_of_a_sheet(rendered: dict[str, Fit]) -> None:
    """A comment far longer than its row, with nothing below it to be drawn over: LibreOffice cuts it off."""
    long = rendered["long"]
    cut = {token for token in long.missing if token.startswith("Point") or token.rstrip(":").isdigit()}
    assert cut, "words cut off the last row went unnoticed"
    assert long.row_problems() and long.column_problems() == []


def test_the_readme_pictures_render(tmp_path: Path) -> None:
    """tools/render_pictures.py writes both PNGs, each a readable size and small enough to commit."""
    import struct
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "render_pictures.py"), "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("key-area-sheet.png", "summary-overview.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 600 and height >= 300, (name, width, height)
        assert 10_000 < len(data) < 200_000, (name, len(data))
