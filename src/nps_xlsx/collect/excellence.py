"""Examples of excellence: every answer at one of the rubric's top two levels (Leader and Innovator in the NPS
2018 rubric), with the level's statement and the council's comment, for case-study requests.

Appendix A of the diagnostic says a council scoring the top level should expect to act as a case study, so it
expects evidence: a top-level answer without a comment is flagged.

The rows are made from the responses (:func:`nps_xlsx.collect.tables.response_rows`), which come one return at a
time. To sort them by value code and council without holding every comment in memory, the comments of the rows
kept wait in a temporary file until the rows are written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator

from ..columns import EXCELLENCE_COLUMNS, EXCELLENCE_HEADERS
from ..rubric import Rubric

__all__ = ["EXCELLENCE_COLUMNS", "HEADERS", "MISSING", "excellence_rows", "first_excellent"]

HEADERS = EXCELLENCE_HEADERS
MISSING = "yes"  # evidence_missing: a top-level answer with no comment


def first_excellent(rubric: Rubric) -> int:
    """The lowest score listed: the second-highest level (4, Leader, in the NPS 2018 rubric)."""
    return len(rubric.levels) - 1


def excellence_rows(responses: Iterable[tuple[object, ...]], rubric: Rubric) -> Iterator[tuple[object, ...]]:
    """One row of :data:`EXCELLENCE_COLUMNS` per answer at one of the top two levels, by value code (rubric
    order), then council (by name, then code).

    ``responses`` are rows of :data:`nps_xlsx.columns.ROW_COLUMNS` (source file, council, council
    code, area, code ID, value code, score, level, comment, ...).
    """
    low, top = first_excellent(rubric), len(rubric.levels)
    order = {code.id: i for i, code in enumerate(rubric.value_codes)}
    statements = {code.id: code.statements for code in rubric.value_codes}
    folded: dict[str, str] = {}  # each council's name, casefolded once
    with tempfile.TemporaryFile() as scratch:
        kept: list[tuple[int, str, str, int, int, tuple[object, ...]]] = []
        offset = 0
        for row in responses:
            score = row[6]
            if not isinstance(score, int) or score < low:
                continue
            data = str(row[8] or "").encode("utf-8")
            scratch.write(data)
            council, code = str(row[1] or ""), str(row[2] or "")
            if (name := folded.get(council)) is None:
                name = folded[council] = council.casefold()
            kept.append((order[str(row[4])], name, code, offset, len(data), row))
            offset += len(data)
        kept.sort(key=lambda k: k[:3])
        scratch.flush()
        file = scratch.fileno()
        for _order, _name, _code, offset, length, row in kept:
            comment = os.pread(file, length, offset).decode("utf-8") if length else ""
            score = int(str(row[6]))
            code_id = str(row[4])
            missing = MISSING if score == top and not comment.strip() else ""
            statement = statements[code_id][score - 1]
            yield (code_id, row[5], row[3], row[1], row[2], score, row[7], statement, comment, missing)
