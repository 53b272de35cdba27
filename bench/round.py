"""Benchmark a coordinator's whole round (issue 18): ``collect`` with segments and a previous round, then a
feedback workbook for every council, at N councils (default 350, one English round).

    python bench/round.py [--n 350] [--repeat 3] [--beside] [--workdir DIR]

Builds (or reuses) the bench corpus of N returns and issue 13's inputs for it (bench/corpus.py: a council list
with ``type`` and ``region``, and a previous round of N councils collected by nps-xlsx), then times, each as a
fresh process and best of ``--repeat``: the floor (bench/run.py's, over the same N files); ``collect --expected
--group-by type --group-by region --previous --round 2025 --csv``; and ``feedback`` for every council of that
responses CSV (``--expected --group-by type --previous``). The round is collect plus feedback. Target: <= 30 s
end to end at 350 councils; the report gives it as a ratio to the floor too. ``--beside`` runs a second
CPU-bound process beside every measurement (the loaded run), as bench/run.py's does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meter import Run, attempts_text, best_of, cli_command, log
from probes import cohort_extra, collect_command

from corpus import PREVIOUS_ROUND, ensure_cohort, ensure_corpus

TARGET_SECONDS = 30.0
HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=350, help="councils in the round (default 350)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each step (default 3)")
    parser.add_argument("--beside", action="store_true", help="run a CPU-bound busy loop beside every measurement")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "nps_xlsx_bench")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    cli, _shown = cli_command()
    work = args.workdir.resolve()
    corpus, manifest = ensure_corpus(work, args.n)
    cohort, _cohort_manifest = ensure_cohort(work, args.n, cli)
    runs = work / f"round-{args.n}"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.beside else None
    try:
        log(f"floor over {args.n} files x{args.repeat} ...")
        floor = best_of(args.repeat, "floor", [sys.executable, str(HERE / "run.py"), "--measure", "floor", str(corpus)])
        log(f"collect with segments and the previous round x{args.repeat} ...")
        collect = best_of(
            args.repeat, "collect", collect_command(cli, corpus, runs / "collect", None, cohort_extra(cohort))
        )
        responses = runs / "collect" / "responses.csv"
        feedback = [
            *cli,
            *("feedback", str(responses), "--out-dir", str(runs / "feedback"), "--force"),
            *("--expected", str(cohort / "councils.csv"), "--group-by", "type"),
            *("--previous", str(cohort / f"responses-{PREVIOUS_ROUND}.csv")),
        ]
        log(f"feedback for every council x{args.repeat} ...")
        every = best_of(args.repeat, "feedback", [str(part) for part in feedback])
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    books = len(list((runs / "feedback").glob("*-feedback.xlsx")))
    print("\n".join(report(args, manifest, floor, collect, every, books)))


def report(args: argparse.Namespace, manifest: dict, floor: Run, collect: Run, every: Run, books: int) -> list[str]:
    """The report's lines: each step, the round, and its ratio to the floor."""
    round_wall = collect.wall + every.wall
    parsed = json.loads(floor.stdout)
    verdict = "met" if round_wall <= TARGET_SECONDS else "MISSED"
    load = "a CPU-bound busy loop ran beside every measurement (--beside)" if args.beside else "nothing ran beside"
    return [
        f"round of {args.n} councils ({manifest['n']} returns, {len(manifest['invalid'])} planted invalid); {load}",
        f"floor (zip + expat, 1 process)        {floor.wall:7.2f} s  ({parsed['ok']} files read;"
        f" {attempts_text(floor)})",
        f"collect, segments + previous round    {collect.wall:7.2f} s  peak {collect.maxrss_mb:.0f} MB"
        f"  ({attempts_text(collect)})",
        f"{f'feedback, {books} workbooks':38}{every.wall:7.2f} s  peak {every.maxrss_mb:.0f} MB"
        f"  ({attempts_text(every)})",
        f"the round (collect + feedback)        {round_wall:7.2f} s  [target <= {TARGET_SECONDS:.0f} s: {verdict}]",
        f"round / floor = {round_wall / floor.wall:.2f}x;  collect / floor = {collect.wall / floor.wall:.2f}x;"
        f"  feedback / floor = {every.wall / floor.wall:.2f}x",
    ]


if __name__ == "__main__":
    main()
