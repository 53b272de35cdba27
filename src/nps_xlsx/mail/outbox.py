"""The outbox folder: the drafts (``.eml``), the run's report (``invite-report.csv`` and the like: one row per
message, and per council left out, with what became of it) and the sent log.

Drafts and reports follow the rule of every output (:mod:`nps_xlsx.output`): a draft or report of ours at the path
is replaced; anything else is left alone unless ``--force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..columns import MAIL_REPORT_COLUMNS
from ..councils import Council
from ..csv_table import write_csv
from ..output import Guard, write_atomic, write_atomic_with
from .addresses import shown
from .letters import Kind, LeftOut, Letter, to_message

# What became of a message, in the report; the statuses after "not-needed" need the coordinator (exit status 1).
STATUSES = (
    *("drafted", "sent", "already-sent", "not-needed"),
    *("uncertain", "refused", "failed", "not-sent", "not-written", "left-out"),
)
PROBLEMS = frozenset(STATUSES[4:])


@dataclass(frozen=True)
class Outcome:
    """What became of one letter (or of a council left out): a status of :data:`STATUSES` and the detail.

    ``refused``: recipients the server refused (a message ``sent`` to the others still needs the coordinator).
    """

    kind: Kind
    council: Council | None
    status: str
    detail: str = ""
    letter: Letter | None = None
    draft: str = ""
    returned: str = ""
    refused: tuple[str, ...] = ()

    @property
    def problem(self) -> bool:
        return self.status in PROBLEMS or bool(self.refused)

    @classmethod
    def left_out(cls, item: LeftOut) -> Outcome:
        return cls(
            item.kind, item.council, "left-out" if item.needed else "not-needed", item.reason, returned=item.returned
        )

    @classmethod
    def of(
        cls, letter: Letter, status: str, detail: str = "", draft: str = "", refused: tuple[str, ...] = ()
    ) -> Outcome:
        return cls(letter.kind, letter.council, status, detail, letter, draft, letter.returned, refused)

    def row(self) -> list[str]:
        """Its row of the report (:data:`MAIL_REPORT_COLUMNS`)."""
        letter, council = self.letter, self.council
        attached = letter.attachment.name if letter and letter.attachment else ""
        fields = [shown(letter.to), shown(letter.cc), letter.subject, attached] if letter else ["", "", "", ""]
        code, name = (council.code, council.name) if council else ("", "")
        return [self.kind, code, name, *fields, self.status, self.detail, self.draft, self.returned]


def draft_bytes(letter: Letter, sender: str | None) -> bytes:
    """The draft as an ``.eml`` file: CRLF line ends, as mail programs save messages (:data:`letters.POLICY`)."""
    return to_message(letter, sender, draft=True).as_bytes()


def write_draft(letter: Letter, outbox: Path, sender: str | None, guard: Guard) -> Path:
    """Write the letter's draft into the outbox (atomically); :class:`OutputRefused` if a file there must be kept."""
    path = outbox / letter.draft
    write_atomic(path, draft_bytes(letter, sender), "draft", guard)
    return path


def report_name(kind: Kind) -> str:
    """``invite-report.csv``, ``chase-report.csv`` or ``reply-report.csv``."""
    return f"{kind}-report.csv"


def write_report(path: Path, outcomes: list[Outcome], guard: Guard) -> None:
    """The run's report: one row per outcome, in order (the CSV conventions of every CSV of ours)."""
    write_atomic_with(
        path, lambda temp: write_csv(temp, MAIL_REPORT_COLUMNS, (o.row() for o in outcomes)), "mail-report", guard
    )
