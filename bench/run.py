"""Benchmark nps-xlsx: collect against an XML-parsing floor and a naive pandas baseline, collect with two groupings
and a previous round (issue 13), generate, validate, scaling.

Run with the Python that has nps_xlsx installed (the console script ``nps-xlsx`` is looked up next to it)::

    python bench/run.py [--n 1000] [--scaling 100,1000,10000] [--naive-sample 100] [--workdir DIR]

Every measurement runs in its own subprocess, started by a small launcher process (see :class:`meter.Launcher`).
Peak RSS comes from ``os.wait4`` (``ru_maxrss`` of that process and the children it reaped, i.e. the largest
single process of the tree, not their sum); a sampler thread also records the peak of the whole process
tree's summed PSS, which counts worker processes too. The synthetic corpora are cached in the work
directory, keyed by N, and reused by later runs. See bench/README.md.

The pieces: ``corpus.py`` builds the corpora, ``probes.py`` holds what is measured, ``meter.py`` runs and
measures processes, ``report.py`` writes the report; this runner parses the options and runs the steps in order.

The internal ``--measure floor DIR``, ``--measure naive DIR`` and ``--launcher`` modes are what the
subprocesses run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import meter
from meter import Launcher, cli_command, log, serve_launcher
from probes import (
    STARTUP_N,
    measure_cohort,
    measure_corpus,
    measure_floor,
    measure_generate,
    measure_naive,
    measure_startup,
)
from report import (
    cohort_lines,
    corpus_lines,
    generate_lines,
    machine_lines,
    main_lines,
    scaling_lines,
    summary_lines,
)

from corpus import ensure_cohort, ensure_corpus, plan_file


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="corpus size for the main comparison (default 1000)")
    parser.add_argument(
        "--scaling", default="100,1000,10000", help="comma-separated corpus sizes for the scaling table"
    )
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=100,
        help="files read with pandas.read_excel, extrapolated to N (default 100)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "nps_xlsx_bench",
        help="corpora (cached, keyed by N) and outputs",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="floor and collect: best of this many runs for corpora of up to 2,000 files (larger: 1 run; default 3)",
    )
    parser.add_argument("--workers", type=int, help="pass --workers to collect (default: collect's own default)")
    parser.add_argument("--skip-generate", action="store_true", help="skip the generate and validate timings")
    parser.add_argument(
        "--beside",
        action="store_true",
        help="run a second CPU-bound process (a Python busy loop) beside every measurement: the loaded run",
    )
    parser.add_argument(
        "--skip-cohort",
        action="store_true",
        help="skip collect with two groupings and a previous round (issue 13), and building its inputs",
    )
    parser.add_argument("--measure", choices=("floor", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--launcher", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("directory", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.command = " ".join(["python bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    args.scaling_ns = sorted({int(x) for x in args.scaling.split(",") if x.strip()})
    if args.n < 1 or any(n < 1 for n in args.scaling_ns):
        parser.error("corpus sizes must be positive")
    if args.naive_sample < 1 and not args.measure:
        parser.error("--naive-sample must be at least 1 (the b/c ratio needs it)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.measure == "floor":
        print(json.dumps(measure_floor(args.directory)))
        return
    if args.measure == "naive":
        print(json.dumps(measure_naive(args.directory, args.naive_sample)))
        return
    if args.launcher:
        serve_launcher()
        return
    meter._LAUNCHER.append(Launcher())  # first, while this process is still small
    try:
        run_benchmark(args)
    finally:
        meter._LAUNCHER.pop().close()


def run_benchmark(args: argparse.Namespace) -> None:
    """Build the corpora, run every measurement and print the report."""
    started = time.perf_counter()
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cli, cli_note = cli_command()
    machine = machine_lines()
    all_ns = sorted({args.n, *args.scaling_ns})
    corpora = {n: ensure_corpus(workdir, n) for n in all_ns}
    cohort_inputs = None if args.skip_cohort else ensure_cohort(workdir, args.n, cli)

    report: list[str] = []

    def section(title: str, lines: list[str]) -> None:
        block = ["", f"== {title} " + "=" * max(0, 100 - len(title)), *lines]
        report.extend(block)
        print("\n".join(block), flush=True)

    busy = start_busy_loop() if args.beside else None
    try:
        load = (
            f"a second CPU-bound process (a Python busy loop, pid {busy.pid}) runs beside every measurement (--beside)"
            if busy
            else "nothing started beside the measurements"
        )
        section("Machine", [*machine, f"nps-xlsx {cli_note}", f"workdir  {workdir}", f"load     {load}"])
        measure_all(args, workdir, cli, corpora, cohort_inputs, machine, section, started, report)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def start_busy_loop() -> subprocess.Popen[bytes]:
    """A process that keeps one core busy until killed (``--beside``)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def measure_all(
    args: argparse.Namespace,
    workdir: Path,
    cli: list[str],
    corpora: dict[int, tuple[Path, dict]],
    cohort_inputs: tuple[Path, dict] | None,
    machine: list[str],
    section: Callable[[str, list[str]], None],
    started: float,
    report: list[str],
) -> None:
    """Every measurement, each section printed as it is done, then the report saved."""
    folder, manifest = corpora[args.n]

    def repeat(n: int) -> int:
        return max(1, args.repeat) if n <= 2000 else 1

    main_runs = measure_corpus(args.n, folder, manifest, workdir, cli, args.workers, args.naive_sample, repeat(args.n))
    if args.n > STARTUP_N:
        main_runs.startup = measure_startup(workdir, cli, args.workers, repeat(STARTUP_N))
    section(
        f"Read N={args.n:,}: floor (a), naive (b), collect (c)",
        [*corpus_lines(manifest, folder), "", *main_lines(main_runs, args.workers)],
    )

    cohort = None
    if cohort_inputs:
        cohort_dir, cohort_manifest = cohort_inputs
        cohort = measure_cohort(args.n, folder, cohort_dir, cohort_manifest, workdir, cli, args.workers, repeat(args.n))
        section(
            f"Collect N={args.n:,} with two groupings and a previous round (issue 13)", cohort_lines(main_runs, cohort)
        )

    gen = None
    if not args.skip_generate:
        one_return = next(folder / plan_file(i).name for i in range(args.n) if plan_file(i).kind == "normal")
        gen = measure_generate(workdir, cli, one_return)
        section("Generate and validate", generate_lines(gen))

    scaling = []
    for n in args.scaling_ns:
        if n == args.n:
            scaling.append(main_runs)
        else:
            folder_n, manifest_n = corpora[n]
            scaling.append(measure_corpus(n, folder_n, manifest_n, workdir, cli, args.workers, 0, repeat(n)))
    lines, checks = scaling_lines(scaling)
    section(f"Scaling: floor and collect at N = {', '.join(f'{n:,}' for n in args.scaling_ns)}", lines)

    section("Summary (Markdown, for the README)", summary_lines(main_runs, gen, checks, machine, args.command, cohort))
    section("Done", [f"total benchmark time {time.perf_counter() - started:.0f} s (corpus builds included)"])
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (workdir / f"report-{stamp}.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    log(f"report saved to {workdir / f'report-{stamp}.txt'}")


if __name__ == "__main__":
    main()
