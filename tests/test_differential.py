"""Differential test: every file of ``tests/corpus/`` read by our reader and by a second one must agree.

The corpus is third-party files (Excel, LibreOffice, Gnumeric, Google Sheets, WPS, Numbers and other
writers; see ``tests/corpus/SOURCES.md``). The second reader is python-calamine for every format, and
openpyxl as well for ``.xlsx``/``.xlsm``. What "agree" means, and the normalisations, are in
:mod:`tests.differential`.

Each disagreement is matched against :data:`RULES`, in order:

* ``deliberate``: a documented choice (ours, or the other reader's known behaviour); allowed.
  Every deliberate rule has a section in ``tests/corpus/DIFFERENCES.md`` with its reason.
* ``bug``: a known bug of ours. The file's test is marked xfail with the rule's name, so it passes
  (and the rule can be deleted) once the bug is fixed; any *other* disagreement in that file still fails.

A disagreement no rule explains fails the test with the file, sheet, cell and both values.
The real-client tests (:mod:`tests.test_differential_clients`) apply the same rules to re-saves.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest

from nps_xlsx.read.ods import ANSWER_COLUMNS, ANSWER_ROWS

from .differential import READERS, Disagreement, compare, read_ours, readers_for

CORPUS = Path(__file__).parent / "corpus"
EXTENSIONS = {".xlsx", ".xlsm", ".ods", ".xls"}
DAY = timedelta(days=1)
LEAP_DAY = datetime(1900, 3, 1)  # Excel's serial 60 is the fictitious 29 February 1900
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
ODS_REPEAT = re.compile(rb'number-(rows|columns)-repeated="([0-9]{1,12})"')
CALAMINE_CELL_LIMIT = 100_000_000  # python-calamine refuses a sheet whose used range has more cells


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in EXTENSIONS)


# ---------------------------------------------------------------------------------------------------------------
# Rules: predicates over one disagreement (and the file it came from)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A class of disagreement: ``deliberate`` (allowed, documented) or ``bug`` (ours, to be fixed)."""

    name: str
    status: Literal["deliberate", "bug"]
    matches: Callable[[Disagreement, Path], bool]
    reason: str


def _cells(d: Disagreement) -> tuple[tuple[str, object], tuple[str, object]] | None:
    """Both sides of a cell disagreement, each as ``(kind, value)`` (a missing cell is ``("", None)``)."""
    if d.what != "cell":
        return None
    return d.ours or ("", None), d.theirs or ("", None)  # type: ignore[return-value]


def _unescape(text: str) -> str:
    return ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def _text_pair(d: Disagreement) -> tuple[str, str] | None:
    pair = _cells(d)
    if pair is None or pair[0][0] != "text" or pair[1][0] not in ("text", ""):
        return None
    return str(pair[0][1]), str(pair[1][1] or "")


def _date_pair(d: Disagreement) -> tuple[datetime, datetime] | None:
    pair = _cells(d)
    if pair is None or pair[0][0] != "date" or pair[1][0] != "date":
        return None
    return pair[0][1], pair[1][1]  # type: ignore[return-value]


def _we_read_they_refuse(d: Disagreement) -> bool:
    return d.what == "refused" and d.ours == "read" and isinstance(d.theirs, str) and d.theirs != "read"


def calamine_trims(d: Disagreement, _path: Path) -> bool:
    pair = _text_pair(d)
    if d.reader != "calamine" or pair is None or len(pair[1]) >= len(pair[0]):
        return False
    return re.sub(r"\s", "", pair[0]) == re.sub(r"\s", "", pair[1])  # only whitespace is missing in theirs


def leap_year_quirk(d: Disagreement, _path: Path) -> bool:
    pair = _date_pair(d)
    return pair is not None and pair[0] - pair[1] == DAY and datetime(1900, 1, 1) <= pair[0] < LEAP_DAY


def date_1904(d: Disagreement, _path: Path) -> bool:
    pair = _date_pair(d)
    return pair is not None and pair[0] - pair[1] == timedelta(days=1462)


def calamine_biff_text(d: Disagreement, path: Path) -> bool:
    pair = _text_pair(d)
    return (
        d.reader == "calamine"
        and path.suffix.lower() == ".xls"
        and pair is not None
        and re.search(r"[\x00\x80-\x9f]", pair[1]) is not None
        and re.search(r"[\x00\x80-\x9f]", pair[0]) is None
    )


def xls_chart_sheets(d: Disagreement, path: Path) -> bool:
    if d.what != "sheets" or d.reader != "calamine" or path.suffix.lower() != ".xls":
        return False
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    charts = {s.name for s in workbook.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.ChartSheet}
    return d.ours == [name for name in d.theirs if name not in charts]  # type: ignore[union-attr]


def openpyxl_escape_inline(d: Disagreement, _path: Path) -> bool:
    pair = _text_pair(d)
    return d.reader == "openpyxl" and pair is not None and "_x" in pair[1] and _unescape(pair[1]) == pair[0]


def openpyxl_crashes(d: Disagreement, _path: Path) -> bool:
    crash = (
        "TypeError",
        "UnboundLocalError",
        "AttributeError",
        "IndexError",
        "KeyError: \"There is no item named 'xl/sh",
    )
    return d.reader == "openpyxl" and d.ours == "read" and isinstance(d.theirs, str) and d.theirs.startswith(crash)


def openpyxl_no_sheets(d: Disagreement, _path: Path) -> bool:
    no_sheets = (d.what == "sheets" and d.theirs == []) or (d.what == "refused" and d.theirs == "read: no sheets")
    return d.reader == "openpyxl" and no_sheets


def openpyxl_date_overflow(d: Disagreement, _path: Path) -> bool:
    pair = _cells(d)
    return d.reader == "openpyxl" and pair is not None and pair[0][0] == "number" and pair[1] == ("error", "#VALUE!")


def calamine_iso_duration(d: Disagreement, _path: Path) -> bool:
    pair = _cells(d)
    duration = re.compile(r"-?PT\d+H\d+M[\d.]+S")
    return (
        pair is not None
        and pair[0][0] in ("date", "number")
        and pair[1][0] == "text"
        and duration.fullmatch(str(pair[1][1])) is not None
    )


def _largest_repeats(path: Path) -> tuple[int, int]:
    """The largest ``number-rows-repeated`` and ``number-columns-repeated`` counts in an ``.ods``'s content.xml."""
    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        return 0, 0
    counts = {b"rows": 0, b"columns": 0}
    for which, count in ODS_REPEAT.findall(content):
        counts[which] = max(counts[which], int(count))
    return counts[b"rows"], counts[b"columns"]


def ods_repeats_beyond_answer_area(d: Disagreement, path: Path) -> bool:
    if not (d.reader == "calamine" and path.suffix.lower() == ".ods" and _we_read_they_refuse(d)):
        return False
    if not str(d.theirs).startswith("CalamineError: Cell limit exceeded"):
        return False
    rows, columns = _largest_repeats(path)
    beyond = rows > ANSWER_ROWS or columns > ANSWER_COLUMNS  # copies we skip, which calamine would expand
    return beyond and max(rows, 1) * max(columns, 1) > CALAMINE_CELL_LIMIT


RULES: tuple[Rule, ...] = (
    # deliberate choices: each has a section in tests/corpus/DIFFERENCES.md
    Rule("calamine-trims-text", "deliberate", calamine_trims, "calamine strips whitespace without xml:space"),
    Rule("excel-1900-leap-year", "deliberate", leap_year_quirk, "serials 1-59: we show the date Excel shows"),
    Rule("date-1904", "deliberate", date_1904, "we honour the workbook's 1904 date system"),
    Rule("calamine-biff-text", "deliberate", calamine_biff_text, "calamine mis-decodes some BIFF text"),
    Rule("xls-chart-sheets", "deliberate", xls_chart_sheets, "xlrd does not list .xls chart sheets"),
    Rule("openpyxl-inline-escapes", "deliberate", openpyxl_escape_inline, "openpyxl keeps _xHHHH_ in inline text"),
    Rule("openpyxl-crashes", "deliberate", openpyxl_crashes, "openpyxl raises an internal error"),
    Rule("openpyxl-no-sheets", "deliberate", openpyxl_no_sheets, "openpyxl finds no sheets (Strict, missing parts)"),
    Rule("openpyxl-date-overflow", "deliberate", openpyxl_date_overflow, "openpyxl shows #VALUE! for huge dates"),
    Rule("calamine-iso-duration", "deliberate", calamine_iso_duration, "calamine gives .ods durations as text"),
    Rule(
        "ods-repeats-beyond-answer-area",
        "deliberate",
        ods_repeats_beyond_answer_area,
        "calamine expands .ods repeats past its cell limit; we keep copies only inside the answer area",
    ),
)


def classify(d: Disagreement, path: Path) -> Rule | None:
    """The first rule that explains ``d``, if any."""
    return next((rule for rule in RULES if rule.matches(d, path)), None)


def check(path: Path, label: str, readers: list[str] | None = None) -> None:
    """Compare ``path`` with each second reader; fail on what no rule explains, xfail on known bugs."""
    ours = read_ours(path)
    unexplained: list[str] = []
    bugs: dict[str, list[str]] = {}
    for reader in readers or readers_for(path):
        for d in compare(label, reader, ours, READERS[reader](path)):
            rule = classify(d, path)
            if rule is None:
                unexplained.append(str(d))
            elif rule.status == "bug":
                bugs.setdefault(rule.name, []).append(str(d))
    if unexplained:
        pytest.fail(f"{len(unexplained)} unexplained disagreement(s):\n" + "\n".join(unexplained), pytrace=False)
    if bugs:
        lines = [f"{name}: {d}" for name, found in bugs.items() for d in found]
        pytest.xfail("known bug(s) " + ", ".join(sorted(bugs)) + ":\n" + "\n".join(lines))


# ---------------------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_reads_as_the_second_reader_reads_it(path: Path) -> None:
    check(path, str(path.relative_to(CORPUS)))


def test_every_corpus_file_has_a_stated_source_and_licence() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+\.(?:xlsx|xlsm|ods|xls))` \|", sources, re.MULTILINE))
    present = {str(p.relative_to(CORPUS)) for p in corpus_files()}
    assert present == listed, f"not in SOURCES.md: {present - listed}; listed but absent: {listed - present}"
    folders = {name.split("/")[0] for name in present}
    licences = {p.stem for p in (CORPUS / "LICENSES").iterdir()}
    assert folders <= licences, f"folders without a licence text: {sorted(folders - licences)}"


def test_every_rule_is_documented() -> None:
    documented = set(re.findall(r"^## `([a-z0-9-]+)`", (CORPUS / "DIFFERENCES.md").read_text(encoding="utf-8"), re.M))
    assert {rule.name for rule in RULES} == documented


def test_an_unexplained_disagreement_fails(tmp_path: Path) -> None:
    """The check is not vacuous: a cell changed behind calamine's back is reported with file, sheet and cell."""
    source = CORPUS / "tealeg-xlsx" / "testfile.xlsx"
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(changed, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<t>Foo</t>", b"<t>Fox</t>")
            new.writestr(info, data)
    ours = read_ours(source)
    found = compare("changed.xlsx", "calamine", ours, READERS["calamine"](changed))
    assert [(d.what, d.cell, d.ours, d.theirs) for d in found] == [("cell", "A1", ("text", "Foo"), ("text", "Fox"))]
    assert classify(found[0], changed) is None
    expected = "changed.xlsx › Tabelle1!A1 [calamine, cell]: ours ('text', 'Foo') vs theirs ('text', 'Fox')"
    assert str(found[0]) == expected


def test_the_ods_repeat_rule_explains_only_repeats_beyond_the_answer_area(tmp_path: Path) -> None:
    """calamine's cell-limit refusal is deliberate only where the file's repeats reach past the answer area."""
    from . import hostile_legacy as hl

    refusal = "CalamineError: Cell limit exceeded (17179869184 cells requested, max 100000000)"
    dos = CORPUS / "calamine" / "issue_594_dos.ods"
    assert [d.theirs for d in compare("dos", "calamine", read_ours(dos), READERS["calamine"](dos))] == [refusal]
    within = hl.make_ods(tmp_path, hl.ods_table("Sheet1", hl.ods_row(hl.ods_cell("x", ANSWER_COLUMNS), ANSWER_ROWS)))
    for path in (dos, within):
        found = Disagreement(path.name, "calamine", "refused", ours="read", theirs=refusal)
        expected = "ods-repeats-beyond-answer-area" if path == dos else None
        assert getattr(classify(found, path), "name", None) == expected
        other = Disagreement(path.name, "calamine", "refused", ours="read", theirs="XmlError: unexpected end")
        assert classify(other, path) is None
