"""The process meter: every measurement is a fresh process, timed and sized from outside.

Peak RSS is ``ru_maxrss`` from ``os.wait4`` (the largest single process of the tree); a sampler thread records
the peak of the tree's summed PSS. Processes are started by a small launcher process (:class:`Launcher`,
``bench/run.py --launcher``) so that their ``ru_maxrss`` is their own. Standard library only: the launcher
must stay small.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

RUNNER = Path(__file__).resolve().with_name("run.py")  # runs the launcher (--launcher) and the probes (--measure)


def log(message: str) -> None:
    """Progress, on stderr (the report goes to stdout)."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


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
    for part, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{part}") as stream:
                for line in stream:
                    if line.startswith(key):
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
    import and stays small (the runner and its modules import only the standard library at the top, ~17 MB),
    so the figures are the measured process's own.
    """

    def __init__(self) -> None:
        command = [sys.executable, str(RUNNER), "--launcher"]
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


def best_of_alternating(times: int, commands: dict[str, Sequence[str]]) -> dict[str, Run]:
    """The fastest of ``times`` runs of each command (each must succeed), the commands taking turns (a, b, a, b, ...):
    a ratio of two of them then compares runs made under the same load, not one command's runs in a quiet minute
    and the other's in a busy one."""
    runs: dict[str, list[Run]] = {label: [] for label in commands}
    for _ in range(max(1, times)):
        for label, command in commands.items():
            runs[label].append(run_measured(label, command).check())
    best = {}
    for label, made in runs.items():
        best[label] = min(made, key=lambda r: r.wall)
        best[label].attempts = [r.wall for r in made]
    return best


def attempts_text(run: Run) -> str:
    """``best of 3 (0.91-1.07 s)``, or ``1 run``."""
    if len(run.attempts) < 2:
        return "1 run"
    return f"best of {len(run.attempts)} ({min(run.attempts):.2f}-{max(run.attempts):.2f} s)"


def compile_package() -> None:
    """Byte-compile the nps_xlsx that this Python imports, once, as ``pip install`` would have done.

    An editable install run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source
    in every measured run (about 0.2 s); compileall writes the .pyc files even with that variable set.
    """
    where = [sys.executable, "-c", "import os, nps_xlsx; print(os.path.dirname(nps_xlsx.__file__))"]
    package = subprocess.run(where, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)


def cli_command() -> tuple[list[str], str]:
    """How to run nps-xlsx: the console script next to this Python, else ``python -m nps_xlsx``.

    Byte-compiles the package first (:func:`compile_package`), so every caller measures it as installed.
    """
    compile_package()
    script = Path(sys.executable).with_name("nps-xlsx")
    if script.exists() and os.access(script, os.X_OK):
        return [str(script)], str(script)
    return [sys.executable, "-m", "nps_xlsx"], "python -m nps_xlsx"
