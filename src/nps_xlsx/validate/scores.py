"""Turning what is in a score cell into a level, without ever guessing.

Accepted as level 3: ``3``, ``3.0``, ``"3"``, ``" 3 "``, ``"3 - Mature"`` (any case, any
dash, any spacing) and ``"Mature"``. ``Unscored``, ``N/A`` and ``not scored`` mean
deliberately unscored. A blank means not answered. Anything else is invalid.

A key area's target level is read by the same rules (:func:`read_target`), and the drop-downs beside each
score (priority, support wanted) as one of their choices, any case and spacing (:func:`read_choice`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..read.raw import RawCell
from ..rubric import Rubric
from ..text import fold_space

Status = Literal["scored", "unscored", "blank", "invalid"]
UNSCORED_WORDS = {"unscored", "n/a", "na", "not scored", "not applicable"}
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
# ASCII digits only (\d takes Arabic-Indic and full-width ones), and few of them (int() refuses over 4,300).
_NUMBER = re.compile(r"^([0-9]{1,9})(?:\.0*)?$")
_NUMBER_LABEL = re.compile(r"^([0-9]{1,9})\s*(?:[-:.)]\s*)?(.*)$")


@dataclass(frozen=True)
class ScoreReading:
    """The outcome of reading one score cell. ``problem`` is an issue code when the cell is unusable."""

    status: Status
    score: int | None = None
    problem: str | None = None
    detail: str = ""


_BLANK = ScoreReading("blank")
# A return's answers are a few texts over and over ("3 - Mature", "High"): each is read once. Long texts (which no
# level or choice is) are read each time rather than kept.
_CACHED = 64
_same_text = lru_cache(maxsize=1024)


def _fold_dashes(text: str) -> str:
    """Dashes of every kind as ``-``, then :func:`~nps_xlsx.text.fold_space`."""
    return fold_space(_DASHES.sub("-", text))


def read_score(cell: RawCell | None, rubric: Rubric) -> ScoreReading:
    """Interpret a score cell against ``rubric``'s levels."""
    n_levels = len(rubric.levels)
    if cell is None or (cell.kind == "text" and not str(cell.value).strip()):
        return _BLANK
    if cell.kind == "uncached":
        return ScoreReading(
            "invalid", problem="formula-without-value", detail="the cell holds a formula that has never been calculated"
        )
    if cell.kind == "error":
        return ScoreReading("invalid", problem="score-formula-error", detail=f"the cell shows the error {cell.value}")
    number = cell.number()
    if number is not None:
        if number.is_integer() and 1 <= number <= n_levels:
            return ScoreReading("scored", int(number))
        return _invalid(f"{number:g} is not a level")
    if cell.kind == "date":
        return _invalid("a date is not a level")
    if cell.kind == "bool":
        return _invalid(f"{'TRUE' if cell.value else 'FALSE'} is not a level")
    text = str(cell.value)
    read = _read_text if len(text) > _CACHED else _read_short_text
    return read(text, rubric.levels, rubric.unscored)


@lru_cache(maxsize=8)
def _labels(levels: tuple[str, ...]) -> list[str]:
    return [label.casefold() for label in levels]


def _read_text(text: str, levels: tuple[str, ...], unscored: str) -> ScoreReading:
    folded = _fold_dashes(text)
    labels = _labels(levels)
    if folded in UNSCORED_WORDS or folded == unscored.casefold():
        return ScoreReading("unscored")
    if folded in labels:
        return ScoreReading("scored", labels.index(folded) + 1)
    number = _NUMBER.match(folded)
    if number:
        level = int(number[1])
        return ScoreReading("scored", level) if 1 <= level <= len(labels) else _invalid(f"{level} is not a level")
    with_label = _NUMBER_LABEL.match(folded)
    if with_label and with_label[2]:
        level, label = int(with_label[1]), with_label[2].strip(" -")
        if 1 <= level <= len(labels) and label == labels[level - 1]:
            return ScoreReading("scored", level)
        if 1 <= level <= len(labels) and label in labels:
            return _invalid(f"{text.strip()!r} names level {level} and level {labels.index(label) + 1}")
    return _invalid(f"{text.strip()!r} is not a level")


_read_short_text = _same_text(_read_text)


def _invalid(detail: str) -> ScoreReading:
    return ScoreReading("invalid", problem="score-invalid", detail=detail)


def read_target(cell: RawCell | None, rubric: Rubric) -> ScoreReading:
    """A key area's target level, read as a score: a level, or blank. ``Unscored`` (or ``N/A``) says there is no
    target, and reads as blank; a problem is ``target-invalid`` (or ``formula-without-value``)."""
    reading = read_score(cell, rubric)
    if reading.status == "unscored":
        return ScoreReading("blank")
    if reading.problem and reading.problem != "formula-without-value":
        return ScoreReading("invalid", problem="target-invalid", detail=reading.detail)
    return reading


@dataclass(frozen=True)
class ChoiceReading:
    """One of a drop-down's ``choices`` as spelled there, or ``None`` (blank or a problem: see ``problem``)."""

    value: str | None = None
    problem: str | None = None
    detail: str = ""


_NO_CHOICE = ChoiceReading()


def _choice_of(text: str, choices: tuple[str, ...]) -> ChoiceReading | None:
    """The reading of a text that is one of ``choices`` (any case and spacing), else ``None``."""
    folded = _fold_dashes(text)
    return next((ChoiceReading(choice) for choice in choices if folded == choice.casefold()), None)


_short_choice_of = _same_text(_choice_of)


def read_choice(cell: RawCell | None, choices: tuple[str, ...]) -> ChoiceReading:
    """A drop-down answer: one of ``choices`` in any case and spacing, or blank; anything else is
    ``choice-invalid`` (a formula never calculated: ``formula-without-value``)."""
    if cell is None or (cell.kind == "text" and not str(cell.value).strip()):
        return _NO_CHOICE
    if cell.kind == "uncached":
        return ChoiceReading(
            problem="formula-without-value", detail="the cell holds a formula that has never been calculated"
        )
    shown = str(cell.value).strip() if cell.kind == "text" else f"{cell.value}"
    if cell.kind == "text":
        find = _choice_of if len(shown) > _CACHED else _short_choice_of
        if (chosen := find(shown, choices)) is not None:
            return chosen
    listed = " or ".join(", ".join(choices).rsplit(", ", 1))
    return ChoiceReading(problem="choice-invalid", detail=f"{shown!r} is not one of {listed}")
