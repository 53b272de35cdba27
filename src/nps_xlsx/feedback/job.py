"""The ``feedback`` job: read the responses CSV, compute the round's figures once, write a workbook per council."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import pandas as pd

from ..collect.cohort import group_fields, segments_frame
from ..collect.job import default_workers
from ..collect.rounds import PreviousRound, ResponsesCsv, read_responses
from ..councils import Council, group_columns, workbook_filename
from ..csv_table import fold
from ..errors import GroupByError, NpsXlsxError
from ..output import NO_GUARD, Guard, OutputRefused, build_time, collisions, write_atomic, write_atomic_with
from ..rubric import Rubric
from ..text import named
from .figures import MIN_COHORT, RoundFigures, build_round
from .pdf import render_pdfs, soffice
from .respondents import check_match
from .workbook import write_feedback

SUFFIX = "-feedback"
PARALLEL_FROM = 16  # workbooks: fewer are written in this process (starting workers costs more)
USE = "feedback takes the responses CSV that 'collect --csv' wrote"


class CouncilNotFound(NpsXlsxError):
    """``--councils`` names a council that has no return in the responses CSV."""


@dataclass(frozen=True)
class FeedbackOptions:
    """What to write: ``councils`` (codes; empty for every council), ``--min-cohort``, and PDFs too."""

    min_cohort: int = MIN_COHORT
    councils: tuple[str, ...] = ()
    pdf: bool = False


def load_round(
    path: Path,
    rubric: Rubric,
    min_cohort: int = MIN_COHORT,
    expected: Sequence[Council] | None = None,
    group_by: Sequence[str] = (),
    previous: PreviousRound | None = None,
    respondents: Path | None = None,
) -> RoundFigures:
    """The round's figures from its responses CSV; similar councils by ``group_by``, columns of the ``expected``
    council list if given, else of the CSV (collect writes the grouped columns there); with ``respondents`` (the
    respondents' CSV of the collect run that wrote ``path``, its consensus CSV), each council's own respondents.

    Raises :class:`~nps_xlsx.collect.rounds.ResponsesCsvError` for a ``respondents`` file that is not that CSV
    (see :func:`~nps_xlsx.feedback.respondents.check_match`)."""
    read = read_responses(path, rubric, use=USE)
    groups = _groups(read, expected, group_by)
    rows = None
    if respondents is not None:
        use = "--respondents-csv takes the CSV that 'collect --csv' wrote in respondent mode"
        each = read_responses(respondents, rubric, use=use, respondents=True)
        check_match(read, each)
        rows = each.responses
    return build_round(read.responses, rubric, read.label, min_cohort, groups, previous, rows)


def _groups(read: ResponsesCsv, expected: Sequence[Council] | None, group_by: Sequence[str]) -> pd.DataFrame | None:
    """Each return's value of each grouping column, indexed by source file."""
    if not group_by:
        return None
    returns = read.responses.drop_duplicates("source_file")
    if expected is not None:
        segments = segments_frame(expected, group_columns(expected, group_by))
        values = group_fields(segments, returns["council_code"])
    else:
        chosen = [_csv_column(read, name) for name in group_by]
        values = returns[list(dict.fromkeys(chosen))].reset_index(drop=True)
    return values.set_axis(pd.Index(returns["source_file"], name="source_file"))


def _csv_column(read: ResponsesCsv, name: str) -> str:
    found = [c for c in read.extra if c == name.strip()] or [c for c in read.extra if fold(c) == fold(name)]
    if len(found) == 1:
        return found[0]
    has = f"its grouped columns are {named(read.extra)}" if read.extra else "it has no grouped columns"
    raise GroupByError(
        f"--group-by '{name}': the responses CSV {read.path} has no such column ({has}); give the council list "
        "with --expected, or collect with --group-by"
    )


def feedback_paths(figures: RoundFigures, out_dir: Path, councils: Sequence[str] = ()) -> list[tuple[Path, str]]:
    """Where each chosen council's workbook goes, with its return's source file, in the CSV's order.

    Raises :class:`CouncilNotFound` for a code in ``councils`` that has no return (codes compared case folded).
    """
    sources = figures.sources()
    of = {source: figures.council_of(source) for source in sources}
    if councils:
        wanted = {code.casefold() for code in councils}
        have = {council.code.casefold() for council in of.values()}
        missing = [code for code in councils if code.casefold() not in have]
        if missing:
            raise CouncilNotFound(f"--councils: no return in the responses CSV for {named(missing)}")
        sources = [s for s in sources if of[s].code.casefold() in wanted]
    return [(out_dir / workbook_filename(of[s], SUFFIX), s) for s in sources]


def run_feedback(
    figures: RoundFigures,
    rubric: Rubric,
    out_dir: Path,
    options: FeedbackOptions = FeedbackOptions(),
    guard: Guard = NO_GUARD,
    progress: Callable[[int], None] | None = None,
    refused: list[OutputRefused] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write the chosen councils' workbooks (and PDFs) into ``out_dir``; return the paths written, in order.

    ``workers`` processes write the workbooks (default: one per core, up to 4; forked, so the round's figures
    are shared, not copied; one process where the system cannot fork). The output is the same either way.

    A path holding something that must be kept (see :mod:`nps_xlsx.output`) is not written: it is added to
    ``refused`` (without ``refused``, the first is raised). With ``options.pdf``, LibreOffice must be installed
    (checked before anything is written).
    """
    program = soffice() if options.pdf else None
    chosen = feedback_paths(figures, out_dir, options.councils)
    clash = collisions((source, path) for path, source in chosen)
    if clash:
        first, second, path = clash[0]
        raise NpsXlsxError(f"the returns {first} and {second} would both be written to {path}")
    produced = build_time()
    written: list[Path] = []
    problems: list[OutputRefused] = []
    job = _Job(figures, rubric, produced, guard)
    for (path, _source), problem in zip(chosen, _run(job, chosen, workers), strict=True):
        if problem is None:
            written.append(path)
        else:
            problems.append(problem)
        if progress:
            progress(1)
    if program is not None:
        for book, data in render_pdfs(written, program).items():
            try:
                write_atomic(book.with_suffix(".pdf"), data, "feedback", guard)
            except OutputRefused as problem:
                problems.append(problem)
            else:
                written.append(book.with_suffix(".pdf"))
    if problems and refused is None:
        raise problems[0]
    (refused if refused is not None else []).extend(problems)
    return written


@dataclass(frozen=True)
class _Job:
    """What writing a workbook needs besides its path and return."""

    figures: RoundFigures
    rubric: Rubric
    produced: datetime
    guard: Guard

    def write(self, task: tuple[Path, str]) -> OutputRefused | None:
        path, source = task
        write = partial(write_feedback, self.figures.council(source), self.rubric, self.produced)
        try:
            write_atomic_with(path, write, "feedback", self.guard)
        except OutputRefused as problem:
            return problem
        return None


_FORKED: list[_Job] = []  # the job, as forked workers inherit it


def _forked_write(task: tuple[Path, str]) -> OutputRefused | None:
    return _FORKED[0].write(task)


def _run(job: _Job, tasks: list[tuple[Path, str]], workers: int | None) -> Iterator[OutputRefused | None]:
    """Each task's refusal (or ``None``), in order, as written: by forked processes when it pays."""
    workers = default_workers() if workers is None else workers
    if workers < 2 or len(tasks) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(job.write, tasks)
        return
    _FORKED[:] = [job]
    gc.freeze()  # the round's figures, which the workers share: no collection walks them there (nor copies their pages)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_forked_write, tasks, chunksize=4)
    finally:
        _FORKED.clear()
        gc.unfreeze()
