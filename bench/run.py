"""Benchmark nps-xlsx: collect against an XML-parsing floor and a naive pandas baseline, generate, validate, scaling.

Run with the Python that has nps_xlsx installed (the console script ``nps-xlsx`` is looked up next to it)::

    python bench/run.py [--n 1000] [--scaling 100,1000,10000] [--naive-sample 100] [--workdir DIR]

Every measurement runs in its own subprocess, started by a small launcher process (see :class:`Launcher`).
Peak RSS comes from ``os.wait4`` (``ru_maxrss`` of that process and the children it reaped, i.e. the largest
single process of the tree, not their sum); a sampler thread also records the peak of the whole process
tree's summed PSS, which counts worker processes too. The synthetic corpora are cached in the work
directory, keyed by N, and reused by later runs. See bench/README.md.

The internal ``--measure floor DIR``, ``--measure naive DIR`` and ``--launcher`` modes are what the
subprocesses run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.parsers import expat

CORPUS_VERSION = 1  # bump when the corpus recipe changes, so cached corpora are rebuilt
SEED = 20180
INVALID_EVERY = 50  # one file in 50 (2%) is an invalid return
LONG_EVERY = 5  # one file in 5 (20%) has several 3-5 paragraph comments
SPARSE_EVERY = 20  # one file in 20 (5%) is mostly blank
BUILD_PROCESSES = 2
TARGETS = {
    "c/a": 3.0,  # collect at most 3x the XML-parse floor
    "b/c": 10.0,  # collect at least 10x faster than pandas.read_excel
    "generate_ms": 25.0,  # per personalised workbook
    "validate_s": 1.0,  # one return, whole process
    "rss_mb_10k": 400.0,  # peak RSS of collect at N=10,000
    "scaling": 1.5,  # per-file time at the largest N vs N=1,000
}
REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------------------------
# The synthetic corpus
# ---------------------------------------------------------------------------------------------------------------

PLACES = (
    "Ashford", "Barnsley", "Calderdale", "Dacorum", "Eastleigh", "Fenland", "Gedling", "Harrogate", "Ipswich",
    "Kirklees", "Lewes", "Mendip", "Newark", "Oadby", "Pendle", "Rushmoor", "Selby", "Tendring", "Uttlesford",
    "Wealden", "Wychavon", "York", "King's Lynn", "Brighton & Hove", "Newcastle-under-Lyme", "St Helens",
)  # fmt: skip
KINDS = ("Borough Council", "District Council", "City Council", "County Council", "Metropolitan Borough Council")
ROLES = ("Head of Procurement", "Procurement Manager", "Commercial Lead", "Category Manager")
FIRST = ("Sam", "Alex", "Priya", "Jordan", "Chris", "Aisha", "Tom", "Helen", "Rhys", "Zoë")
LAST = ("Patel", "Jones", "Smith", "O'Neill", "Williams", "Evans", "Khan", "Brown", "Davies")
LONG_SENTENCES = (
    "Our approach was reviewed by internal audit in the last financial year, which found reasonable assurance.",
    "The corporate procurement board meets monthly and is chaired by the Section 151 officer.",
    "Service managers own their contracts, and the central team provides templates, training and challenge.",
    "We have mapped our third-party spend by category and identified the ten largest areas for review.",
    "Progress is reported to the Audit and Governance Committee, with exceptions escalated to Cabinet.",
    "The action plan includes a refreshed contract procedure rules document, due for approval in the spring.",
    "We collaborate with the county and neighbouring districts on joint frameworks where it offers value.",
    "Social value commitments are written into contracts above £100,000 and monitored quarterly.",
    "Supplier feedback from the last market engagement event was positive, particularly from local SMEs.",
    "Capacity remains the main constraint: two posts were vacant for most of the year.",
    "A category strategy for adult social care is being developed jointly with the commissioning team.",
    "Evidence: the published contracts register, the annual procurement report and the member briefing pack.",
)


@dataclass(frozen=True)
class CorpusFile:
    """One planned file of the corpus: its name and what kind of return it is."""

    index: int
    name: str
    council: str
    kind: str  # "normal", "long", "sparse", "invalid-text-score", "invalid-number-score", "invalid-truncated"


def plan_file(index: int) -> CorpusFile:
    """Decide file ``index``'s name, council and kind, deterministically (file i is the same in every corpus)."""
    place = PLACES[index % len(PLACES)]
    kind_name = KINDS[(index // len(PLACES)) % len(KINDS)]
    council = f"{place} {kind_name} {index:05d}"
    if index % INVALID_EVERY == INVALID_EVERY // 2:
        kind = ("invalid-text-score", "invalid-number-score", "invalid-truncated")[(index // INVALID_EVERY) % 3]
    elif index % LONG_EVERY == 1:
        kind = "long"
    elif index % SPARSE_EVERY == 3:
        kind = "sparse"
    else:
        kind = "normal"
    return CorpusFile(index, f"R{index:05d}.xlsx", council, kind)


def long_comment(rng) -> str:
    """A comment of 3-5 paragraphs, each of 3-6 sentences."""
    return "\n\n".join(" ".join(rng.sample(LONG_SENTENCES, rng.randint(3, 6))) for _ in range(rng.randint(3, 5)))


def make_return(template: bytes, rubric, planned: CorpusFile) -> bytes:
    """The bytes of one synthetic return, filled with :func:`nps_xlsx.fill.fill_bytes`."""
    import random

    from nps_xlsx.fill import Answer, fill_bytes, random_answers

    rng = random.Random(SEED * 1_000_003 + planned.index)
    blank_rate = 0.6 if planned.kind == "sparse" else 0.1
    answers = random_answers(rubric, rng, blank_rate=blank_rate)
    ids = list(answers)
    if planned.kind == "long":
        for code_id in rng.sample(ids, rng.randint(4, 10)):
            answers[code_id] = Answer(answers[code_id].score or "3 - Mature", long_comment(rng))
    elif planned.kind == "invalid-text-score":
        answers[rng.choice(ids)] = Answer("seven", "We think this is a seven.")
    elif planned.kind == "invalid-number-score":
        answers[rng.choice(ids)] = Answer(7, None)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    cover = {
        "council_name": planned.council,
        "respondent_name": f"{first} {last}",
        "respondent_role": rng.choice(ROLES),
        "respondent_email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.gov.uk",
        "completion_date": date(2026, 10, 1) + timedelta(days=rng.randint(0, 60)),
    }
    data = fill_bytes(template, answers, cover)
    if planned.kind == "invalid-truncated":
        data = data[: int(len(data) * rng.uniform(0.3, 0.9))]
    return data


_WORKER: dict[str, object] = {}


def _init_builder(template: bytes, out_dir: str) -> None:
    """Corpus-building worker set-up: load the rubric once per process."""
    from nps_xlsx.rubric import load_rubric

    _WORKER.update(template=template, rubric=load_rubric(), out_dir=Path(out_dir))


def _build_chunk(indices: list[int]) -> int:
    """Write the returns of ``indices`` into the corpus folder; return how many bytes were written."""
    written = 0
    for index in indices:
        planned = plan_file(index)
        data = make_return(_WORKER["template"], _WORKER["rubric"], planned)  # type: ignore[arg-type]
        (_WORKER["out_dir"] / planned.name).write_bytes(data)  # type: ignore[operator]
        written += len(data)
    return written


def ensure_corpus(workdir: Path, n: int) -> tuple[Path, dict]:
    """The folder of the N-file corpus, built (with 2 processes) unless a complete cached copy exists.

    The manifest sits next to the folder (not in it, so collect does not see it) and is written last.
    """
    import multiprocessing

    folder, manifest_path = workdir / f"corpus-{n}", workdir / f"corpus-{n}.json"
    if manifest_path.exists() and folder.is_dir():
        manifest = json.loads(manifest_path.read_text())
        complete = sum(1 for _ in folder.iterdir()) == n
        if manifest.get("version") == CORPUS_VERSION and manifest.get("n") == n and complete:
            manifest["cached"] = True
            return folder, manifest
    log(f"building the corpus of {n:,} returns in {folder} ...")
    from nps_xlsx.rubric import load_rubric
    from nps_xlsx.template import BuildOptions, build_time, build_workbook

    shutil.rmtree(folder, ignore_errors=True)
    manifest_path.unlink(missing_ok=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    template = build_workbook(load_rubric(), BuildOptions(build_time()))
    chunks = [list(range(i, min(i + 100, n))) for i in range(0, n, 100)]
    total_bytes = done = 0
    with multiprocessing.get_context("fork").Pool(BUILD_PROCESSES, _init_builder, (template, str(folder))) as pool:
        for size in pool.imap_unordered(_build_chunk, chunks):
            total_bytes += size
            done += 1
            if done % max(1, len(chunks) // 10) == 0:
                log(f"  {min(done * 100, n):,}/{n:,} files")
    kinds: dict[str, int] = {}
    for index in range(n):
        kind = plan_file(index).kind
        kinds[kind] = kinds.get(kind, 0) + 1
    manifest = {
        "version": CORPUS_VERSION,
        "n": n,
        "bytes": total_bytes,
        "kinds": kinds,
        "invalid": [plan_file(i).name for i in range(n) if plan_file(i).kind.startswith("invalid")],
        "build_seconds": round(time.perf_counter() - start, 1),
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    manifest["cached"] = False
    log(f"  built in {manifest['build_seconds']} s ({total_bytes / 1e6:.0f} MB)")
    return folder, manifest


# ---------------------------------------------------------------------------------------------------------------
# What the measured subprocesses run (--measure floor|naive)
# ---------------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------------
# Running and measuring subprocesses
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured subprocess."""

    label: str
    command: list[str]
    wall: float
    cpu: float  # user + system, including reaped children (collect's worker processes)
    maxrss_kb: int  # largest single process of the tree (ru_maxrss from wait4)
    tree_peak_kb: int  # peak of the summed PSS of the process and its descendants (sampled every 0.1 s)
    returncode: int
    stdout: str
    stderr: str
    attempts: list[float] = field(default_factory=list)  # wall times of every run, when this is the best of several

    @property
    def maxrss_mb(self) -> float:
        return self.maxrss_kb / 1024

    @property
    def tree_mb(self) -> float:
        return self.tree_peak_kb / 1024

    def check(self) -> Run:
        """Raise if the process failed."""
        if self.returncode != 0:
            raise SystemExit(
                f"{self.label} failed (exit {self.returncode}): {' '.join(self.command)}\n{self.stderr[-3000:]}"
            )
        return self


def _descendants(pid: int) -> list[int]:
    """``pid`` and every live descendant, from /proc/*/task/*/children."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as stream:
                    stack.extend(int(child) for child in stream.read().split())
        except OSError:
            continue
    return found


def _memory_kb(pid: int) -> int:
    """The process's PSS in KB (falls back to RSS), 0 if it has gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def spawn_and_wait(command: Sequence[str], cwd: str | None = None) -> dict:
    """Run ``command`` to completion; its wall time, CPU, ``ru_maxrss`` (from ``os.wait4``) and sampled tree PSS.

    Runs inside the launcher process (see :class:`Launcher`), never in the benchmark's own, larger process.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        peak = [0]
        done = threading.Event()
        start = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd)

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], sum(_memory_kb(pid) for pid in _descendants(process.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; tell Popen
        out.seek(0)
        err.seek(0)
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
            "tree_peak_kb": peak[0],
            "returncode": process.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


def serve_launcher() -> None:
    """The launcher's loop: one JSON request (command, cwd) per line on stdin, one JSON result per line out."""
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(spawn_and_wait(request["command"], request.get("cwd"))), flush=True)


class Launcher:
    """A small helper process that starts every measured process.

    On Linux, ``ru_maxrss`` of an exec'd child starts from the peak RSS of the process that forked it (exec
    records the old memory map's high-water mark), so children of the benchmark itself, which has imported
    pandas and built corpora, would all report at least its size. The launcher is started before any heavy
    import and stays small (it imports only this file's standard-library modules, ~17 MB), so the figures are
    the measured process's own.
    """

    def __init__(self) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--launcher"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, command: Sequence[str], cwd: Path | None = None) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"command": list(command), "cwd": str(cwd) if cwd else None}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the launcher process died")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


_LAUNCHER: list[Launcher] = []


def run_measured(label: str, command: Sequence[str], cwd: Path | None = None) -> Run:
    """Run ``command`` in a fresh process (started by the launcher); time it and read its own peak RSS."""
    result = _LAUNCHER[0].run(command, cwd) if _LAUNCHER else spawn_and_wait(command, str(cwd) if cwd else None)
    return Run(label, list(command), **result)


def best_of(times: int, label: str, command: Sequence[str]) -> Run:
    """The fastest of ``times`` runs (each must succeed), with every run's wall time in ``attempts``."""
    runs = [run_measured(label, command).check() for _ in range(max(1, times))]
    best = min(runs, key=lambda r: r.wall)
    best.attempts = [r.wall for r in runs]
    return best


def attempts_text(run: Run) -> str:
    """``best of 3 (0.91-1.07 s)``, or ``1 run``."""
    if len(run.attempts) < 2:
        return "1 run"
    return f"best of {len(run.attempts)} ({min(run.attempts):.2f}-{max(run.attempts):.2f} s)"


def cli_command() -> tuple[list[str], str]:
    """How to run nps-xlsx: the console script next to this Python, else ``python -m nps_xlsx``."""
    script = Path(sys.executable).with_name("nps-xlsx")
    if script.exists() and os.access(script, os.X_OK):
        return [str(script)], str(script)
    return [sys.executable, "-m", "nps_xlsx"], "python -m nps_xlsx"


# ---------------------------------------------------------------------------------------------------------------
# The benchmark steps
# ---------------------------------------------------------------------------------------------------------------


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

    @property
    def naive_total(self) -> float:
        """The naive baseline's time for all N files: its fixed cost plus the sampled per-file time times N."""
        result = self.naive_result
        per_file = result["loop_seconds"] / result["sample"]
        return (self.naive.wall - result["loop_seconds"]) + per_file * self.n  # type: ignore[union-attr]


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
    """Run the floor and collect (best of ``repeat``) and, when ``naive_sample``, the naive baseline (once)
    on one corpus, each in its own process."""
    me = [sys.executable, str(Path(__file__).resolve())]
    log(f"N={n:,}: floor x{repeat} ...")
    floor = best_of(repeat, f"floor N={n}", [*me, "--measure", "floor", str(folder)])
    floor_result = json.loads(floor.stdout)
    naive = None
    naive_result: dict = {}
    if naive_sample:
        log(f"N={n:,}: naive pandas.read_excel on {naive_sample} files ...")
        command = [*me, "--measure", "naive", str(folder), "--naive-sample", str(naive_sample)]
        naive = run_measured(f"naive N={n}", command).check()
        naive_result = json.loads(naive.stdout)
    out = workdir / f"out-{n}"
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
    ]
    if workers:
        command += ["--workers", str(workers)]
    log(f"N={n:,}: collect x{repeat} ...")
    collect = best_of(repeat, f"collect N={n}", command)
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


@dataclass
class GenerateRuns:
    """The generate and validate timings."""

    blank: Run
    personalised: Run
    validate: Run
    councils: int


def synthetic_councils(path: Path, count: int) -> None:
    """Write a council list of ``count`` synthetic councils (code,name,region)."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "region"])
        for i in range(count):
            place = PLACES[i % len(PLACES)]
            writer.writerow([f"E9{i:07d}", f"{place} {KINDS[i % len(KINDS)]} {i}", "Synthetic"])


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
    log("validate: one return (best of 5) ...")
    validate = best_of(5, "validate one", [*cli, "validate", str(one_return)])
    return GenerateRuns(blank, personalised, validate, councils)


# ---------------------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------------------


def log(message: str) -> None:
    """Progress, on stderr (the report goes to stdout)."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def machine_lines() -> list[str]:
    """CPU model, cores, Python, library versions, source revision and the date."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for module in ("nps_xlsx", "pandas", "openpyxl", "xlsxwriter"):
        try:
            versions.append(f"{module} {__import__(module).__version__}")
        except Exception:
            versions.append(f"{module} ?")
    revision = "unknown"
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=REPO, capture_output=True, text=True)
        changed = len(dirty.stdout.splitlines())
        revision = head.stdout.strip() + (f" + {changed} uncommitted change(s) in src/" if changed else "")
    except OSError:
        pass
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    return [
        f"CPU      {model}",
        f"cores    {os.cpu_count()} ({affinity} usable), memory {total_mb / 1024:.1f} GB",
        f"Python   {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        f"libs     {', '.join(versions)}",
        f"source   {revision}",
        f"date     {datetime.now().astimezone().isoformat(timespec='seconds')}",
    ]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def corpus_lines(manifest: dict, folder: Path) -> list[str]:
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(manifest["kinds"].items()))
    state = "cached" if manifest.get("cached") else f"built in {manifest['build_seconds']} s"
    return [
        f"corpus   {folder}: {manifest['n']:,} files, {manifest['bytes'] / 1e6:.1f} MB ({state})",
        f"         {kinds}",
    ]


def main_lines(runs: CorpusRuns, workers: int | None) -> list[str]:
    """The floor / naive / collect table and the two ratios."""
    n = runs.n
    naive_total = runs.naive_total
    naive_per_file = runs.naive_result["loop_seconds"] / runs.naive_result["sample"]
    rows = [
        ("(a) floor: zip + expat, 1 process", runs.floor.wall, runs.floor.wall / n, runs.floor),
        ("(b) naive: pandas.read_excel  [*]", naive_total, naive_per_file, runs.naive),
        (
            f"(c) nps-xlsx collect, {workers or 'default'} workers",
            runs.collect.wall,
            runs.collect.wall / n,
            runs.collect,
        ),
    ]
    lines = [f"{'':40} {'wall':>10} {'per file':>11} {'CPU':>9} {'peak RSS':>10} {'tree PSS':>10}"]
    for label, wall, per_file, run in rows:
        lines.append(
            f"{label:40} {wall:9.2f}s {ms(per_file):>11} {run.cpu:8.2f}s {run.maxrss_mb:8.0f}MB {run.tree_mb:8.0f}MB"
        )
    naive = runs.naive_result
    fixed = runs.naive.wall - naive["loop_seconds"]  # type: ignore[union-attr]
    lines.append(
        f"[*] (b) SAMPLED on {naive['sample']} evenly spaced files ({naive['loop_seconds']:.2f} s, "
        f"{naive['failed']} raised) and EXTRAPOLATED to N={n:,}: fixed cost {fixed:.2f} s "
        f"+ {ms(naive_per_file)} x {n:,}; its CPU and RSS are those of the sample run."
    )
    floor = runs.floor_result
    lines.append(
        f"(a) parsed {floor['xml_bytes'] / 1e6:.0f} MB of XML from {floor['ok']:,} files "
        f"({floor['failed']} unreadable); {attempts_text(runs.floor)}."
    )
    ledger = ", ".join(f"{v:,} {k}" for k, v in sorted(runs.ledger_counts.items()))
    lines.append(
        f"(c) ledger: {ledger}; rejected files {'==' if runs.rejected_ok else '!='} the planted invalid ones; "
        f"{attempts_text(runs.collect)}."
    )
    lines.append(
        "peak RSS = ru_maxrss from os.wait4 (largest single process); tree PSS = sampled peak of the summed PSS "
        "of the process and its workers."
    )
    c_a, b_c = runs.collect.wall / runs.floor.wall, naive_total / runs.collect.wall
    lines += [
        "",
        f"c/a = {c_a:5.2f}  (target <= {TARGETS['c/a']:g})   {verdict(c_a <= TARGETS['c/a'])}"
        f"   [CPU time c/a = {runs.collect.cpu / runs.floor.cpu:.2f}]",
        f"b/c = {b_c:5.1f}  (target >= {TARGETS['b/c']:g})  {verdict(b_c >= TARGETS['b/c'])}"
        f"   [per file: {ms(naive_per_file)} vs {ms(runs.collect.wall / n)}]",
    ]
    return lines


def generate_lines(gen: GenerateRuns) -> list[str]:
    """Generate (blank and personalised) and validate, against their targets."""
    per = gen.personalised.wall / gen.councils
    rows = [
        ("generate --out (blank template), best of 3", gen.blank, ""),
        (
            f"generate --councils ({gen.councils} councils)",
            gen.personalised,
            f"per workbook (wall / {gen.councils}) = {ms(per)}, target <= {TARGETS['generate_ms']:g} ms  "
            f"{verdict(per * 1000 <= TARGETS['generate_ms'])}",
        ),
        (
            "validate ONE_RETURN, whole process, best of 5",
            gen.validate,
            f"target <= {TARGETS['validate_s']:g} s  {verdict(gen.validate.wall <= TARGETS['validate_s'])}",
        ),
    ]
    lines = [f"{'':46} {'wall':>8} {'peak RSS':>9}"]
    for label, run, note in rows:
        lines.append(f"{label:46} {run.wall:7.2f}s {run.maxrss_mb:7.0f}MB  {note}".rstrip())
    return lines


def scaling_lines(scaling: list[CorpusRuns]) -> tuple[list[str], dict[str, tuple[bool | None, str]]]:
    """The per-N table, the linearity check and the RSS check (``checks``: name -> (verdict, result text))."""
    lines = [
        f"{'N':>7} {'floor':>9} {'floor/file':>11} {'collect':>9} {'collect/file':>13} {'marginal/file':>14} "
        f"{'c/a':>5} {'peak RSS':>9} {'tree PSS':>9}  runs"
    ]
    previous: CorpusRuns | None = None
    for runs in scaling:
        marginal = "-"
        if previous:
            marginal = ms((runs.collect.wall - previous.collect.wall) / (runs.n - previous.n))
        lines.append(
            f"{runs.n:>7,} {runs.floor.wall:8.2f}s {ms(runs.floor.wall / runs.n):>11} {runs.collect.wall:8.2f}s "
            f"{ms(runs.collect.wall / runs.n):>13} {marginal:>14} {runs.collect.wall / runs.floor.wall:5.2f} "
            f"{runs.collect.maxrss_mb:7.0f}MB {runs.collect.tree_mb:7.0f}MB  {max(1, len(runs.collect.attempts))}"
        )
        previous = runs
    lines.append(
        "marginal/file = (collect wall(N) - collect wall(previous N)) / (N - previous N): the per-file cost "
        "without the fixed start-up."
    )
    by_n = {r.n: r for r in scaling}
    largest = scaling[-1]
    reference = by_n.get(1000) or scaling[0]
    checks: dict[str, tuple[bool | None, str]] = {}
    if largest.n > reference.n:
        growth = (largest.collect.wall / largest.n) / (reference.collect.wall / reference.n)
        flat = growth <= TARGETS["scaling"]
        checks["scaling"] = (flat, f"{growth:.2f}x (N={largest.n:,} vs {reference.n:,})")
        lines.append(
            f"per-file time at N={largest.n:,} is {growth:.2f}x that at N={reference.n:,} "
            f"(flag above {TARGETS['scaling']:g}x): "
            + ("flat, linear overall  PASS" if flat else "GROWS, worse than linear  FAIL (FLAGGED)")
        )
    else:
        checks["scaling"] = (None, "-")
        lines.append("scaling: only one N, nothing to compare")
    if 10_000 in by_n:
        rss = by_n[10_000].collect.maxrss_mb
        checks["rss"] = (rss <= TARGETS["rss_mb_10k"], f"{rss:.0f} MB")
        lines.append(
            f"peak RSS of collect at N=10,000: {rss:.0f} MB (target <= {TARGETS['rss_mb_10k']:g} MB)  "
            f"{verdict(checks['rss'][0])}   [whole tree, summed PSS: {by_n[10_000].collect.tree_mb:.0f} MB]"
        )
    else:
        checks["rss"] = (None, f"not measured (largest N {largest.n:,})")
        lines.append(f"peak RSS of collect at N=10,000: not measured (largest N here is {largest.n:,})  n/a")
    return lines, checks


def summary_lines(
    main: CorpusRuns,
    gen: GenerateRuns | None,
    checks: dict[str, tuple[bool | None, str]],
    machine: list[str],
    command: str,
) -> list[str]:
    """A compact Markdown block to paste into the README."""
    n = main.n
    c_a, b_c = main.collect.wall / main.floor.wall, main.naive_total / main.collect.wall
    naive_per = main.naive_result["loop_seconds"] / main.naive_result["sample"]
    cpu = machine[0].split(None, 1)[1]
    lines = [
        f"Benchmark ({datetime.now():%Y-%m-%d}; {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"`{command}`):",
        "",
        "| measure | result | target | |",
        "|---|---|---|---|",
        f"| floor (zip + expat, no handlers), N={n:,} | {main.floor.wall:.2f} s, {ms(main.floor.wall / n)}/file | | |",
        f"| `pandas.read_excel` (sampled {main.naive_result['sample']}, extrapolated) | {main.naive_total:.1f} s, "
        f"{ms(naive_per)}/file | | |",
        f"| `collect`, N={n:,} | {main.collect.wall:.2f} s, {ms(main.collect.wall / n)}/file, "
        f"{main.collect.maxrss_mb:.0f} MB | | |",
        f"| collect / floor | {c_a:.2f}x | <= {TARGETS['c/a']:g}x | {verdict(c_a <= TARGETS['c/a'])} |",
        f"| pandas / collect | {b_c:.1f}x | >= {TARGETS['b/c']:g}x | {verdict(b_c >= TARGETS['b/c'])} |",
    ]
    if gen:
        per = gen.personalised.wall / gen.councils
        lines += [
            f"| generate, per personalised workbook ({gen.councils}) | {ms(per)} | <= {TARGETS['generate_ms']:g} ms "
            f"| {verdict(per * 1000 <= TARGETS['generate_ms'])} |",
            f"| validate one return (whole process) | {gen.validate.wall:.2f} s | <= {TARGETS['validate_s']:g} s "
            f"| {verdict(gen.validate.wall <= TARGETS['validate_s'])} |",
        ]
    for key, text in (("scaling", "collect per-file time, largest N vs 1,000"), ("rss", "collect peak RSS, N=10,000")):
        target = f"<= {TARGETS['scaling']:g}x" if key == "scaling" else f"<= {TARGETS['rss_mb_10k']:g} MB"
        ok, result = checks.get(key, (None, "-"))
        lines.append(f"| {text} | {result} | {target} | {verdict(ok)} |")
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------


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
    _LAUNCHER.append(Launcher())  # first, while this process is still small
    try:
        run_benchmark(args)
    finally:
        _LAUNCHER.pop().close()


def run_benchmark(args: argparse.Namespace) -> None:
    """Build the corpora, run every measurement and print the report."""
    started = time.perf_counter()
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cli, cli_note = cli_command()
    machine = machine_lines()
    all_ns = sorted({args.n, *args.scaling_ns})
    corpora = {n: ensure_corpus(workdir, n) for n in all_ns}

    report: list[str] = []

    def section(title: str, lines: list[str]) -> None:
        block = ["", f"== {title} " + "=" * max(0, 100 - len(title)), *lines]
        report.extend(block)
        print("\n".join(block), flush=True)

    section("Machine", [*machine, f"nps-xlsx {cli_note}", f"workdir  {workdir}"])
    folder, manifest = corpora[args.n]

    def repeat(n: int) -> int:
        return max(1, args.repeat) if n <= 2000 else 1

    main_runs = measure_corpus(args.n, folder, manifest, workdir, cli, args.workers, args.naive_sample, repeat(args.n))
    section(
        f"Read N={args.n:,}: floor (a), naive (b), collect (c)",
        [*corpus_lines(manifest, folder), "", *main_lines(main_runs, args.workers)],
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

    section("Summary (Markdown, for the README)", summary_lines(main_runs, gen, checks, machine, args.command))
    section("Done", [f"total benchmark time {time.perf_counter() - started:.0f} s (corpus builds included)"])
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (workdir / f"report-{stamp}.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    log(f"report saved to {workdir / f'report-{stamp}.txt'}")


if __name__ == "__main__":
    main()
