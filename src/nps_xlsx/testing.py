"""Helpers for testing code that uses nps-xlsx (as ``click.testing`` is for click): fill a generated workbook
programmatically, the way a council would.

Cells are found only through the workbook's defined names (``score_<ID>``,
``comment_<ID>`` and the cover field names), never by position, so a filled
copy exercises the same contract the return reader relies on. Used by tests
and to make example returns. :func:`fill_workbook` needs openpyxl, which is not
a dependency of the command-line tool: install the test extra (``pip install '.[test]'``).
"""

from __future__ import annotations

import html
import io
import random
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from . import a1, layout
from .a1 import parse_name_target
from .councils import Council
from .template.cells import drop_cached_results
from .text import escape_text  # as Excel: control characters (and CR) as _xHHHH_

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook

    from .rubric import Rubric


@dataclass(frozen=True)
class Typed:
    """What a council types into one value code's score and comment cells (what is read back is a
    :class:`nps_xlsx.validate.response.Answer`).

    ``score`` is written as-is: dropdown text such as ``"3 - Mature"``, the unscored
    choice, a number, any other text, ``None`` (left blank) or a formula (a ``str``
    starting with ``=``). ``comment`` is always written as text. ``priority`` and ``support`` (the drop-downs
    beside the score, e.g. ``"High"`` and ``"Yes"``) are written as-is, and left alone when ``None``.
    """

    score: object = None
    comment: str | None = None
    priority: object = None
    support: object = None


def _choices(answer: Typed) -> list[tuple[Callable[[str], str], object]]:
    """The defined-name makers and values of an answer's priority and support, where given."""
    pairs = ((layout.priority_name, answer.priority), (layout.support_name, answer.support))
    return [(name, value) for name, value in pairs if value is not None]


def fill_workbook(
    template: Path,
    out: Path,
    answers: Mapping[str, Typed],
    cover: Mapping[str, object] | None = None,
    targets: Mapping[str, object] | None = None,
) -> None:
    """Copy `template` to `out` with the given answers (keyed by value-code ID), cover fields
    (keyed by defined name, e.g. council_name, respondent_name, completion_date as datetime.date) and
    target levels (keyed by key-area ID, written as-is, e.g. ``"3 - Mature"``).

    Raises ``KeyError`` for a value-code ID or cover field the workbook does not define.
    openpyxl writes formulas without their cached results, so none is stale (see
    :func:`drop_cached_results`). Needs openpyxl (the test extra), imported here so that the package does not.
    """
    import openpyxl

    workbook = openpyxl.load_workbook(template)
    cover_names = {name for name, _label in layout.COVER_FIELDS}
    for name, value in (cover or {}).items():
        if name not in cover_names:
            raise KeyError(f"{name!r} is not a cover field; expected one of {sorted(cover_names)}")
        _write_value(_named_cell(workbook, name), value)
    for code_id, answer in answers.items():
        _write_value(_named_cell(workbook, layout.score_name(code_id)), answer.score)
        _write_text(_named_cell(workbook, layout.comment_name(code_id)), answer.comment)
        for make, value in _choices(answer):
            _write_value(_named_cell(workbook, make(code_id)), value)
    for area_id, value in (targets or {}).items():
        _write_value(_named_cell(workbook, layout.target_name(area_id)), value)
    workbook.save(out)


def _named_cell(workbook: Workbook, name: str) -> Cell:
    """The single cell a workbook-scoped defined name points at."""
    if name not in workbook.defined_names:
        raise KeyError(f"the workbook has no defined name {name!r}")
    destinations = list(workbook.defined_names[name].destinations)
    if len(destinations) != 1 or ":" in destinations[0][1]:
        raise ValueError(f"defined name {name!r} does not refer to one cell: {destinations}")
    sheet, ref = destinations[0]
    cell: Cell = workbook[sheet][ref.replace("$", "")]
    return cell


def _write_value(cell: Cell, value: object) -> None:
    """Write as typed; a ``str`` starting with ``=`` becomes a formula. A date keeps the cell's date format."""
    from openpyxl.styles.numbers import is_date_format

    number_format = cell.number_format
    # any value, as a test may pass: openpyxl takes numpy's numbers too (its stubs omit them) and raises
    # ValueError for a type it cannot write
    cell.value = value  # type: ignore[assignment]
    if isinstance(value, date) and is_date_format(number_format):
        cell.number_format = number_format


def _write_text(cell: Cell, text: str | None) -> None:
    """Write text (or blank); never a formula, even when it starts with ``=``."""
    cell.value = text
    if text is not None:
        cell.data_type = "s"


_SENTENCES = (
    "We have a category management approach for our top ten areas of third-party spend.",
    "The procurement strategy was refreshed in 2017 and approved by Cabinet.",
    "Contract management is devolved to service areas and practice varies considerably.",
    "Social value is considered on larger contracts but is not yet measured consistently.",
    "We work with neighbouring districts through a shared procurement service.",
    "Spend analysis is carried out annually using the regional spend tool.",
    "Our contract register is published quarterly in line with the Transparency Code.",
    "Officers have attended CIPS training, though turnover has reduced our capacity.",
    "Engagement with SMEs and the voluntary sector is improving through “meet the buyer” events.",
    "Savings of approximately £1.2m were reported against a target of £1.5m.",
    "Supplier relationship management is in place for strategic suppliers only.",
    "A café-style supplier forum was piloted this year with positive feedback.",
    "Risk of modern slavery in supply chains is assessed at the tender stage.",
    "We are not yet using e-invoicing; this is planned for next financial year.",
    "Commercial skills are being developed through the LGA’s Commissioning Academy.",
    "Fraud awareness training has been delivered to all procurement staff.",
    "Performance against KPIs is reported to members twice a year.",
    "See the attached action plan for details – some dates may slip.",
)


def random_answers(
    rubric: Rubric, rng: random.Random, blank_rate: float = 0.1, unscored_rate: float = 0.05
) -> dict[str, Typed]:
    """Realistic answers for every value code: mostly dropdown levels, some blank, some unscored,
    each with 0-3 paragraphs of comment. Deterministic for a given ``rng`` state.
    """
    levels = layout.score_choices(rubric)[: len(rubric.levels)]
    answers = {}
    for code in rubric.value_codes:
        draw = rng.random()
        if draw < blank_rate:
            score = None
        elif draw < blank_rate + unscored_rate:
            score = rubric.unscored
        else:
            score = rng.choice(levels)
        paragraphs = [
            " ".join(rng.sample(_SENTENCES, rng.randint(1, 3))) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))
        ]
        answers[code.id] = Typed(score, "\n\n".join(paragraphs) or None)
    return answers


_SHEET_TAG = re.compile(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_TAG = re.compile(r'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_NAME_TAG = re.compile(r'<definedName name="([^"]*)">([^<]*)</definedName>')


_EXCEL_EPOCH = date(1899, 12, 30)


def fill_bytes(
    template: bytes,
    answers: Mapping[str, Typed],
    cover: Mapping[str, object] | None = None,
    targets: Mapping[str, object] | None = None,
) -> bytes:
    """Fill a template written by :mod:`nps_xlsx.template.builder` in memory, fast (a few ms).

    The same contract as :func:`fill_workbook` (cells found through the defined names),
    but it patches the worksheet XML directly, so it needs the generator's own output,
    where every input is an empty styled cell. Cover values are text or dates. Formulas lose
    their cached results (:func:`drop_cached_results`). Used to build large synthetic corpora
    for tests and benchmarks.
    """
    source = zipfile.ZipFile(io.BytesIO(template))
    workbook = source.read("xl/workbook.xml").decode()
    rels = dict(_REL_TAG.findall(source.read("xl/_rels/workbook.xml.rels").decode()))
    sheet_files = {html.unescape(name): "xl/" + rels[rel_id] for name, rel_id in _SHEET_TAG.findall(workbook)}
    names = {name: parse_name_target(html.unescape(text)) for name, text in _NAME_TAG.findall(workbook)}
    edits: dict[str, dict[str, str]] = {}

    def put(name: str, value: object, as_text: bool = False) -> None:
        target = names.get(name)
        if target is None:
            raise KeyError(f"the workbook has no defined name {name!r}")
        sheet, row, col = target
        ref = a1.cell_ref(row, col)
        edits.setdefault(sheet_files[sheet], {})[ref] = _cell_xml(ref, value, as_text)

    for name, value in (cover or {}).items():
        put(name, value, as_text=not isinstance(value, date))
    for code_id, answer in answers.items():
        put(layout.score_name(code_id), answer.score)
        put(layout.comment_name(code_id), answer.comment, as_text=True)
        for make, value in _choices(answer):
            put(make(code_id), value)
    for area_id, value in (targets or {}).items():
        put(layout.target_name(area_id), value)

    parts = {}
    for info in source.infolist():
        data = source.read(info)
        if info.filename in edits:
            data = _patch_cells(data.decode(), edits[info.filename]).encode()
        if info.filename.startswith("xl/worksheets/") and b"</f>" in data:
            data = drop_cached_results(data.decode()).encode()
        parts[info.filename] = data
    if SHARED_STRINGS in parts:  # a cell written over may have referred to a shared string: keep sst/@count true
        references = sum(data.count(b' t="s"') for name, data in parts.items() if name.startswith("xl/worksheets/"))
        parts[SHARED_STRINGS] = re.sub(
            rb'(<sst\b[^>]*? count=")[0-9]+"', lambda m: m[1] + b'%d"' % references, parts[SHARED_STRINGS], count=1
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, parts[info.filename])
    return out.getvalue()


SHARED_STRINGS = "xl/sharedStrings.xml"


def _cell_xml(ref: str, value: object, as_text: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f'<c r="{ref}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and not as_text:
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = str(value)
    if text.startswith("=") and not as_text:
        return f'<c r="{ref}"><f>{xml_escape(text[1:])}</f></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape_text(text)}</t></is></c>'


def _patch_cells(xml: str, cells: dict[str, str]) -> str:
    """Replace each listed cell, empty (``<c r="REF" s="N"/>``) or not, with the new cell, keeping its style."""

    def replace(match: re.Match[str]) -> str:
        new = cells.get(match[1])
        if new is None:
            return match[0]
        if not new:
            return f'<c r="{match[1]}"{match[2]}/>'
        return new.replace("<c ", f"<c{match[2]} ", 1) if match[2] else new

    return re.sub(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)(?: t="[a-zA-Z]+")?(?:/>|>.*?</c>)', replace, xml)


# Invented councils, for corpora of any size (bench/) and tests: place names and kinds of council.
PLACES = (
    "Ashford", "Barnsley", "Calderdale", "Dacorum", "Eastleigh", "Fenland", "Gedling", "Harrogate", "Ipswich",
    "Kirklees", "Lewes", "Mendip", "Newark", "Oadby", "Pendle", "Rushmoor", "Selby", "Tendring", "Uttlesford",
    "Wealden", "Wychavon", "York", "King's Lynn", "Brighton & Hove", "Newcastle-under-Lyme", "St Helens",
)  # fmt: skip
KINDS = ("Borough Council", "District Council", "City Council", "County Council", "Metropolitan Borough Council")


def synthetic_council(index: int) -> Council:
    """Council ``index`` of an invented list of any length: a code ``E9`` + 7 digits and a unique name."""
    place = PLACES[index % len(PLACES)]
    kind = KINDS[(index // len(PLACES)) % len(KINDS)]
    return Council(f"E9{index:07d}", f"{place} {kind} {index:05d}")
