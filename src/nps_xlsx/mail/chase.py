"""Reminders: a message to every council on the chase list (``collect --chase``) that has not returned, or whose
return was blank, its personalised workbook attached again. The chase list carries the council list's columns, so
its ``email`` column is the council list's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..collect.chase import LABELS, ORDER, ChaseStatus
from ..columns import CHASE_COLUMNS
from ..councils import Council
from ..csv_table import Column, read_table, unneutralise
from ..errors import MailError
from ..text import display_path
from .invite import with_workbook
from .letters import LeftOut, Letter, sort_out
from .wording import Wording

CHASED: tuple[ChaseStatus, ...] = ("blank", "not-returned")  # the statuses a reminder is for
OWN = ("workbook", "status", "reason")  # the placeholders a reminder adds
_COLUMNS = (
    Column("council_code", "the council code"),
    Column("council", "the council name"),
    Column("status", "the council's status"),
    Column("files", "the files that decided the status", required=False),
)


@dataclass(frozen=True)
class ChaseEntry:
    """One council of the chase list: the council (with the council list's columns), its status and its files."""

    council: Council
    status: ChaseStatus
    files: str = ""


def read_chase(path: Path) -> list[ChaseEntry]:
    """The chase list ``collect --chase`` wrote (or Excel re-saved); errors name the file and line."""
    shown = display_path(path)
    table = read_table(path, shown, "chase list", _COLUMNS, MailError)
    listed = [(i, header) for i, header in table.others() if header not in CHASE_COLUMNS]
    entries = []
    for line, raw in table.rows:
        row = [unneutralise(cell.strip()) for cell in raw]
        cell = {key: row[at] if at < len(row) else "" for key, at in table.at.items()}
        if cell["status"] not in ORDER:
            statuses = ", ".join(ORDER)
            raise MailError(f"{shown}:{line}: the status {cell['status']!r} is not one of {statuses}")
        extra = tuple((header, row[i] if i < len(row) else "") for i, header in listed)
        council = Council(cell["council_code"], cell["council"], extra)
        entries.append(ChaseEntry(council, cell["status"], cell.get("files", "")))
    return entries


def reason(entry: ChaseEntry) -> str:
    """What ``{reason}`` says of a council chased: ``we have not received the completed workbook yet``."""
    if entry.status == "blank":
        sent = f" ({entry.files})" if entry.files else ""
        return f"the workbook you sent back{sent} has nothing answered in it"
    return f"we have not received the completed workbook for {entry.council.name} yet"


def reminders(
    entries: list[ChaseEntry], workbooks: Path, wording: Wording, shared: Mapping[str, str | None]
) -> tuple[list[Letter], list[LeftOut]]:
    """A reminder to each council with a status of :data:`CHASED`, and those left out (no address, no workbook)."""
    return sort_out(
        with_workbook(
            "chase",
            entry.council,
            workbooks,
            wording,
            shared,
            {"status": LABELS[entry.status], "reason": reason(entry)},
        )
        for entry in entries
        if entry.status in CHASED
    )


def not_chased(entries: list[ChaseEntry]) -> dict[str, int]:
    """How many councils of each other status get no reminder, in the chase list's order (those with any)."""
    counts = {status: sum(e.status == status for e in entries) for status in ORDER if status not in CHASED}
    return {status: n for status, n in counts.items() if n}
