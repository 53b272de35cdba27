"""A pre-filled copy's answers against those it was issued with (see :class:`~nps_xlsx.validate.response.Prefill`).

The issued answers are on the metadata sheet (:func:`~nps_xlsx.validate.identity.read_issued`), as the text the
inputs were given; each is read by the same rules as the input itself, so that only a real change counts (a
comment's line breaks are compared as LF, since LibreOffice saves CR LF as LF).
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import layout
from ..read.raw import RawCell
from ..rubric import Rubric
from .response import Answer, Prefill, Target
from .scores import read_choice, read_score, read_target


def compare_issued(
    issued: dict[str, str], answers: Sequence[Answer], targets: Sequence[Target], rubric: Rubric
) -> Prefill:
    """How many of the return's answers are as issued; a value code or key area not found counts as changed."""

    def was(name: str) -> RawCell | None:
        text = issued.get(layout.previous_name(name), "")
        return RawCell(text, "text") if text else None

    def same(answer: Answer) -> bool:
        code_id = answer.code_id
        score = read_score(was(layout.score_name(code_id)), rubric)
        priority = read_choice(was(layout.priority_name(code_id)), layout.PRIORITY_CHOICES).value
        support = read_choice(was(layout.support_name(code_id)), layout.SUPPORT_CHOICES).value
        comment = _lines(issued.get(layout.previous_name(layout.comment_name(code_id)), ""))
        return (score.status, score.score, priority, support, comment) == (
            answer.status,
            answer.score,
            answer.priority,
            answer.support,
            _lines(answer.comment),
        )

    unchanged = sum(same(answer) for answer in answers)
    unchanged += sum(read_target(was(layout.target_name(t.area_id)), rubric).score == t.level for t in targets)
    total = len(rubric.value_codes) + len(rubric.areas)
    return Prefill(issued[layout.PREVIOUS_ROUND_KEY], total, unchanged)


def _lines(text: str) -> str:
    """Line breaks as LF: LibreOffice saves a CR LF typed in a cell as LF, which is no change of the answer."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
