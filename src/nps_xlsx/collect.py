"""The ``collect`` job's first half: read every file, pick one return per council, note what is missing.

Nothing is lost: every file handed in gets exactly one :class:`LedgerEntry`, with status
accepted, accepted with warnings, rejected, superseded or skipped.

Duplicate rule: among a council's usable returns, the one with the latest completion
date on the cover wins; ties go to the latest file modification time, then to the
later path in sorted order. Of byte-identical copies of the winner, the one with the shortest path
is used. The others are marked superseded, and byte-identical copies are named as such.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .councils import Council
from .issues import Issue, Location, make_issue
from .rubric import Rubric
from .safety import Limits
from .spool import CommentSpool
from .validate import FileReport, read_return

USABLE = ("accepted", "accepted-with-warnings")


@dataclass
class LedgerEntry:
    """One file handed in, and what became of it."""

    report: FileReport
    status: str
    council_key: str | None = None
    note: str = ""


@dataclass
class Collection:
    """Everything read, in input order, plus the expected councils that sent nothing."""

    entries: list[LedgerEntry]
    expected: list[Council] | None = None
    not_returned: list[Council] = field(default_factory=list)
    spool: CommentSpool | None = None  # where the comments are, if they were moved to disk

    def comments(self, entry: LedgerEntry) -> tuple[str, ...]:
        """An entry's comments, in answer order."""
        stashed = self.spool.comments(entry.report.path) if self.spool else None
        if stashed is not None:
            return stashed
        return tuple(answer.comment for answer in entry.report.response.answers) if entry.report.response else ()

    @property
    def used(self) -> list[LedgerEntry]:
        """The one return per council that the summary uses, in input order."""
        return [e for e in self.entries if e.status in USABLE]

    def counts(self) -> dict[str, int]:
        statuses = ("accepted", "accepted-with-warnings", "rejected", "superseded", "skipped")
        return {s: sum(e.status == s for e in self.entries) for s in statuses}

    @property
    def issues(self) -> list[Issue]:
        return [issue for entry in self.entries for issue in entry.report.issues]


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_all(
    paths: Sequence[Path],
    rubric: Rubric,
    limits: Limits | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
    keep: Callable[[FileReport], FileReport] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[FileReport]:
    """Read every file, in parallel when ``workers`` > 1; results keep the input order.

    ``keep`` is applied to each report as it arrives (to move its comments to disk, say);
    ``meanwhile`` is called once the workers are busy (or first, when reading serially).
    """
    keep = keep or (lambda report: report)
    if workers <= 1 or len(paths) < 8:
        if meanwhile:
            meanwhile()
        reports = []
        for path in paths:
            reports.append(keep(read_return(path, rubric, limits)))
            if progress:
                progress(1)
        return reports
    from concurrent.futures import ProcessPoolExecutor

    from .parallel import read_many

    size = 8  # small enough that the workers finish together, large enough to keep the traffic low
    chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    reports = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(read_many, chunks, [rubric] * len(chunks), [limits] * len(chunks))
        if meanwhile:
            meanwhile()
        for chunk_reports in results:
            reports.extend(keep(report) for report in chunk_reports)
            if progress:
                progress(len(chunk_reports))
    return reports


def collect(
    reports: Iterable[FileReport], expected: list[Council] | None = None, spool: CommentSpool | None = None
) -> Collection:
    """Build the ledger: choose one return per council and find the councils that have not returned."""
    entries = [LedgerEntry(report, report.status) for report in reports]
    names_to_code = {_fold(c.name): c.code for c in expected or []}
    for entry in entries:
        response = entry.report.response
        if entry.status in USABLE and response:
            issued = response.identity.get("council_name", "")
            if response.council_code and issued:
                names_to_code.setdefault(_fold(issued), response.council_code)
    for entry in entries:
        response = entry.report.response
        if entry.status in USABLE and response:
            code = response.council_code or names_to_code.get(_fold(response.council_name or ""))
            entry.council_key = code.casefold() if code else "name:" + _fold(response.council_name or "")
    _supersede(entries)
    collection = Collection(entries, expected, spool=spool)
    if expected is not None:
        _check_expected(collection, expected)
    return collection


def _sort_key(entry: LedgerEntry) -> tuple[date, float, str]:
    response = entry.report.response
    completed = response.completion_date if response and response.completion_date else date.min
    return completed, entry.report.facts.modified or 0.0, entry.report.path


def _supersede(entries: list[LedgerEntry]) -> None:
    groups: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        if entry.council_key and entry.status in USABLE:
            groups.setdefault(entry.council_key, []).append(entry)
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=_sort_key)
        winner = ordered[-1]
        twins = [e for e in group if e.report.facts.sha256 == winner.report.facts.sha256]
        winner = min(twins, key=lambda e: (len(e.report.path), e.report.path))  # the copy with the shortest name
        for entry in ordered:
            if entry is winner:
                continue
            entry.status = "superseded"
            twins = [e for e in group if e.report.facts.sha256 == entry.report.facts.sha256]
            original = min(twins, key=lambda e: (len(e.report.path), e.report.path))
            if original is not entry:
                later = "" if original is winner else f"; superseded by {winner.report.path}"
                entry.note = f"identical copy of {original.report.path}{later}"
            else:
                entry.note = f"superseded by {winner.report.path} (later completion date, then file time)"
        winner.note = f"used; {len(group) - 1} other return(s) from this council superseded"


def _check_expected(collection: Collection, expected: list[Council]) -> None:
    by_code = {c.code.casefold(): c for c in expected}
    by_name = {_fold(c.name): c for c in expected}
    returned: set[str] = set()
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        council = by_code.get((response.council_code or "").casefold()) or by_name.get(
            _fold(response.council_name or "")
        )
        if council:
            returned.add(council.code.casefold())
            continue
        issue = make_issue(
            "unexpected-council",
            Location(entry.report.path),
            f"the council {response.council_name!r} is not on the expected list; "
            "check the name, or add the council to the list",
            value=response.council_name,
        )
        entry.report.issues.append(issue)
        entry.status = "accepted-with-warnings"
        entry.report.status = "accepted-with-warnings"
        entry.note = (entry.note + "; " if entry.note else "") + "not on the expected list"
    collection.not_returned = [c for c in expected if c.code.casefold() not in returned]
