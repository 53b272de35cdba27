"""The chase list: one status for every expected council, and the files that decided it.

Statuses (machine names; :data:`LABELS` gives the words people read):

- ``returned``: a return from the council is used;
- ``held``: a return that may be the council's is held for review (a personalised copy issued to it,
  or naming it, with another council's name typed on it), or a fault of ours stopped a file of it being
  read; nothing from the council is used yet, and the coordinator, not the council, has the next step;
- ``rejected``: it sent a workbook that was rejected (the first error and the file say why);
- ``blank``: its only returns had nothing answered (``nothing-answered``);
- ``not-returned``: no file from it arrived.

A council with several files gets the first status of this order: returned, held, rejected, blank,
not returned. A used return settles it. A held file comes before a rejected one because only the
coordinator can settle it (``--assign``), and once assigned it may be the council's answer: chasing the
council first could ask it to redo a return it has sent. A rejected file says what the council must fix,
so it comes before a blank one, which only says "fill it in".

A file that was not used is matched to a council by the code in its identity record (a personalised
copy), else by the council name typed on its cover, else by its file name starting with the council's code
(as ``generate`` names the copies, see :func:`nps_xlsx.councils.workbook_filename`); each row's note says how.

With a respondent list (``collect --respondents``), the list has a row per respondent instead
(:func:`respondent_chase_list`), with the same statuses, of the files from that respondent: matched by the
respondent in the identity record and the council, else by the file name ``generate`` gave the respondent's copy
(:func:`nps_xlsx.respondents.respondent_filename`). A council's returns without a respondent's identity count for
none of its respondents; each of their rows' notes names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from ..councils import Council, NameIndex, file_code
from ..respondents import Listed, Respondent, respondent_filename
from ..text import plural
from ..validate.check import FileStatus

if TYPE_CHECKING:
    from .ledger import LedgerEntry

ChaseStatus = Literal["rejected", "blank", "not-returned", "held", "returned"]
PRECEDENCE: tuple[ChaseStatus, ...] = ("returned", "held", "rejected", "blank", "not-returned")
# The chase list's order: what needs chasing first, then what waits on the coordinator, then the rest.
ORDER: tuple[ChaseStatus, ...] = ("rejected", "blank", "not-returned", "held", "returned")
LABELS: dict[str, str] = {
    "returned": "Returned",
    "held": "Held for review",
    "rejected": "Returned but rejected",
    "blank": "Returned blank",
    "not-returned": "Not returned",
}
ACTIONS: dict[str, str] = {
    "rejected": "Send the council the first error and ask it to fix the workbook and send it again.",
    "blank": "The workbook came back with nothing answered: ask the council to fill it in and send it again.",
    "not-returned": "Send a reminder: nothing has arrived from this council.",
    "held": 'Do not chase yet: decide which council the file is from (sheet "Needs review"), '
    "then run collect again with --assign.",
    "returned": "Nothing to do.",
}
_ENDS = ("-", ".", "_", " ", "")  # what may follow a code (or a respondent's file name) in a file's name
FAULT_ACTION = (
    "Do not chase: a fault in nps-xlsx stopped the file being read, not the council's fault. "
    "Report the fault to the nps-xlsx maintainers."
)


@dataclass(frozen=True)
class ChaseRow:
    """One expected council's status, the files that decided it, and what to do."""

    council: Council
    status: ChaseStatus
    files: tuple[str, ...] = ()
    first_error: str | None = None
    action: str = ""
    note: str = ""
    respondent: Respondent | None = None  # the listed respondent the row is for (respondent mode)

    @property
    def label(self) -> str:
        return LABELS[self.status]


@dataclass(frozen=True)
class _Claim:
    """A file that counts towards a council's status, and how it was matched to the council."""

    status: ChaseStatus
    entry: LedgerEntry
    how: str


def file_status(entry: LedgerEntry) -> ChaseStatus | None:
    """What ``entry`` says about its council: ``None`` for a file that says nothing (skipped, superseded)."""
    if entry.status in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WITH_WARNINGS):
        return "returned"
    if entry.status == FileStatus.HELD or entry.internal_error:
        return "held"
    if entry.status == FileStatus.REJECTED:
        return "blank" if any(i.code == "nothing-answered" for i in entry.report.issues) else "rejected"
    return None


class CouncilMatcher:
    """Finds the expected council a file is from: by code, by typed name, or by file name."""

    def __init__(self, expected: list[Council]) -> None:
        self.by_code = {c.code.casefold(): c for c in expected}
        self.names = NameIndex()
        for council in expected:
            self.names.add(council.name, council.code)
        # the code as generate writes it at the start of a personalised file name, longest first
        prefixes = [(file_code(c.code).casefold(), c) for c in expected]
        self.prefixes = sorted(((p, c) for p, c in prefixes if p), key=lambda pc: -len(pc[0]))

    def code(self, code: str | None) -> Council | None:
        return self.by_code.get((code or "").casefold())

    def name(self, name: str | None) -> Council | None:
        return self.code(self.names.get(name)) if name else None

    def file_name(self, path: str) -> Council | None:
        name = PurePath(path).name.casefold()
        for prefix, council in self.prefixes:
            if name.startswith(prefix) and name[len(prefix) : len(prefix) + 1] in _ENDS:
                return council
        return None

    def claims(self, entry: LedgerEntry, status: ChaseStatus) -> list[tuple[Council, str]]:
        """The councils ``entry`` counts for, each with how it was matched."""
        response = entry.report.response
        if status == "returned":
            council = self.code(entry.code) or self.name(response.council_name if response else None)
            return [(council, "used")] if council else []
        if status == "held" and response is not None and not entry.internal_error:
            issued, typed = self.code(response.council_code), self.name(response.council_name)
            found = [(issued, "issued to this council, with another council's name typed on it")] if issued else []
            if typed and typed != issued:
                found.append((typed, "naming this council on the cover, though issued to another"))
            return found
        if response is not None:
            if council := self.code(response.council_code):
                return [(council, "matched by the council code in the workbook")]
            if council := self.name(response.council_name):
                return [(council, "matched by the council name typed on the cover")]
        council = self.file_name(entry.report.path)
        return [(council, "matched by the file name")] if council else []


def chase_list(entries: list[LedgerEntry], expected: list[Council], matcher: CouncilMatcher) -> list[ChaseRow]:
    """Every expected council's status (see the module docstring), in :data:`ORDER`, then list order;
    ``matcher`` is :class:`CouncilMatcher` over ``expected``."""
    claims: dict[str, list[_Claim]] = {c.code: [] for c in expected}
    for entry in entries:
        status = file_status(entry)
        if status is None:
            continue
        for council, how in matcher.claims(entry, status):
            claims[council.code].append(_Claim(status, entry, how))
    rows = [_row(council, claims[council.code]) for council in expected]
    return sorted(rows, key=lambda row: ORDER.index(row.status))


def _row(council: Council, claims: list[_Claim]) -> ChaseRow:
    if not claims:
        return ChaseRow(council, "not-returned", action=ACTIONS["not-returned"])
    status = min((c.status for c in claims), key=PRECEDENCE.index)
    deciding = [c for c in claims if c.status == status]
    files = tuple(c.entry.report.path for c in deciding)
    errors = deciding[0].entry.report.errors
    first_error = errors[0].message if errors and status != "returned" else None
    fault = status == "held" and all(c.entry.internal_error for c in deciding)
    hows = "; ".join(dict.fromkeys(c.how for c in deciding))
    notes = [f"{plural(len(files), 'file')} {hows}"] if status != "returned" else []
    for other in PRECEDENCE[PRECEDENCE.index(status) + 1 :]:
        also = [c.entry.report.path for c in claims if c.status == other]
        if also:
            notes.append(f"also {LABELS[other].lower()}: {'; '.join(also)}")
    action = FAULT_ACTION if fault else ACTIONS[status]
    return ChaseRow(council, status, files, first_error, action, "; ".join(notes))


def respondent_chase_list(
    entries: list[LedgerEntry], listed: Sequence[Listed], matcher: CouncilMatcher
) -> list[ChaseRow]:
    """Every listed respondent's status (see the module docstring), in :data:`ORDER`, then list order."""
    keys = [(line.council.code.casefold(), line.respondent.id.casefold()) for line in listed]
    claims: dict[tuple[str, str], list[_Claim]] = {key: [] for key in keys}
    names = [respondent_filename(line.council, line.respondent).casefold().removesuffix(".xlsx") for line in listed]
    stems = sorted(zip(names, keys, strict=True), key=lambda stem: -len(stem[0]))
    unidentified: dict[str, list[str]] = {}  # council code -> its returns without a respondent's identity
    for entry in entries:
        status = "returned" if entry.set_aside else file_status(entry)
        if status is None:
            continue
        if entry.respondent is None and entry.report.response is not None and status in ("returned", "held"):
            for council, _how in matcher.claims(entry, "returned"):
                unidentified.setdefault(council.code.casefold(), []).append(entry.report.path)
        elif found := _respondent_of(entry, status, matcher, stems):
            key, how = found
            if key in claims:
                claims[key].append(_Claim(status, entry, how))
    rows = []
    for line, key in zip(listed, keys, strict=True):
        row = replace(_row(line.council, claims[key]), respondent=line.respondent)
        if others := unidentified.get(key[0]):
            also = f"from this council without a respondent's identity (counted for no respondent): {'; '.join(others)}"
            row = replace(row, note=f"{row.note}; {also}" if row.note else also)
        rows.append(row)
    return sorted(rows, key=lambda row: ORDER.index(row.status))


def _respondent_of(
    entry: LedgerEntry, status: ChaseStatus, matcher: CouncilMatcher, stems: list[tuple[str, tuple[str, str]]]
) -> tuple[tuple[str, str], str] | None:
    """The (council code, respondent id) a file is from, case folded, and how it was matched; ``None`` if unknown."""
    response, who = entry.report.response, entry.respondent
    if who is not None and response is not None:
        council = matcher.code(entry.code or response.council_code)
        code = council.code.casefold() if council else (entry.code or response.council_code or "").casefold()
        held = "issued to this respondent, with another council's name typed on it"
        return (code, who.id.casefold()), held if status == "held" else "matched by the respondent in the workbook"
    name = PurePath(entry.report.path).name.casefold()
    for stem, key in stems:
        if name.startswith(stem) and name[len(stem) : len(stem) + 1] in _ENDS:
            return key, "matched by the file name"
    return None
