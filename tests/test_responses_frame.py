"""The responses frame, built column by column, is the frame of response_rows' rows (comments left out) plus each
answer's distribution column: the same values and column types, with rows or without."""

from __future__ import annotations

import pandas as pd
import pytest

from nps_xlsx import layout
from nps_xlsx.collect.collection import Collection
from nps_xlsx.collect.ledger import LedgerEntry
from nps_xlsx.collect.tables import response_rows, responses_frame
from nps_xlsx.columns import ROW_COLUMNS
from nps_xlsx.rubric import Rubric
from nps_xlsx.validate.check import FileReport, FileStatus
from nps_xlsx.validate.response import Answer, Response


def from_rows(collection: Collection, rubric: Rubric) -> pd.DataFrame:
    """The frame as pandas makes it from the rows themselves."""
    frame = pd.DataFrame(response_rows(collection, rubric, with_comments=False), columns=ROW_COLUMNS)
    frame["category"] = layout.answer_categories(rubric, frame["score"], frame["level"])
    return frame.astype({"score": "Int64"})


def returns(rubric: Rubric, n: int) -> Collection:
    statuses = [("scored", 1), ("unscored", None), ("blank", None), ("scored", len(rubric.levels))]
    reports = []
    for r in range(n):
        answers = tuple(
            Answer(code.id, *statuses[(i + r) % 4], comment="said" if i % 3 else "")
            for i, code in enumerate(rubric.value_codes)
        )
        name = None if r == 1 else f"Council {r}"
        reports.append(
            FileReport(
                f"r{r}.xlsx", FileStatus.ACCEPTED, response=Response(name, None, None, None, None, None, {}, answers)
            )
        )
    reports.append(FileReport("bad.xlsx", FileStatus.REJECTED))
    entries = [LedgerEntry(report, report.status) for report in reports]
    for r, entry in enumerate(entries[:n]):
        entry.code = f"E{r:04}" if r % 2 else None
    return Collection(entries)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_the_responses_frame_is_the_frame_of_the_response_rows(rubric: Rubric, n: int) -> None:
    collection = returns(rubric, n)
    frame = responses_frame(collection, rubric)
    assert len(frame) == n * len(rubric.value_codes)
    pd.testing.assert_frame_equal(frame, from_rows(collection, rubric), check_exact=True)
    if n:
        scored = sum(
            a.score is not None for e in collection.used if e.report.response for a in e.report.response.answers
        )
        assert set(frame["comment"]) == {""} and frame["score"].notna().sum() == scored > 0
