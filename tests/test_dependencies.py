"""The command-line tool runs without the packages only tests and the fill helper need (openpyxl, defusedxml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_ONLY = ("openpyxl", "defusedxml")
# Python with the test-only packages made unimportable, running the CLI with the arguments that follow
WITHOUT = f"import sys; sys.modules.update(dict.fromkeys({TEST_ONLY!r})); from nps_xlsx.cli import main; main()"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", WITHOUT, *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_module_imports_without_the_test_only_packages() -> None:
    script = (
        f"import sys, pkgutil, importlib, nps_xlsx; sys.modules.update(dict.fromkeys({TEST_ONLY!r}))\n"
        "for module in pkgutil.walk_packages(nps_xlsx.__path__, 'nps_xlsx.'):\n"
        "    if not module.name.endswith('__main__'): importlib.import_module(module.name)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_generate_validate_and_collect_run_without_the_test_only_packages(tmp_path: Path) -> None:
    assert _run("generate", "--out", tmp_path / "template.xlsx").returncode == 0
    assert (tmp_path / "template.xlsx").stat().st_size > 0
    accepted = ROOT / "samples" / "returns" / "E07000096-dacorum-borough-council.xlsx"
    assert _run("validate", accepted).returncode == 0
    collected = _run(
        "collect",
        ROOT / "samples" / "returns",
        "--expected",
        ROOT / "samples" / "councils.csv",
        "--out",
        tmp_path / "summary.xlsx",
    )
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "summary.xlsx").stat().st_size > 0
