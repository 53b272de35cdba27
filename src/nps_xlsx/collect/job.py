"""The whole ``collect`` job: read, choose, consolidate, and write the summary and CSV files atomically."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..councils import Council
from ..errors import NothingFoundError
from ..output import Guard, OutputRefused, write_atomic_with
from ..read.files import list_entries
from ..read.own_outputs import NOT_RETURNS, OutputKind, recognise
from ..read.safety import Limits
from ..respondents import Listed
from ..rubric import Rubric
from ..validate.check import FileReport, FileStatus
from ..validate.report import nothing_found
from .assign import Assignments
from .collection import Collection, collect, read_all
from .sidecar import Sidecar
from .spool import CommentSpool

if TYPE_CHECKING:  # pandas is imported while the workers read
    import pandas as pd

    from .rounds import PreviousRound


@dataclass(frozen=True)
class CollectOutputs:
    """Where to write: the summary workbook, and optionally the responses, ledger and chase-list CSV files.

    ``raw_csv`` writes CSV cells as they are, without neutralising text that Excel would read as a formula;
    ``bom`` starts each CSV file with a UTF-8 byte order mark, for Excel.
    """

    summary: Path
    responses_csv: Path | None = None
    ledger_csv: Path | None = None
    raw_csv: bool = False
    chase_csv: Path | None = None
    bom: bool = True
    excellence_csv: Path | None = None
    targets_csv: Path | None = None
    priorities_csv: Path | None = None
    consensus_csv: Path | None = None  # respondent mode: the councils' consensus, in the responses CSV's columns

    def paths(self) -> list[Path]:
        every = (self.summary, self.responses_csv, self.ledger_csv, self.chase_csv, self.excellence_csv)
        return [p for p in (*every, self.targets_csv, self.priorities_csv, self.consensus_csv) if p]


def _reproducible() -> bool:
    """``SOURCE_DATE_EPOCH`` is set: stamp outputs with it, so runs are byte-identical."""
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())


def _import_writers() -> None:
    """Load pandas and the writers (about half a second) while the workers read."""
    from . import summary, tables  # noqa: F401


def default_workers() -> int:
    """Both cores where there are two or more (reading is CPU-bound)."""
    return max(1, min(4, os.cpu_count() or 1))


def run_collect(
    inputs: list[Path],
    rubric: Rubric,
    outputs: CollectOutputs,
    expected: list[Council] | None = None,
    limits: Limits | None = None,
    protected: tuple[Path, ...] = (),
    progress: Callable[[int], None] | None = None,
    on_discovered: Callable[[int], None] | None = None,
    workers: int | None = None,
    assignments: Assignments | None = None,
    force: bool = False,
    refused: list[OutputRefused] | None = None,
    group_by: tuple[str, ...] = (),
    previous: Callable[[], PreviousRound] | None = None,
    round_label: str | None = None,
    notes: list[str] | None = None,
    respondents: list[Listed] | None = None,
    consensus: str | None = None,
) -> Collection:
    """Run the job end to end and return the collection (for the caller's summary line).

    Respondent mode (see :mod:`nps_xlsx.collect.collection`) is chosen when ``respondents`` (a respondent list) is
    given or a return carries a respondent's identity: the tables of councils' answers are then each council's
    consensus by the rule ``consensus`` (default :data:`~nps_xlsx.collect.agreement.DEFAULT_CONSENSUS`), the
    responses CSV has a row per respondent's answer, and ``outputs.consensus_csv`` gets the consensus; lines for
    the console saying which mode and why are added to ``notes``.

    ``round_label`` names this round (default: the year it is produced); with ``previous`` (which loads an
    earlier round; it is called while the workers read, and what it raises ends the run once they are done, before
    anything is written), the summary shows the movement since that round, and a line for the console is added to
    ``notes``.

    An output whose path holds something that must be kept (see :mod:`nps_xlsx.output`) is not written: it
    is added to ``refused`` and the other outputs are written (without ``refused``, the first is raised).
    ``group_by`` names columns of ``expected`` to break the summary and the responses CSV down by.
    """
    from ..output import build_time

    # A previous run's own outputs inside a returns folder are not returns; anything else there is an input.
    own = {os.path.realpath(p) for p in outputs.paths() if recognise(p) in NOT_RETURNS}
    files = [p for p in list_entries(inputs) if os.path.realpath(p) not in own]
    if not files:
        raise NothingFoundError(nothing_found(inputs, []))
    if on_discovered:
        on_discovered(len(files))
    spool = CommentSpool()
    try:

        def stash(report: FileReport) -> FileReport:
            if report.response is not None:
                report.response = spool.stash(report.path, report.response)
            return report

        workers = default_workers() if workers is None else workers
        earlier: list[PreviousRound] = []

        def meanwhile() -> None:  # what the main process does while the workers read
            _import_writers()
            if previous:
                earlier.append(previous())

        reports = read_all(files, rubric, limits, progress, workers, keep=stash, meanwhile=meanwhile)
        if all(report.status == FileStatus.SKIPPED for report in reports):  # write no summary of nothing
            raise NothingFoundError(nothing_found(inputs, reports))
        from ..columns import EXCELLENCE_COLUMNS, PRIORITY_COLUMNS, TARGET_COLUMNS
        from ..csv_table import write_csv
        from .rounds import compare
        from .sheet_prefilled import prefilled_overview, prefilled_table
        from .summary import Summary
        from .tables import build_tables, large_rows, write_chase_csv, write_ledger_csv, write_responses_csv

        segments = _segments(expected, group_by)
        collection = collect(reports, expected, spool, assignments, respondents)
        produced = build_time() if _reproducible() else datetime.now(timezone.utc).replace(microsecond=0)
        label = str(produced.year) if round_label is None else round_label
        said = notes if notes is not None else []
        answers, agreed = None, None
        if collection.respondent_mode is not None:
            from .agreement import DEFAULT_CONSENSUS, build_agreement
            from .consensus import consensus_collection, consensus_frame, respondent_frame
            from .story import respondent_lines

            rule = consensus or DEFAULT_CONSENSUS
            frame = respondent_frame(collection, rubric, label)
            agreed = build_agreement(frame, rubric, rule)
            answers = consensus_collection(consensus_frame(frame, rubric, rule, agreed.table), rubric, expected)
            said.extend(respondent_lines(collection, agreed))
        elif consensus or (outputs.consensus_csv and outputs.consensus_csv != consensus_beside(outputs.responses_csv)):
            said.append(
                "One response per council: no return carries a respondent's identity and --respondents was not "
                "given, so there is no consensus (--consensus and --consensus-csv have no effect)."
            )
        guard = Guard((*files, *protected), force, rubric)
        problems: list[OutputRefused] = []
        keep = problems.append
        responses_csv = outputs.responses_csv
        # The CSV, and the summary's two largest tables' rows, are written by other processes meanwhile, each forked
        # before the tables are built (a forked process starts with its parent's memory)
        parallel = workers > 1
        summary = Summary(rubric, produced, large_rows(answers or collection, rubric), parallel)
        with Sidecar(parallel) as side, summary:
            if responses_csv:
                side.start(
                    lambda: _unless_refused(
                        responses_csv,
                        lambda temp: write_responses_csv(
                            collection, rubric, temp, outputs.raw_csv, outputs.bom, label, segments, answers is not None
                        ),
                        "responses",
                        guard,
                    ),
                    then=lambda problem: problem and keep(problem),
                )
            tables = build_tables(collection, rubric, produced, segments, answers)
            if agreed is not None and collection.respondent_mode is not None:
                from .sheet_agreement import agreement_overview

                tables.agreement = agreed
                tables.overview.extend(agreement_overview(agreed, collection.respondent_mode.reason))
            tables.overview.append(("Round", label))
            tables.prefilled = prefilled_table(collection)
            tables.overview.extend(prefilled_overview(tables.prefilled))
            if earlier:
                tables.rounds = compare(earlier[0], tables.responses, rubric, label)
                tables.overview.extend(tables.rounds.overview)
                (notes if notes is not None else []).append(tables.rounds.console)
            if refusal := _unless_refused(outputs.summary, partial(summary.write, tables), "summary", guard):
                keep(refusal)
            if outputs.ledger_csv:
                ledger = tables.ledger
                write_ledger = partial(write_ledger_csv, ledger, raw=outputs.raw_csv, bom=outputs.bom)
                if refusal := _unless_refused(outputs.ledger_csv, write_ledger, "ledger", guard):
                    keep(refusal)
            if answers is not None and outputs.consensus_csv:
                consensus_answers = answers

                def write_consensus(temp: Path) -> None:
                    write_responses_csv(consensus_answers, rubric, temp, outputs.raw_csv, outputs.bom, label, segments)

                if refusal := _unless_refused(outputs.consensus_csv, write_consensus, "responses", guard):
                    keep(refusal)
            if outputs.chase_csv:
                write_chase = partial(write_chase_csv, tables.chase, raw=outputs.raw_csv, bom=outputs.bom)
                if refusal := _unless_refused(outputs.chase_csv, write_chase, "chase", guard):
                    keep(refusal)
            if outputs.excellence_csv:
                top_rows = tables.excellence

                def write_top(temp: Path) -> None:
                    write_csv(temp, EXCELLENCE_COLUMNS, top_rows(), outputs.raw_csv, outputs.bom)

                if refusal := _unless_refused(outputs.excellence_csv, write_top, "excellence", guard):
                    keep(refusal)
            assert tables.ambition is not None
            csvs: tuple[tuple[Path | None, OutputKind, list[str], pd.DataFrame], ...] = (
                (outputs.targets_csv, "targets", TARGET_COLUMNS, tables.ambition.targets),
                (outputs.priorities_csv, "priorities", PRIORITY_COLUMNS, tables.ambition.priorities),
            )
            for path, kind, columns, frame in csvs:
                if path and (
                    refusal := _unless_refused(path, partial(write_frame, frame, columns, outputs), kind, guard)
                ):
                    keep(refusal)
    finally:
        spool.close()
        gc.unfreeze()  # what read_all froze (see collection.few_collections): collected again if it becomes garbage
    order = [os.path.realpath(p) for p in outputs.paths()]
    problems.sort(key=lambda problem: order.index(os.path.realpath(problem.path)))
    if problems and refused is None:
        raise problems[0]
    (refused if refused is not None else []).extend(problems)
    return collection


def consensus_beside(responses_csv: Path | None) -> Path | None:
    """Where the consensus CSV goes when ``--consensus-csv`` is not given: beside the responses CSV, if any."""
    return responses_csv.with_name(f"{responses_csv.stem}-consensus.csv") if responses_csv else None


def write_frame(frame: pd.DataFrame, columns: list[str], outputs: CollectOutputs, temp: Path) -> None:
    """``frame``'s ``columns`` as a CSV file (missing values empty), as ``outputs`` says CSV files are written."""
    from ..csv_table import write_csv
    from .rows import is_blank

    rows = frame[columns].astype(object).itertuples(index=False, name=None)
    write_csv(temp, columns, ([None if is_blank(v) else v for v in row] for row in rows), outputs.raw_csv, outputs.bom)


def _segments(expected: list[Council] | None, group_by: tuple[str, ...]) -> pd.DataFrame | None:
    """The council list's columns named by ``group_by`` (see :mod:`nps_xlsx.collect.cohort`), or ``None``."""
    if not group_by:
        return None
    from ..councils import group_columns
    from .cohort import segments_frame

    councils = expected or []
    return segments_frame(councils, group_columns(councils, group_by))


def _unless_refused(
    path: Path, write: Callable[[Path], object], kind: OutputKind, guard: Guard
) -> OutputRefused | None:
    """Write an output as :func:`~nps_xlsx.output.write_atomic_with` does; a refusal is returned, not raised."""
    try:
        write_atomic_with(path, write, kind, guard)
    except OutputRefused as refused:
        return refused
    return None
