"""ruff is clean (lint and format) on the whole project, and mypy on the package."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_check() -> None:
    result = ruff("check", "src", "tests", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = ruff("format", "--check", "src", "tests", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    """mypy finds no error in src/ (its settings are pyproject.toml's [tool.mypy])."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
