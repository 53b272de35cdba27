"""The probes: what is measured.

``measure_floor`` and ``measure_naive`` run inside the measured subprocesses (``bench/run.py --measure floor|naive
DIR``); ``measure_corpus``, ``measure_cohort`` and ``measure_generate`` run the floor, the naive baseline, collect
(plain, and with issue 13's groupings and previous round), generate and validate as measured processes (see
:mod:`meter`) and gather their figures.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from meter import RUNNER, Run, best_of, best_of_alternating, log, run_measured

from corpus import PREVIOUS_ROUND, ensure_corpus, previous_round_of, synthetic_councils

STARTUP_N = 8  # collect reads fewer files in one process (collect.read_all): 8 is the smallest that starts its workers


def corpus_files(directory: Path) -> list[Path]:
    """The workbooks in a corpus folder, sorted."""
    return sorted(p for p in directory.iterdir() if p.suffix == ".xlsx")


def own_peak_kb() -> int:
    """This process's own peak RSS (VmHWM), a cross-check of the ``ru_maxrss`` the parent reads."""
    with open("/proc/self/status") as stream:
        return next((int(line.split()[1]) for line in stream if line.startswith("VmHWM:")), 0)


def measure_floor(directory: Path) -> dict:
    """The floor: unzip every file and run expat, with no handlers, over each worksheet and the shared strings."""
    start = time.perf_counter()
    ok = failed = parsed_bytes = 0
    for path in corpus_files(directory):
        try:
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if name == "xl/sharedStrings.xml" or (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                        data = archive.read(name)
                        expat.ParserCreate().Parse(data, True)
                        parsed_bytes += len(data)
            ok += 1
        except (zipfile.BadZipFile, expat.ExpatError, OSError, EOFError, zlib.error):
            failed += 1
    return {
        "ok": ok,
        "failed": failed,
        "xml_bytes": parsed_bytes,
        "loop_seconds": time.perf_counter() - start,
        "vm_hwm_kb": own_peak_kb(),
    }


def measure_naive(directory: Path, sample: int) -> dict:
    """The naive baseline: ``pandas.read_excel(path, sheet_name=None)`` on ``sample`` evenly spaced files."""
    start = time.perf_counter()
    import pandas

    imported = time.perf_counter()
    files = corpus_files(directory)
    chosen = [files[i * len(files) // sample] for i in range(min(sample, len(files)))]
    ok = failed = 0
    for path in chosen:
        try:
            pandas.read_excel(path, sheet_name=None)
            ok += 1
        except Exception:  # a truncated file; the baseline has no error handling to speak of
            failed += 1
    return {
        "ok": ok,
        "failed": failed,
        "sample": len(chosen),
        "import_seconds": imported - start,
        "loop_seconds": time.perf_counter() - imported,
        "vm_hwm_kb": own_peak_kb(),
    }


@dataclass
class CorpusRuns:
    """Floor and collect (and, for the main N, naive) on one corpus."""

    n: int
    floor: Run
    collect: Run
    floor_result: dict
    ledger_counts: dict[str, int]
    rejected_ok: bool
    naive: Run | None = None
    naive_result: dict = field(default_factory=dict)
    startup: Run | None = None  # collect on the STARTUP_N-file corpus (main N only), for :attr:`collect_fixed`

    @property
    def naive_total(self) -> float:
        """The naive baseline's time for all N files: its fixed cost plus the sampled per-file time times N."""
        result = self.naive_result
        per_file = result["loop_seconds"] / result["sample"]
        return (self.naive.wall - result["loop_seconds"]) + per_file * self.n  # type: ignore[union-attr]

    @property
    def collect_fixed(self) -> float | None:
        """Collect's fixed start-up: where the straight line through its wall time at STARTUP_N and at N files
        meets N = 0. None without the STARTUP_N run, or when that line does not rise (noise)."""
        if not self.startup or self.n <= STARTUP_N:
            return None
        marginal = (self.collect.wall - self.startup.wall) / (self.n - STARTUP_N)
        if marginal <= 0:
            return None
        return max(0.0, self.startup.wall - marginal * STARTUP_N)


def measure_corpus(
    n: int,
    folder: Path,
    manifest: dict,
    workdir: Path,
    cli: list[str],
    workers: int | None,
    naive_sample: int,
    repeat: int,
) -> CorpusRuns:
    """Run the floor, collect and, when ``naive_sample``, the naive baseline on one corpus, each in its own process,
    taking turns (floor, naive, collect, floor, ...), and keep the best of ``repeat`` of each."""
    me = [sys.executable, str(RUNNER)]
    out = workdir / f"out-{n}"
    floor_label, naive_label, collect_label = f"floor N={n}", f"naive N={n}", f"collect N={n}"
    commands = {floor_label: [*me, "--measure", "floor", str(folder)]}
    if naive_sample:
        commands[naive_label] = [*me, "--measure", "naive", str(folder), "--naive-sample", str(naive_sample)]
    commands[collect_label] = collect_command(cli, folder, out, workers)
    log(f"N={n:,}: {', '.join(label.split()[0] for label in commands)}, x{repeat} each, taking turns ...")
    best = best_of_alternating(repeat, commands)
    naive = best.get(naive_label)
    naive_result: dict = json.loads(naive.stdout) if naive else {}
    floor, collect = best[floor_label], best[collect_label]
    floor_result = json.loads(floor.stdout)
    counts: dict[str, int] = {}
    rejected: set[str] = set()
    with (out / "files.csv").open(encoding="utf-8-sig") as stream:
        for row in csv.DictReader(stream):
            counts[row["status"]] = counts.get(row["status"], 0) + 1
            if row["status"] == "rejected":
                rejected.add(Path(row["path"]).name)
    return CorpusRuns(
        n, floor, collect, floor_result, counts, rejected == set(manifest["invalid"]), naive, naive_result
    )


def collect_command(
    cli: list[str], folder: Path, out: Path, workers: int | None, extra: Sequence[str] = ()
) -> list[str]:
    """``nps-xlsx collect FOLDER [extra]`` writing its three outputs into ``out`` (emptied first)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [
        *cli,
        "collect",
        str(folder),
        "--out",
        str(out / "summary.xlsx"),
        "--csv",
        str(out / "responses.csv"),
        "--ledger",
        str(out / "files.csv"),
        *extra,
    ]
    if workers:
        command += ["--workers", str(workers)]
    return command


def measure_startup(workdir: Path, cli: list[str], workers: int | None, repeat: int) -> Run:
    """Collect on the STARTUP_N-file corpus (best of ``repeat``): with the main run, it gives collect's fixed
    start-up (:attr:`CorpusRuns.collect_fixed`)."""
    folder, _manifest = ensure_corpus(workdir, STARTUP_N)
    log(f"N={STARTUP_N}: collect x{repeat} (start-up) ...")
    command = collect_command(cli, folder, workdir / f"out-{STARTUP_N}", workers)
    return best_of(repeat, f"collect N={STARTUP_N}", command)


GROUP_BY = ("type", "region")
THIS_ROUND = "2025"


@dataclass
class CohortRun:
    """Issue 13's configuration: collect with two groupings and a previous round, on the main corpus."""

    collect: Run
    councils: int  # on the --expected list
    previous: int  # councils in the previous round
    rounds_line: str  # collect's closing line on the rounds (how the councils were matched)
    segments: dict[str, tuple[int, int]]  # grouped column -> (values on the list, councils with it blank)


def cohort_extra(cohort: Path) -> list[str]:
    """The options that make a plain collect issue 13's configuration (inputs from :func:`corpus.ensure_cohort`)."""
    extra = ["--expected", str(cohort / "councils.csv")]
    for column in GROUP_BY:
        extra += ["--group-by", column]
    previous = cohort / f"responses-{PREVIOUS_ROUND}.csv"
    return [*extra, "--previous", str(previous), "--round", THIS_ROUND]


def measure_cohort(
    n: int,
    folder: Path,
    cohort: Path,
    cohort_manifest: dict,
    workdir: Path,
    cli: list[str],
    workers: int | None,
    repeat: int,
) -> CohortRun:
    """``collect`` with ``--group-by type --group-by region --previous … --round 2025`` on the N-file corpus,
    best of ``repeat``, in its own process like the plain collect."""
    out = workdir / f"out-cohort-{n}"
    log(f"N={n:,}: collect with {len(GROUP_BY)} groupings and a previous round x{repeat} ...")
    command = collect_command(cli, folder, out, workers, cohort_extra(cohort))
    run = best_of(repeat, f"collect cohort N={n}", command)
    rounds_line = next((line for line in run.stdout.splitlines() if line.startswith("Previous round")), "")
    if not rounds_line:
        raise SystemExit(f"collect printed no line on the previous round:\n{run.stdout}")
    with (cohort / "councils.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    segments = {
        column: (len({row[column] for row in rows} - {""}), sum(1 for row in rows if not row[column]))
        for column in GROUP_BY
    }
    return CohortRun(run, len(rows), cohort_manifest["previous_councils"], rounds_line, segments)


@dataclass
class GenerateRuns:
    """The generate and validate timings."""

    blank: Run
    personalised: Run
    validate: Run
    councils: int
    # issue 15: the same councils' copies pre-filled from an earlier round (--prefill), and one copy of each kind
    prefilled: Run | None = None
    personalised_one: Run | None = None
    prefilled_one: Run | None = None

    def per_copy(self) -> dict[str, tuple[float, float]]:
        """Seconds per copy, plain and pre-filled: (whole run / copies, marginal: without the one-copy run)."""
        out = {}
        for kind, every, one in (
            ("plain", self.personalised, self.personalised_one),
            ("prefilled", self.prefilled, self.prefilled_one),
        ):
            if every is not None and one is not None:
                out[kind] = (every.wall / self.councils, (every.wall - one.wall) / max(1, self.councils - 1))
        return out


def measure_generate(workdir: Path, cli: list[str], one_return: Path, councils: int = 400) -> GenerateRuns:
    """Time ``generate --out`` (best of 3), ``generate --councils`` for ``councils`` councils and ``validate``."""
    gen = workdir / "generate"
    shutil.rmtree(gen, ignore_errors=True)
    gen.mkdir(parents=True)
    council_csv = gen / f"councils-{councils}.csv"
    synthetic_councils(council_csv, councils)
    log("generate: blank template (best of 3) ...")
    blank = best_of(3, "generate blank", [*cli, "generate", "--out", str(gen / "blank.xlsx")])
    log(f"generate: {councils} personalised workbooks ...")
    out_dir = gen / "workbooks"
    command = [*cli, "generate", "--councils", str(council_csv), "--out-dir", str(out_dir)]
    personalised = run_measured(f"generate {councils}", command).check()
    written = len(list(out_dir.glob("*.xlsx")))
    if written != councils:
        raise SystemExit(f"generate wrote {written} workbooks, expected {councils}")
    previous = gen / f"responses-{PREVIOUS_ROUND}.csv"
    previous_round_of(previous, councils)
    log(f"generate: {councils} copies pre-filled from {previous.name} ...")
    prefill = ["--prefill", str(previous)]
    prefilled = run_measured(f"generate {councils} --prefill", [*command[:-1], str(gen / "prefilled"), *prefill])
    if "Pre-filled" not in prefilled.check().stdout:
        raise SystemExit(f"generate --prefill did not pre-fill: {prefilled.stdout}")
    one_council = gen / "councils-1.csv"
    synthetic_councils(one_council, 1)
    log("generate: one copy, plain and pre-filled ...")
    one = [*cli, "generate", "--councils", str(one_council), "--out-dir"]
    personalised_one = run_measured("generate 1", [*one, str(gen / "one")]).check()
    prefilled_one = run_measured("generate 1 --prefill", [*one, str(gen / "one-prefilled"), *prefill]).check()
    log("validate: one return (best of 5) ...")
    validate = best_of(5, "validate one", [*cli, "validate", str(one_return)])
    return GenerateRuns(blank, personalised, validate, councils, prefilled, personalised_one, prefilled_one)
