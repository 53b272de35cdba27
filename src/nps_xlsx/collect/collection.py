"""The ``collect`` job's first half: read every file, pick one return per council, note what is missing.

Nothing is lost: every file handed in gets exactly one :class:`LedgerEntry`, with status
accepted, accepted with warnings, held (for review), rejected, superseded or skipped.

Held: a personalised copy whose typed council name is another council's. It is not used, does not
supersede, and does not count as a return from either council until the coordinator assigns it to a
council in an assignments file (:mod:`nps_xlsx.collect.assign`); then it is used under that council's code.

Duplicate rule: among a council's usable returns, the one with the latest completion
date on the cover wins; ties go to the latest file modification time, then to the
later path in sorted order. Of byte-identical copies of the winner, the one with the shortest path
is used. The others are marked superseded, and byte-identical copies are named as such.

Respondent mode (several respondents per council: :class:`RespondentMode`), chosen when a return read carries a
respondent's identity (a copy made by ``generate --respondents``) or a respondent list is given: the duplicate rule
applies per respondent (the council's code and the respondent's id), so each respondent's latest return is used
and a resubmission supersedes only that respondent's earlier files. A return without a respondent's identity is
never merged with respondents' answers: if its council's respondents' returns are used, it is set aside (marked
superseded, :attr:`LedgerEntry.set_aside`, the note saying why); else it is used as that council's one response.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..councils import Council, NameIndex, fold_name
from ..read.safety import Limits
from ..respondents import Listed
from ..rubric import Rubric
from ..text import plural
from ..validate.check import FileReport, FileStatus
from ..validate.issues import Issue, Location, make_issue
from ..validate.mail import read_returns
from .assign import Assignments
from .chase import ORDER, ChaseRow, CouncilMatcher, chase_list, respondent_chase_list
from .ledger import USABLE, LedgerEntry
from .senders import check_senders
from .spool import CommentSpool

SET_ASIDE = (
    "set aside: it carries no respondent's identity and this council's respondents' returns are used (respondent "
    "mode), so it is not merged with them; to use it, collect it without them"
)
ALONE = "used as the council's one response: it carries no respondent's identity (respondent mode)"
UNLISTED = "the respondent is not on the respondent list"


@dataclass(frozen=True)
class RespondentMode:
    """``collect`` in respondent mode: why it was chosen, and the respondent list if one was given."""

    reason: str
    listed: tuple[Listed, ...] | None = None


@dataclass
class Collection:
    """Everything read, in input order, plus (with expected councils) each council's chase status."""

    entries: list[LedgerEntry]
    expected: list[Council] | None = None
    # one row per expected council (see nps_xlsx.collect.chase), or per listed respondent in respondent mode
    chase: list[ChaseRow] = field(default_factory=list)
    spool: CommentSpool | None = None  # where the comments are, if they were moved to disk
    respondent_mode: RespondentMode | None = None  # several respondents per council (see the module docstring)

    @property
    def respondents(self) -> list[LedgerEntry]:
        """The used returns that carry a respondent's identity."""
        return [e for e in self.used if e.respondent is not None]

    @property
    def without_respondent(self) -> list[LedgerEntry]:
        """In respondent mode, the returns without a respondent's identity: used alone, or set aside."""
        if self.respondent_mode is None:
            return []
        return [e for e in self.entries if e.respondent is None and (e.status in USABLE or e.set_aside)]

    @property
    def unlisted(self) -> list[LedgerEntry]:
        """Used returns of respondents not on the respondent list (respondent mode with a list)."""
        mode = self.respondent_mode
        if mode is None or mode.listed is None:
            return []
        known = {(line.council.code.casefold(), line.respondent.id.casefold()) for line in mode.listed}
        return [
            e
            for e in self.used
            if e.respondent and ((e.code or "").casefold(), e.respondent.id.casefold()) not in known
        ]

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

    @property
    def needs_review(self) -> list[LedgerEntry]:
        """Held returns, and files a fault of ours stopped: the coordinator must look at each."""
        return [e for e in self.entries if e.status == FileStatus.HELD or e.internal_error]

    @property
    def not_returned(self) -> list[Council]:
        """The expected councils from which no file arrived at all."""
        return [row.council for row in self.chase if row.status == "not-returned"]

    def chase_counts(self) -> dict[str, int]:
        """How many expected councils have each chase status."""
        return {s: sum(row.status == s for row in self.chase) for s in ORDER}

    @property
    def unexpected(self) -> list[LedgerEntry]:
        """Used returns from councils not on the expected list."""
        return [e for e in self.used if any(i.code == "unexpected-council" for i in e.report.issues)]

    def counts(self) -> dict[str, int]:
        return {s.value: sum(e.status == s for e in self.entries) for s in FileStatus}

    @property
    def issues(self) -> list[Issue]:
        return [issue for entry in self.entries for issue in entry.report.issues]


def read_all(
    paths: Sequence[Path],
    rubric: Rubric,
    limits: Limits | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
    keep: Callable[[FileReport], FileReport] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[FileReport]:
    """Read every file (and every workbook attached to a saved email), in parallel when ``workers`` > 1; results
    keep the input order.

    ``keep`` is applied to each report as it arrives (to move its comments to disk, say); ``progress`` is told
    how many of ``paths`` were read; ``meanwhile`` is called once the workers are busy (or first, when reading
    serially).
    """
    keep = keep or (lambda report: report)
    reports: list[FileReport] = []
    if workers <= 1 or len(paths) < 8:
        with few_collections():
            if meanwhile:
                meanwhile()
            for path in paths:
                reports.extend(keep(report) for report in read_returns(path, rubric, limits))
                if progress:
                    progress(1)
        return reports
    from concurrent.futures import ProcessPoolExecutor

    from .parallel import read_many

    size = 8  # small enough that the workers finish together, large enough to keep the traffic low
    chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    relaxed = (READING_GC_THRESHOLD, *gc.get_threshold()[1:])  # for workers not forked from here, too
    with few_collections(), ProcessPoolExecutor(workers, initializer=gc.set_threshold, initargs=relaxed) as pool:
        results = pool.map(read_many, chunks, [rubric] * len(chunks), [limits] * len(chunks))
        if meanwhile:
            meanwhile()
        for chunk_reports in results:
            reports.extend(keep(report) for entry in chunk_reports for report in entry)
            if progress:
                progress(len(chunk_reports))
    return reports


READING_GC_THRESHOLD = 20_000  # new objects between collections of cyclic garbage while reading (CPython: 700)


@contextmanager
def few_collections() -> Iterator[None]:
    """Look for cyclic garbage less often while returns are read, and not at all in what exists by then.

    The objects made while reading are freed at once (in the workers) or kept to the end (the reports, in this
    process): collecting every 700 new objects, as CPython does, only walks them again and again (at 1,000 returns,
    0.66 s of this process's 4.4 s of CPU and 0.3 s of each worker's 5.8 s; 0.18 s and none with this). What exists
    before and after is frozen (``gc.freeze``), so no later collection walks it, here or in a process forked from
    here (the side processes that write the outputs), until ``gc.unfreeze()``:
    :func:`~nps_xlsx.collect.job.run_collect` calls it at its end. A cycle made while reading is still collected,
    once 20,000 new objects have piled up.
    """
    gc.freeze()
    saved = gc.get_threshold()
    gc.set_threshold(READING_GC_THRESHOLD, *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.freeze()


def collect(
    reports: Iterable[FileReport],
    expected: list[Council] | None = None,
    spool: CommentSpool | None = None,
    assignments: Assignments | None = None,
    respondents: Sequence[Listed] | None = None,
) -> Collection:
    """Build the ledger: choose one return per council (per respondent in respondent mode) and find the councils
    (the listed respondents, given ``respondents``) that have not returned.

    Respondent mode is chosen when ``respondents`` (a respondent list) is given or a return carries a
    respondent's identity; without ``expected``, the councils expected are the respondent list's.
    """
    entries = [LedgerEntry(report, report.status) for report in reports]
    if expected is None and respondents is not None:
        expected = list({line.council.code.casefold(): line.council for line in respondents}.values())
    names = NameIndex()
    for council in expected or []:
        names.add(council.name, council.code)
    if assignments:
        _assign(entries, assignments, {c.code: c.name for c in expected or []})
    for entry in entries:
        response = entry.report.response
        if entry.status in USABLE and response:
            issued = response.identity.get("council_name", "")
            if response.council_code and issued:
                names.add(issued, response.council_code)
    for entry in entries:
        response = entry.report.response
        if entry.status in USABLE and response:
            typed = response.council_name or ""
            entry.code = response.council_code or names.get(typed)
            entry.council_key = entry.code.casefold() if entry.code else "name:" + fold_name(typed)
        elif entry.status == FileStatus.HELD:
            entry.note = _held_note(entry)
        elif entry.internal_error:
            entry.note = (
                "not the council's fault: a fault in nps-xlsx stopped this file being read; "
                "do not ask the council to resend it, report the fault"
            )
    mode = _respondent_mode(entries, respondents)
    _supersede(entries, by_respondent=mode is not None)
    if mode is not None:
        _set_aside_mixed(entries)
    collection = Collection(entries, expected, spool=spool, respondent_mode=mode)
    for entry in collection.unlisted:
        entry.note = f"{entry.note}; {UNLISTED}" if entry.note else UNLISTED
    if expected is not None:
        _check_expected(collection, expected)
        check_senders(collection.entries, expected)
    return collection


def _respondent_mode(entries: list[LedgerEntry], listed: Sequence[Listed] | None) -> RespondentMode | None:
    """Respondent mode, and why: a respondent list was given, or returns carry respondents' identities."""
    if listed is not None:
        councils = len({line.council.code.casefold() for line in listed})
        given = f"{plural(len(listed), 'respondent')} of {plural(councils, 'council')}"
        return RespondentMode(f"--respondents lists {given}", tuple(listed))
    carrying = sum(e.respondent is not None for e in entries)
    if not carrying:
        return None
    read = sum(e.report.response is not None for e in entries)
    carry = "carries" if carrying == 1 else "carry"
    return RespondentMode(
        f"{carrying:,} of the {plural(read, 'return')} read {carry} a respondent's identity (copies made by "
        "generate --respondents)"
    )


def _set_aside_mixed(entries: list[LedgerEntry]) -> None:
    """Respondent mode: a used return without a respondent's identity is set aside where its council's respondents'
    returns are used, else used alone; its note says which."""
    answered = {e.council_key for e in entries if e.status in USABLE and e.respondent is not None}
    for entry in entries:
        if entry.status not in USABLE or entry.respondent is not None:
            continue
        if entry.council_key in answered:
            entry.status, entry.set_aside, note = FileStatus.SUPERSEDED, True, SET_ASIDE
        else:
            note = ALONE
        entry.note = f"{entry.note}; {note}" if entry.note else note


def _assign(entries: list[LedgerEntry], assignments: Assignments, names: dict[str, str]) -> None:
    """Use each file the assignments file names under the council it gives."""
    for entry in entries:
        report, response = entry.report, entry.report.response
        line = assignments.find(report.path, report.facts.sha256)
        if line is None:
            continue
        where = f"{assignments.source} line {line.line}"
        if entry.status not in (*USABLE, FileStatus.HELD) or response is None:
            entry.note = f"{where} assigns this file to {line.code}, but it cannot be used ({entry.status})"
            continue
        name = names.get(line.code) or (
            response.identity.get("council_name") if line.code == response.council_code else None
        )
        entry.report.response = replace(response, council_code=line.code, council_name=name or response.council_name)
        entry.assigned = line
        entry.status = FileStatus.ACCEPTED_WITH_WARNINGS if report.issues else FileStatus.ACCEPTED
        typed = f" (name typed: {response.council_name!r})" if response.council_name != name and name else ""
        entry.note = f"assigned to {line.code} by {where}{typed}"


def _held_note(entry: LedgerEntry) -> str:
    response = entry.report.response
    assert response is not None
    issued = response.identity.get("council_name")
    return (
        f"held for review: the name typed is {response.council_name!r} but the copy was issued to {issued!r} "
        f"({response.council_code}); not counted for either council. Find out which council sent it, then add "
        f'the line "{entry.report.facts.sha256},<council code>" to an assignments file and run collect '
        "again with --assign"
    )


def _sort_key(entry: LedgerEntry) -> tuple[date, float, str]:
    response = entry.report.response
    completed = response.completion_date if response and response.completion_date else date.min
    return completed, entry.report.facts.modified or 0.0, entry.report.path


def _supersede(entries: list[LedgerEntry], by_respondent: bool = False) -> None:
    """The duplicate rule (see the module docstring), per council, or ``by_respondent`` per council and respondent."""
    groups: dict[tuple[str, str], list[LedgerEntry]] = {}
    for entry in entries:
        if entry.council_key and entry.status in USABLE:
            who = entry.respondent.id.casefold() if by_respondent and entry.respondent else ""
            groups.setdefault((entry.council_key, who), []).append(entry)
    for (_council, who), group in groups.items():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=_sort_key)
        winner = ordered[-1]
        twins = [e for e in group if e.report.facts.sha256 == winner.report.facts.sha256]
        winner = min(twins, key=lambda e: (len(e.report.path), e.report.path))  # the copy with the shortest name
        for entry in ordered:
            if entry is winner:
                continue
            entry.status = FileStatus.SUPERSEDED
            twins = [e for e in group if e.report.facts.sha256 == entry.report.facts.sha256]
            original = min(twins, key=lambda e: (len(e.report.path), e.report.path))
            if original is not entry:
                later = "" if original is winner else f"; superseded by {winner.report.path}"
                entry.note = f"identical copy of {original.report.path}{later}"
            else:
                entry.note = f"superseded by {winner.report.path} (later completion date, then file time)"
        used = f"used; {len(group) - 1} other return(s) from this {'respondent' if who else 'council'} superseded"
        winner.note = f"{winner.note}; {used}" if winner.note else used


def _check_expected(collection: Collection, expected: list[Council]) -> None:
    matcher = CouncilMatcher(expected)
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        if matcher.code(entry.code) or matcher.name(response.council_name):
            continue
        issue = make_issue(
            "unexpected-council",
            Location(entry.report.path),
            f"the council {response.council_name!r} is not on the expected list",
            value=response.council_name,
        )
        entry.report.issues.append(issue)
        entry.status = entry.report.status = FileStatus.ACCEPTED_WITH_WARNINGS
        entry.note = (entry.note + "; " if entry.note else "") + "not on the expected list"
    mode = collection.respondent_mode
    if mode is not None and mode.listed is not None:
        collection.chase = respondent_chase_list(collection.entries, mode.listed, matcher)
    else:
        collection.chase = chase_list(collection.entries, expected, matcher)
