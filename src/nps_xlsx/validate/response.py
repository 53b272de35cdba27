"""What a return says, once read and checked: the council, the template and each answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from ..respondents import Respondent
from .records import ByConstructor, slot_init
from .scores import Status


@slot_init
@dataclass(frozen=True, slots=True)
class Answer(ByConstructor):
    """One value code's answer. ``score`` is 1..N when ``status`` is ``scored``, else ``None``.

    ``priority`` (High, Medium, Low) and ``support`` (Yes, No) are the drop-downs beside the score, ``None``
    when blank, unusable, or not in the return's layout (layout 1 has neither).
    """

    code_id: str
    status: Status
    score: int | None
    comment: str
    sheet: str | None = None
    score_cell: str | None = None
    comment_cell: str | None = None
    priority: str | None = None
    support: str | None = None
    priority_cell: str | None = None
    support_cell: str | None = None


@slot_init
@dataclass(frozen=True, slots=True)
class Target(ByConstructor):
    """A key area's target level: 1..N, or ``None`` when blank or unusable."""

    area_id: str
    level: int | None
    sheet: str | None = None
    cell: str | None = None


@dataclass(frozen=True, slots=True)
class Prefill:
    """A pre-filled copy's answers against those it was issued with (``generate --prefill``).

    An answer is one value code's row (its score, priority, support wanted and comment: a change to any of them
    changes the answer) or one key area's target level; ``answers`` counts every one of the rubric's. An answer
    is unchanged when it reads exactly as issued (a score or target as the same level or Unscored, a choice as
    the same choice, a comment as the same text); an answer issued blank and still blank is unchanged too.
    """

    round: str  # the round the copy's answers came from
    answers: int
    unchanged: int

    @property
    def all_unchanged(self) -> bool:
        return self.unchanged == self.answers


@slot_init
@dataclass(frozen=True, slots=True)
class Response(ByConstructor):
    """A council's answers and who gave them."""

    council_name: str | None
    council_code: str | None
    respondent_name: str | None
    respondent_role: str | None
    respondent_email: str | None
    completion_date: date | None
    identity: dict[str, str]
    answers: tuple[Answer, ...]
    targets: tuple[Target, ...] = ()  # one per key area, in rubric order; none in layout 1
    prefill: Prefill | None = None  # a pre-filled copy's answers against those it was issued with
    respondent: Respondent | None = None  # the respondent a copy was issued to (generate --respondents)

    @property
    def answered(self) -> int:
        """How many value codes have a level or a deliberate Unscored."""
        return sum(answer.status in ("scored", "unscored") for answer in self.answers)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        data = asdict(self)
        data["completion_date"] = self.completion_date.isoformat() if self.completion_date else None
        data["answers"] = [asdict(answer) for answer in self.answers]
        data["targets"] = [asdict(target) for target in self.targets]
        data["respondent"] = self.respondent.to_dict() if self.respondent else None
        return data
