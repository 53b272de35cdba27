"""Fill a generated workbook programmatically, the way a council would.

Cells are found only through the workbook's defined names (``score_<ID>``,
``comment_<ID>`` and the cover field names), never by position, so a filled
copy exercises the same contract the return reader relies on. Used by tests
and to make example returns.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.styles.numbers import is_date_format

from . import layout

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook

    from .rubric import Rubric


@dataclass(frozen=True)
class Answer:
    """One value code's inputs.

    ``score`` is written as-is: dropdown text such as ``"3 - Mature"``, the unscored
    choice, a number, any other text, ``None`` (left blank) or a formula (a ``str``
    starting with ``=``). ``comment`` is always written as text.
    """

    score: object = None
    comment: str | None = None


def fill_workbook(
    template: Path, out: Path, answers: Mapping[str, Answer], cover: Mapping[str, object] | None = None
) -> None:
    """Copy `template` to `out` with the given answers (keyed by value-code ID) and cover fields
    (keyed by defined name, e.g. council_name, respondent_name, completion_date as datetime.date).

    Raises ``KeyError`` for a value-code ID or cover field the workbook does not define.
    """
    workbook = openpyxl.load_workbook(template)
    cover_names = {name for name, _label in layout.COVER_FIELDS}
    for name, value in (cover or {}).items():
        if name not in cover_names:
            raise KeyError(f"{name!r} is not a cover field; expected one of {sorted(cover_names)}")
        _write_value(_named_cell(workbook, name), value)
    for code_id, answer in answers.items():
        _write_value(_named_cell(workbook, layout.score_name(code_id)), answer.score)
        _write_text(_named_cell(workbook, layout.comment_name(code_id)), answer.comment)
    workbook.save(out)


def _named_cell(workbook: Workbook, name: str) -> Cell:
    """The single cell a workbook-scoped defined name points at."""
    if name not in workbook.defined_names:
        raise KeyError(f"the workbook has no defined name {name!r}")
    destinations = list(workbook.defined_names[name].destinations)
    if len(destinations) != 1 or ":" in destinations[0][1]:
        raise ValueError(f"defined name {name!r} does not refer to one cell: {destinations}")
    sheet, ref = destinations[0]
    return workbook[sheet][ref.replace("$", "")]


def _write_value(cell: Cell, value: object) -> None:
    """Write as typed; a ``str`` starting with ``=`` becomes a formula. A date keeps the cell's date format."""
    number_format = cell.number_format
    cell.value = value
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
) -> dict[str, Answer]:
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
        answers[code.id] = Answer(score, "\n\n".join(paragraphs) or None)
    return answers
