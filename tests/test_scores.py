"""Score normalisation: the accepted spellings of a level, and what is never guessed."""

from __future__ import annotations

from datetime import datetime

import pytest

from nps_xlsx.read.raw import RawCell
from nps_xlsx.rubric import Rubric
from nps_xlsx.validate.scores import read_score


@pytest.mark.parametrize(
    "cell",
    [
        RawCell(3.0, "number"),
        RawCell("3", "text"),
        RawCell(" 3 ", "text"),
        RawCell("3.0", "text"),
        RawCell("3 - Mature", "text"),
        RawCell("3 - mature ", "text"),
        RawCell("3-MATURE", "text"),
        RawCell("3 – Mature", "text"),  # en dash
        RawCell("3 — Mature", "text"),  # em dash
        RawCell("3 \u2212 Mature", "text"),  # minus sign
        RawCell("3  -   Mature", "text"),
        RawCell("3 Mature", "text"),
        RawCell("Mature", "text"),
        RawCell(" mature", "text"),
        RawCell("3 - Mature", "text", formula=True),  # a formula with a cached value
    ],
)
def test_level_three_spellings(cell: RawCell, rubric: Rubric) -> None:
    reading = read_score(cell, rubric)
    assert (reading.status, reading.score, reading.problem) == ("scored", 3, None)


@pytest.mark.parametrize("text", ["Unscored", "unscored", "UNSCORED ", "N/A", "n/a", "NA", "not scored", "Not Scored"])
def test_unscored_spellings(text: str, rubric: Rubric) -> None:
    assert read_score(RawCell(text, "text"), rubric).status == "unscored"


@pytest.mark.parametrize("cell", [None, RawCell("", "text"), RawCell("   ", "text")])
def test_blank_is_not_answered(cell: RawCell | None, rubric: Rubric) -> None:
    reading = read_score(cell, rubric)
    assert (reading.status, reading.score, reading.problem) == ("blank", None, None)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        (RawCell(3.5, "number"), "score-invalid"),
        (RawCell(0.0, "number"), "score-invalid"),
        (RawCell(7.0, "number"), "score-invalid"),
        (RawCell(-1.0, "number"), "score-invalid"),
        (RawCell("3.5", "text"), "score-invalid"),
        (RawCell("0", "text"), "score-invalid"),
        (RawCell("7", "text"), "score-invalid"),
        (RawCell("three", "text"), "score-invalid"),
        (RawCell("seven", "text"), "score-invalid"),
        (RawCell("3/4", "text"), "score-invalid"),
        (RawCell("3 or 4", "text"), "score-invalid"),
        (RawCell("3 - Leader", "text"), "score-invalid"),  # number and label disagree: never guess
        (RawCell("6 - Mature", "text"), "score-invalid"),
        (RawCell("Good", "text"), "score-invalid"),
        (RawCell(datetime(2026, 3, 3), "date"), "score-invalid"),
        (RawCell(True, "bool"), "score-invalid"),
        (RawCell("#REF!", "error", formula=True), "score-formula-error"),
        (RawCell("#N/A", "error"), "score-formula-error"),
        (RawCell(None, "uncached", formula=True), "formula-without-value"),
    ],
)
def test_anything_else_is_an_error(cell: RawCell, problem: str, rubric: Rubric) -> None:
    reading = read_score(cell, rubric)
    assert (reading.status, reading.score, reading.problem) == ("invalid", None, problem)
    assert reading.detail
