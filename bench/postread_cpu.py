"""CPU of ``collect`` after the returns are read, source tree A against B, interleaved:
python bench/postread_cpu.py A_SRC B_SRC CORPUS [--cohort DIR] [--repeat 3]

Each run is a fresh process with PYTHONPATH set to the tree. The post-read phase starts when ``read_all`` returns
(the reading workers are done and reaped); from then on the main process's CPU (``time.process_time``) and its
children's (the side processes writing the CSV and the large tables: ``RUSAGE_CHILDREN``) are counted to the end.
Runs alternate A, B, A, B, ... so that the machine's load falls on both alike; the best of ``--repeat`` of each is
reported, and B's as a ratio to A's. ``--cohort`` adds issue 13's options (see bench/same_outputs.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from same_outputs import collect_args, trees_parser

_MEASURE = """
import json, os, resource, sys, time
from nps_xlsx.collect import job
import nps_xlsx.cli as cli
mark = {}
read_all = job.read_all
def timed(*args, **kwargs):
    result = read_all(*args, **kwargs)
    mark.update(main=time.process_time(), children=_children(), wall=time.perf_counter())
    return result
def _children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
job.read_all = timed
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    main, side = time.process_time() - mark["main"], _children() - mark["children"]
    wall = time.perf_counter() - mark["wall"]
    print("POSTREAD " + json.dumps({"main": main, "side": side, "total": main + side, "wall": wall}), file=sys.stderr)
"""


def run(src: str, corpus: str, out: Path, cohort: str | None) -> dict[str, float]:
    args = [sys.executable, "-c", _MEASURE, *collect_args(corpus, out, cohort), "--force"]
    done = subprocess.run(args, env={**os.environ, "PYTHONPATH": src}, capture_output=True, text=True)
    line = next((x for x in done.stderr.splitlines() if x.startswith("POSTREAD ")), None)
    if line is None:
        raise SystemExit(f"collect failed with {src}:\n{done.stderr}")
    figures: dict[str, float] = json.loads(line.removeprefix("POSTREAD "))
    return figures


def main() -> None:
    parser = trees_parser()
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory(prefix="postread-") as scratch:
        for turn in range(options.repeat):
            for name, src in (("A", options.a_src), ("B", options.b_src)):
                out = Path(scratch, f"{name}{turn}")
                out.mkdir()
                figures = run(src, options.corpus, out, options.cohort)
                runs[name].append(figures)
                shown = ", ".join(f"{k} {v:.2f}" for k, v in figures.items())
                print(f"{name} run {turn + 1}: {shown}", flush=True)
    print(f"best of {options.repeat} (s of CPU after reading; A = {options.a_src}, B = {options.b_src}):")
    for key in ("main", "side", "total", "wall"):
        a, b = min(r[key] for r in runs["A"]), min(r[key] for r in runs["B"])
        print(f"  {key:6s} A {a:6.2f}  B {b:6.2f}  B/A {b / a:.2f}")


if __name__ == "__main__":
    main()
