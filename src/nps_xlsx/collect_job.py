"""The whole ``collect`` job: read, choose, consolidate, and write the summary and CSV files atomically."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .assign import Assignments
from .collect import Collection, collect, read_all
from .councils import Council
from .errors import NothingFoundError
from .output import write_atomic_with
from .report import discover, nothing_found
from .rubric import Rubric
from .safety import Limits, read_member
from .sidecar import Sidecar
from .spool import CommentSpool
from .validate import FileReport

OWN_OUTPUT_PROBE = 64 << 10  # bytes read to recognise an output of ours: its core.xml is under 1 KB


@dataclass(frozen=True)
class CollectOutputs:
    """Where to write: the summary workbook, and optionally the responses and ledger CSV files.

    ``raw_csv`` writes CSV cells as they are, without neutralising text that Excel would read as a formula;
    ``bom`` starts each CSV file with a UTF-8 byte order mark, for Excel.
    """

    summary: Path
    responses_csv: Path | None = None
    ledger_csv: Path | None = None
    raw_csv: bool = False
    bom: bool = True

    def paths(self) -> list[Path]:
        return [p for p in (self.summary, self.responses_csv, self.ledger_csv) if p]


def is_own_output(path: Path) -> bool:
    """Whether ``path`` is a file this job wrote before (a summary workbook, or one of its CSV files).

    Bounded and total: at most :data:`OWN_OUTPUT_PROBE` bytes are read (of a CSV's first line, or of a
    workbook's docProps/core.xml), and any failure (not a regular file, not a zip, a member that cannot be
    inflated or is too big) means it is not ours.
    """
    from .consolidate import LEDGER_COLUMNS, RESPONSE_COLUMNS

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a pipe or a device: it could block
            return False
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig") as stream:  # with or without --no-bom
                line = stream.readline(OWN_OUTPUT_PROBE)
            return line.rstrip("\r\n").split(",") in (RESPONSE_COLUMNS, LEDGER_COLUMNS)
        with zipfile.ZipFile(path) as archive:
            core = read_member(archive, "docProps/core.xml", Limits(max_member_bytes=OWN_OUTPUT_PROBE))
    except Exception:  # whatever is at an output path, deciding that it is not ours must never fail
        return False
    text = core.decode("utf-8", "replace")
    return "<dc:creator>nps-xlsx</dc:creator>" in text and "summary</dc:title>" in text


def _reproducible() -> bool:
    """``SOURCE_DATE_EPOCH`` is set: stamp outputs with it, so runs are byte-identical."""
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())


def _import_writers() -> None:
    """Load pandas and the writers (about half a second) while the workers read."""
    from . import consolidate, summary  # noqa: F401


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
) -> Collection:
    """Run the job end to end and return the collection (for the caller's summary line)."""
    from .template import build_time

    # A previous run's own outputs inside a returns folder are not returns; anything else there is an input.
    own = {os.path.realpath(p) for p in outputs.paths() if is_own_output(p)}
    files = [p for p in discover(inputs) if os.path.realpath(p) not in own]
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
        reports = read_all(files, rubric, limits, progress, workers, keep=stash, meanwhile=_import_writers)
        if all(report.status == "skipped" for report in reports):  # write no summary of nothing
            raise NothingFoundError(nothing_found(inputs, reports))
        from .consolidate import build_tables, write_ledger_csv, write_responses_csv
        from .summary import write_summary

        collection = collect(reports, expected, spool, assignments)
        produced = build_time() if _reproducible() else datetime.now(timezone.utc).replace(microsecond=0)
        guard = (*files, *protected)
        responses_csv = outputs.responses_csv
        with Sidecar(parallel=workers > 1) as side:  # the CSV is written by a second process meanwhile
            if responses_csv:
                side.start(
                    lambda: write_atomic_with(
                        responses_csv,
                        lambda temp: write_responses_csv(collection, rubric, temp, outputs.raw_csv, outputs.bom),
                        guard,
                    )
                )
            tables = build_tables(collection, rubric, produced)
            write_atomic_with(
                outputs.summary, lambda temp: write_summary(tables, rubric, produced, temp, workers > 1), guard
            )
            if outputs.ledger_csv:
                ledger = tables.ledger
                write_atomic_with(
                    outputs.ledger_csv, lambda temp: write_ledger_csv(ledger, temp, outputs.raw_csv, outputs.bom), guard
                )
    finally:
        spool.close()
    return collection
