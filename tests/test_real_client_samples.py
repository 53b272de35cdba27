"""The bundled samples show, opened in LibreOffice, the figures ``validate`` reads (issue 10, point 9).

One sample of each kind is exported by LibreOffice as CSV (one run for all), sheet by sheet,
as LibreOffice shows it to a person: each formula's cached result if the file has one, else
what LibreOffice calculates (LibreOffice does not recalculate cached results on load, whatever
the workbook's ``fullCalcOnLoad`` says). The Cover's "N of 59 answered" must equal the scores
``validate`` reads, overall and per key area, and "Your summary" must count the levels
``validate`` reads. A filled workbook that kept the template's cached results (for a blank
workbook) shows "0 of 59 answered" and fails here.

The template's formulas count any non-blank score as answered (COUNTA), and "Your summary"
takes a level from a score's first character; ``validate`` rejects a score such as
``seven`` or ``3.5`` instead. So the Cover is compared with the scores read (valid or not),
and the summary only for returns whose scores are all valid.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from nps_xlsx import layout
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.your_summary import TABLE_ROW
from nps_xlsx.validate.check import FileReport, read_return

from .clients import soffice_sheets_as_csv
from .conftest import REPO

pytestmark = pytest.mark.real_client

RETURNS = REPO / "samples" / "returns"
# One of each kind: complete, blank-heavy, resubmitted, typed scores (rejected), untouched
# (nothing answered), held for review, and saved by LibreOffice as .ods.
SAMPLES = [
    RETURNS / name
    for name in (
        "E08000003-manchester-city-council.xlsx",
        "E07000242-east-hertfordshire-district-council-partial.xlsx",
        "E07000098-hertsmere-borough-council-resubmitted.xlsx",
        "E07000103-watford-borough-council-typed.xlsx",
        "E09000007-london-borough-of-camden.xlsx",
        "E09000019-london-borough-of-islington.xlsx",
        "E10000015-hertfordshire-county-council.ods",
    )
]
ANSWERED = re.compile(r"(\d+) of (\d+) answered")
Table = list[list[str]]


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Table]]:
    """Each sample's Cover and summary (by file name, then sheet), as LibreOffice shows them."""
    work = tmp_path_factory.mktemp("lo-samples")
    sheets = [layout.COVER_SHEET, layout.SUMMARY_SHEET]
    exported = soffice_sheets_as_csv(SAMPLES, sheets, work / "out", work / "profile")
    return {
        source.name: {sheet: list(csv.reader(path.open(encoding="utf-8", newline=""))) for sheet, path in files.items()}
        for source, files in zip(SAMPLES, exported, strict=True)
    }


def count(text: object) -> tuple[int, int]:
    """``"57 of 59 answered"`` -> (57, 59)."""
    match = ANSWERED.fullmatch(str(text))
    assert match, f"not an 'N of M answered' count: {text!r}"
    return int(match[1]), int(match[2])


def cover_counts(cover: Table, rubric: Rubric) -> dict[str, tuple[int, int]]:
    """The Cover's counts: "Progress" under the key "*", and each key area's by its sheet name."""
    sheets = {area.sheet for area in rubric.areas}
    counts = {}
    for row in cover:
        if row[:1] == ["Progress"]:
            counts["*"] = count(row[1])
        elif row[:1] and row[0] in sheets and len(row) > 2:
            counts[row[0]] = count(row[2])
    return counts


def summary_counts(summary: Table, rubric: Rubric) -> dict[str, list[int]]:
    """Each key area's row of "Your summary": a count per level, then Unscored, then Not answered."""
    width = len(rubric.levels) + 2
    sheets = {area.sheet for area in rubric.areas}
    counts: dict[str, list[int]] = {}
    for row in summary[TABLE_ROW + 1 :]:
        if row[:1] and row[0] in sheets and row[0] not in counts:  # the table; the grid below repeats area names
            counts[row[0]] = [int(n) for n in row[1 : 1 + width]]
    return counts


def read_counts(report: FileReport, rubric: Rubric) -> tuple[dict[str, tuple[int, int]], dict[str, list[int]]]:
    """What ``validate`` read, in the Cover's and the summary's terms."""
    answers = {answer.code_id: answer for answer in report.response.answers}
    cover: dict[str, tuple[int, int]] = {}
    summary: dict[str, list[int]] = {}
    for area in rubric.areas:
        mine = [answers[code.id] for code in area.value_codes]
        cover[area.sheet] = (sum(a.status != "blank" for a in mine), len(mine))
        levels = [
            sum(a.status == "scored" and a.score == level for a in mine) for level in range(1, len(rubric.levels) + 1)
        ]
        summary[area.sheet] = [
            *levels,
            sum(a.status == "unscored" for a in mine),
            sum(a.status == "blank" for a in mine),
        ]
    cover["*"] = (sum(n for n, _ in cover.values()), len(rubric.value_codes))
    return cover, summary


def test_samples_of_each_kind_exist() -> None:
    assert [path for path in SAMPLES if not path.is_file()] == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_cover_and_summary_show_what_validate_reads(
    sample: Path, shown: dict[str, dict[str, Table]], rubric: Rubric
) -> None:
    report = read_return(sample, rubric)
    assert report.response is not None
    cover, summary = read_counts(report, rubric)
    assert cover_counts(shown[sample.name][layout.COVER_SHEET], rubric) == cover
    if all(answer.status != "invalid" for answer in report.response.answers):
        assert summary_counts(shown[sample.name][layout.SUMMARY_SHEET], rubric) == summary
