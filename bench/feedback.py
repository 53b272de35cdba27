"""Benchmark ``nps-xlsx feedback``: one workbook per council for a round of 350 councils (issue 14).

    python bench/feedback.py [--n 350] [--workdir DIR]

Builds (or reuses) the bench corpus of N synthetic returns (bench/corpus.py), collects it with the real
``collect --csv --expected --group-by type`` into a responses CSV, then times, each as a fresh process:
``feedback`` for every council and for one council (its fixed cost: start-up, reading the CSV, the round's
figures), and ``generate`` of N personalised copies and of one. Reports ms per workbook, whole and marginal
(without the fixed cost), and the ratio to generate's time per personalised copy. Target: <= 50 ms per
feedback workbook (whole run / workbooks).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meter import cli_command, log, run_measured

from corpus import ensure_corpus

TARGET_MS = 50.0
TYPES = ["Non-metropolitan district", "Unitary", "Metropolitan district", "London borough", "County"]


def council_list(path: Path, n: int) -> list[str]:
    """The corpus's councils with a type each (code,name,type); returns their codes."""
    from nps_xlsx.testing import synthetic_council

    codes = []
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "type"])
        for i in range(n):
            council = synthetic_council(i)
            writer.writerow([council.code, council.name, TYPES[i % len(TYPES)]])
            codes.append(council.code)
    return codes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=350, help="councils in the round (default 350)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "nps_xlsx_bench")
    args = parser.parse_args(argv)
    cli, _shown = cli_command()
    work = args.workdir
    corpus, _manifest = ensure_corpus(work, args.n)
    runs = work / f"feedback-{args.n}"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    councils = runs / "councils.csv"
    codes = council_list(councils, args.n)
    responses = runs / "responses.csv"
    log(f"collect: {args.n} returns into {responses} ...")
    collect = [*cli, "collect", str(corpus), "--out", str(runs / "summary.xlsx"), "--csv", str(responses)]
    run_measured("collect", [*collect, "--expected", str(councils), "--group-by", "type"]).check()

    feedback = [*cli, "feedback", str(responses), "--group-by", "type"]
    log("feedback: every council ...")
    every = run_measured("feedback all", [*feedback, "--out-dir", str(runs / "feedback")]).check()
    books = len(list((runs / "feedback").glob("*-feedback.xlsx")))
    log("feedback: one council ...")
    one = run_measured("feedback one", [*feedback, "--out-dir", str(runs / "one"), "--councils", codes[0]]).check()
    log(f"generate: {args.n} personalised copies, and one ...")
    generate_all = run_measured(
        "generate all", [*cli, "generate", "--councils", str(councils), "--out-dir", str(runs / "copies")]
    ).check()
    single = runs / "one-council.csv"
    single.write_text("".join(councils.read_text(encoding="utf-8").splitlines(keepends=True)[:2]), encoding="utf-8")
    generate_one = run_measured(
        "generate one", [*cli, "generate", "--councils", str(single), "--out-dir", str(runs / "copy")]
    ).check()

    per_book = every.wall / books * 1000
    marginal = (every.wall - one.wall) / max(1, books - 1) * 1000
    per_copy = generate_all.wall / args.n * 1000
    copy_marginal = (generate_all.wall - generate_one.wall) / max(1, args.n - 1) * 1000
    verdict = "met" if per_book <= TARGET_MS else "MISSED"
    lines = [
        f"feedback, {books} workbooks (of {args.n} returns; the rest rejected as planted): {every.wall:.2f} s, "
        f"peak {every.maxrss_mb:.0f} MB",
        f"  per workbook (whole run / workbooks): {per_book:.1f} ms  [target <= {TARGET_MS:.0f} ms: {verdict}]",
        f"  fixed cost (one council): {one.wall:.2f} s; marginal per workbook: {marginal:.1f} ms",
        f"generate, {args.n} personalised copies: {generate_all.wall:.2f} s, per copy {per_copy:.1f} ms; "
        f"one copy {generate_one.wall:.2f} s, marginal per copy {copy_marginal:.1f} ms",
        f"ratio feedback / generate per workbook: {per_book / per_copy:.2f}x whole, "
        f"{marginal / copy_marginal:.2f}x marginal",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
