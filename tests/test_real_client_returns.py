"""A filled return survives being re-saved by real spreadsheet programs.

A return is filled with openpyxl (:func:`nps_xlsx.testing.fill_workbook`), as a council's
own tooling might, then re-saved by LibreOffice (as .xlsx, .ods and Excel 97 .xls) and by
Gnumeric (as .xlsx). Each copy must read back exactly as the original file reads back:
the same answers, cover fields, issues and status. Each conversion runs once per module.

What changes, as of LibreOffice 7.4 and Gnumeric 1.12.55:

* LibreOffice's .ods export drops every tab from a text cell that has more than one
  line: ``"a\\tb\\nc"`` is saved as ``"ab\\nc"`` (both in ``office:string-value`` and in
  the ``<text:p>`` paragraphs), while a one-line ``"a\\tb"`` keeps its ``<text:tab/>``.
  Its .xlsx and .xls exports keep the tab. This is the client losing data, not the
  reader: :data:`CLIENT_CHANGES` states it exactly and the ODS copy is held to it.
* Nothing else that ``read_return`` reports. The raw input cells (value and kind) are
  otherwise identical in all four copies, including multi-line comments, runs of spaces,
  non-BMP characters, a comment starting with ``=`` and text that looks like a number,
  date or error. A formula is calculated (see the formula tests).

Normalisations before any client is involved, when the openpyxl file itself is read:
``read_return`` strips leading and trailing whitespace from text; and openpyxl without lxml
writes CR unescaped, so XML end-of-line handling turns ``\\r\\n`` (and a lone ``\\r``) into
``\\n`` (with lxml it escapes CR, which is kept). Every client saves ``\\r\\n`` as ``\\n``.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl.xml
import pytest
from defusedxml import ElementTree

from nps_xlsx import layout
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_workbook
from nps_xlsx.validate.check import FileReport, read_return

from .clients import soffice_convert, ssconvert_convert

pytestmark = pytest.mark.real_client

COVER: dict[str, object] = {
    "council_name": "Dacorum Borough Council",
    "respondent_name": "Zoë O’Brien-Smith",
    "respondent_role": "Head of Procurement & Contracts (“Commercial”)",
    "respondent_email": "zoe.obrien@dacorum.gov.uk",
    "completion_date": datetime.date(2018, 6, 30),
}

LONG = " ".join(f"Paragraph {n}: spend analysis, café forum, £{n},000 saved – “good”." for n in range(60))
COMMENTS: tuple[str | None, ...] = (
    None,
    "We have a category management approach.\nIt was refreshed in 2017 and approved by Cabinet.",
    "Savings of “approximately” £1.2m were reported – against a target of £1.5m.",
    "A café-style supplier forum was piloted.\n\nA second paragraph, after a blank line.",
    "=SUM(A1:A3) is how we track spend; this must stay text",
    "Windows line break:\r\nsecond line",
    "  padded with spaces and a trailing newline  \n",
    "tab\tseparated  with  double  spaces\n  and an indented line",
    "one line with a\ttab",
    "emoji 🙂 outside the BMP, and ‘single’ quotes",
    "0123",
    "1/2/2018",
    "#N/A",
    "'starts with an apostrophe",
    LONG,
)
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
FORMULA_CODE_INDEX = 1  # the value code whose score is a formula in the formula return
FORMULA = '="3 - Mature"'


PRIORITIES = (*layout.PRIORITY_CHOICES, None)
SUPPORTS = (*layout.SUPPORT_CHOICES, None)


def planned_answers(rubric: Rubric) -> dict[str, Typed]:
    """Every level as its drop-down text, Unscored and blanks, each with one of :data:`COMMENTS`, and every
    priority and support wanted choice (and blanks) from their drop-downs."""
    choices = layout.score_choices(rubric)  # the levels, then the unscored choice
    answers = {}
    for i, code in enumerate(rubric.value_codes):
        score = None if i % 7 == 3 else choices[i % len(choices)]
        answers[code.id] = Typed(score, COMMENTS[i % len(COMMENTS)], PRIORITIES[i % 4], SUPPORTS[i % 3])
    return answers


def planned_targets(rubric: Rubric) -> dict[str, str | None]:
    """Every level as a key area's target, as the drop-down writes it, and a blank."""
    levels = layout.level_choices(rubric)
    return {area.id: None if i % 6 == 5 else levels[i % len(levels)] for i, area in enumerate(rubric.areas)}


def ambition_keys(report: FileReport) -> tuple[list[tuple], list[tuple]]:
    """Each answer's priority and support wanted and their cells, and each target level and its cell."""
    assert report.response is not None
    choices = [(a.code_id, a.priority, a.support, a.priority_cell, a.support_cell) for a in report.response.answers]
    return choices, [(t.area_id, t.level, t.sheet, t.cell) for t in report.response.targets]


# With lxml installed, openpyxl writes a CR escaped (``&#13;``) and it is kept; without, it writes it
# raw and XML end-of-line handling turns it into LF on reading.
OPENPYXL_KEEPS_CR = openpyxl.xml.LXML


def as_written(text: str | None) -> str:
    """A comment as the openpyxl file holds it."""
    return (text or "") if OPENPYXL_KEEPS_CR else (text or "").replace("\r\n", "\n").replace("\r", "\n")


def expected_comment(text: str | None) -> str:
    """What the openpyxl file reads back as: as written, with the ends stripped."""
    return as_written(text).strip()


def _lf(text: str) -> str:
    """Every client saves a CRLF line end as LF."""
    return text.replace("\r\n", "\n")


def _drop_tabs_if_multiline(text: str) -> str:
    return text.replace("\t", "") if "\n" in text else text


# What each client does to the text of a comment cell (as written, CRLF saved as LF by all), when saving.
CLIENT_CHANGES = {"libreoffice-ods": _drop_tabs_if_multiline}


def expected_after(client: str, rubric: Rubric, original: FileReport) -> list[tuple]:
    """The original's answers, with each comment changed as :data:`CLIENT_CHANGES` says ``client`` changes it."""
    change = CLIENT_CHANGES.get(client)
    planned = planned_answers(rubric)
    expected = []
    for code_id, status, score, comment in answer_keys(original):
        if change is not None:
            comment = change(_lf(as_written(planned[code_id].comment))).strip()
        expected.append((code_id, status, score, _lf(comment)))
    return expected


def answer_keys(report: FileReport) -> list[tuple]:
    assert report.response is not None, f"{report.path}: no response ({[i.message for i in report.issues]})"
    return [(a.code_id, a.status, a.score, a.comment) for a in report.response.answers]


def cover_of(report: FileReport) -> dict[str, object]:
    response = report.response
    assert response is not None
    return {
        "council_name": response.council_name,
        "council_code": response.council_code,
        "respondent_name": response.respondent_name,
        "respondent_role": response.respondent_role,
        "respondent_email": response.respondent_email,
        "completion_date": response.completion_date,
    }


def issue_keys(report: FileReport) -> list[tuple]:
    """Each issue without its file: (code, severity, value code, sheet, cell)."""
    return sorted(
        (i.code, i.severity, i.value_code or "", i.location.sheet or "", i.location.cell or "") for i in report.issues
    )


# --- the return and its copies --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("real_client_returns")


@pytest.fixture(scope="module")
def profile(workdir: Path) -> Path:
    """One private LibreOffice profile for the module (creating it is part of the first conversion's cost)."""
    return workdir / "lo-profile"


@pytest.fixture(scope="module")
def filled(personalised_path: Path, rubric: Rubric, workdir: Path) -> Path:
    path = workdir / "return.xlsx"
    fill_workbook(personalised_path, path, planned_answers(rubric), COVER, planned_targets(rubric))
    return path


@pytest.fixture(scope="module")
def original(filled: Path, rubric: Rubric) -> FileReport:
    return read_return(filled, rubric)


CLIENTS = {
    # id: (how to convert, format read_return should detect)
    "libreoffice-xlsx": (lambda src, out, prof: soffice_convert(src, "xlsx", out, prof), "xlsx"),
    "libreoffice-ods": (lambda src, out, prof: soffice_convert(src, "ods", out, prof), "ods"),
    "libreoffice-xls": (lambda src, out, prof: soffice_convert(src, "xls", out, prof), "xls"),
    "gnumeric-xlsx": (lambda src, out, _prof: ssconvert_convert(src, out / f"{src.stem}.xlsx"), "xlsx"),
}


@pytest.fixture(scope="module")
def convert(filled: Path, workdir: Path, profile: Path) -> Callable[[str], Path]:
    """``convert(client)``: the return re-saved by ``client``, converted at most once per module."""
    done: dict[str, Path] = {}

    def converted(client: str) -> Path:
        if client not in done:
            how, _format = CLIENTS[client]
            done[client] = how(filled, workdir / client, profile)
        return done[client]

    return converted


@pytest.fixture(scope="module", params=list(CLIENTS))
def resaved(request: pytest.FixtureRequest, convert: Callable[[str], Path]) -> tuple[str, Path]:
    """(client id, path) of the return re-saved by one client."""
    return request.param, convert(request.param)


@pytest.fixture(scope="module")
def resaved_report(resaved: tuple[str, Path], rubric: Rubric) -> FileReport:
    return read_return(resaved[1], rubric)


# --- the original reads back what was written -----------------------------------------------------------------


def test_original_reads_back_what_was_written(original: FileReport, rubric: Rubric) -> None:
    """Anchor for the comparisons below: the openpyxl file itself reads as planned."""
    planned = planned_answers(rubric)
    levels = layout.score_choices(rubric)[: len(rubric.levels)]
    expected = []
    for code_id, answer in planned.items():
        if answer.score is None:
            status, score = "blank", None
        elif answer.score == rubric.unscored:
            status, score = "unscored", None
        else:
            status, score = "scored", levels.index(answer.score) + 1
        expected.append((code_id, status, score, expected_comment(answer.comment)))
    assert answer_keys(original) == expected
    # the plan covers every level, Unscored and blanks, and every comment
    assert {s for _c, _st, s, _cm in expected} == {None, *range(1, len(rubric.levels) + 1)}
    assert {st for _c, st, _s, _cm in expected} == {"scored", "unscored", "blank"}
    assert {answer.comment for answer in planned.values()} == set(COMMENTS)

    assert cover_of(original) == {**COVER, "council_code": "E07000096"}
    blanks = [code_id for code_id, answer in planned.items() if answer.score is None]
    assert original.status == "accepted-with-warnings"
    assert [(i.code, i.value_code) for i in original.issues] == [("score-blank", code_id) for code_id in blanks]


def test_original_reads_back_its_targets_priorities_and_support(original: FileReport, rubric: Rubric) -> None:
    choices, targets = ambition_keys(original)
    planned = planned_answers(rubric)
    assert [(c, p, s) for c, p, s, *_cells in choices] == [(c, a.priority, a.support) for c, a in planned.items()]
    levels = layout.level_choices(rubric)
    expected = [(area_id, levels.index(t) + 1 if t else None) for area_id, t in planned_targets(rubric).items()]
    assert [(area_id, level) for area_id, level, *_where in targets] == expected
    # every choice of each drop-down is used, and blanks
    assert {p for _c, p, *_ in choices} == {*layout.PRIORITY_CHOICES, None}
    assert {s for _c, _p, s, *_ in choices} == {*layout.SUPPORT_CHOICES, None}
    assert {level for _a, level, *_ in targets} == {None, *range(1, len(rubric.levels) + 1)}


def test_resaved_targets_priorities_and_support_are_unchanged(resaved_report: FileReport, original: FileReport) -> None:
    """A target, a priority and a support answer survive each client, in the same cells."""
    assert ambition_keys(resaved_report) == ambition_keys(original)


def test_comment_starting_with_equals_stays_text(original: FileReport, resaved_report: FileReport) -> None:
    for report in (original, resaved_report):
        comments = [a.comment for a in report.response.answers] if report.response else []
        assert "=SUM(A1:A3) is how we track spend; this must stay text" in comments
        assert not [i for i in report.issues if i.code == "formula-without-value"]


# --- each copy reads back as the original ---------------------------------------------------------------------


def test_resaved_answers_are_unchanged(
    resaved: tuple[str, Path], resaved_report: FileReport, original: FileReport, rubric: Rubric
) -> None:
    """Identical, except where the client is known to change a comment (see :data:`CLIENT_CHANGES`)."""
    client, _path = resaved
    expected = expected_after(client, rubric, original)
    assert answer_keys(resaved_report) == expected
    changed = [
        new for new, (*old, text) in zip(expected, answer_keys(original), strict=True) if new != (*old, _lf(text))
    ]
    if client in CLIENT_CHANGES:
        # the known change does happen in this return (so the exception above is not vacuous) ...
        assert changed and all("\t" not in comment for *_rest, comment in changed)
        # ... and the one-line comment with a tab is kept
        assert any(comment == "one line with a\ttab" for *_rest, comment in answer_keys(resaved_report))
    else:
        assert changed == []


def test_libreoffice_ods_itself_drops_tabs_from_multiline_text(convert: Callable[[str], Path]) -> None:
    """The tab is missing from the .ods file itself (value and paragraphs), so the reader is not losing it."""
    with zipfile.ZipFile(convert("libreoffice-ods")) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    cells = [cell for cell in root.iter(f"{{{TABLE}}}table-cell") if cell.get(f"{{{OFFICE}}}value-type") == "string"]
    values = {cell.get(f"{{{OFFICE}}}string-value") for cell in cells}
    paragraphs = {"\n".join("".join(p.itertext()) for p in cell.findall(f"{{{TEXT}}}p")) for cell in cells}
    multiline = "tab\tseparated  with  double  spaces\n  and an indented line"
    for found in (values, paragraphs):
        assert multiline not in found
        assert multiline.replace("\t", "") in found
    single = [cell for cell in cells if "".join(cell.itertext()) == "one line with atab"]
    assert single and all(cell.find(f"{{{TEXT}}}p/{{{TEXT}}}tab") is not None for cell in single)


def test_resaved_cover_is_unchanged(resaved_report: FileReport, original: FileReport) -> None:
    assert cover_of(resaved_report) == cover_of(original)
    assert isinstance(cover_of(resaved_report)["completion_date"], datetime.date)


def test_resaved_status_and_issues_are_unchanged(resaved_report: FileReport, original: FileReport) -> None:
    assert resaved_report.status == original.status
    assert issue_keys(resaved_report) == issue_keys(original)


def test_resaved_answers_are_found_in_the_same_cells(resaved_report: FileReport, original: FileReport) -> None:
    assert resaved_report.response is not None and original.response is not None
    where = [(a.sheet, a.score_cell, a.comment_cell) for a in resaved_report.response.answers]
    assert where == [(a.sheet, a.score_cell, a.comment_cell) for a in original.response.answers]


def test_resaved_format_is_read_by_content(resaved: tuple[str, Path], resaved_report: FileReport) -> None:
    client, path = resaved
    assert resaved_report.format == CLIENTS[client][1]
    assert resaved_report.path == str(path)


# --- a formula in a score cell --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def formula_return(personalised_path: Path, rubric: Rubric, workdir: Path) -> Path:
    """The planned return, but one score is the formula ``="3 - Mature"``, saved by openpyxl with no value."""
    answers = planned_answers(rubric)
    code_id = rubric.value_codes[FORMULA_CODE_INDEX].id
    answers[code_id] = Typed(FORMULA, "scored by a formula")
    path = workdir / "formula" / "formula_return.xlsx"
    path.parent.mkdir()
    fill_workbook(personalised_path, path, answers, COVER)
    return path


def test_uncached_formula_score_is_an_error(formula_return: Path, rubric: Rubric) -> None:
    code_id = rubric.value_codes[FORMULA_CODE_INDEX].id
    report = read_return(formula_return, rubric)
    assert [(i.code, i.severity) for i in report.issues if i.value_code == code_id] == [
        ("formula-without-value", "error")
    ]
    assert report.status == "rejected"


def test_uncached_formula_score_is_not_accepted_as_an_answer(formula_return: Path, rubric: Rubric) -> None:
    """A formula with no value never counts as a score."""
    code_id = rubric.value_codes[FORMULA_CODE_INDEX].id
    report = read_return(formula_return, rubric)
    answer = next(a for a in answer_keys(report) if a[0] == code_id)
    assert answer[1:3] == ("invalid", None)


@pytest.mark.parametrize("client", ["libreoffice-xlsx", "gnumeric-xlsx"])
def test_resaved_formula_score_is_calculated(
    client: str, formula_return: Path, rubric: Rubric, original: FileReport, workdir: Path, profile: Path
) -> None:
    """The client calculates the formula on load and saves its value: the score reads as 3, with no issue."""
    code_id = rubric.value_codes[FORMULA_CODE_INDEX].id
    how, _format = CLIENTS[client]
    path = how(formula_return, workdir / "formula" / client, profile)
    report = read_return(path, rubric)
    assert [i for i in report.issues if i.value_code == code_id] == []
    answers = dict((a[0], a[1:]) for a in answer_keys(report))
    assert answers[code_id] == ("scored", 3, "scored by a formula")
    # everything else is as in the return without the formula
    others = [a for a in expected_after(client, rubric, original) if a[0] != code_id]
    assert [a for a in answer_keys(report) if a[0] != code_id] == others
    assert report.status == "accepted-with-warnings"
