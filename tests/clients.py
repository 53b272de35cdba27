"""Running the real clients (LibreOffice, Gnumeric, poppler) from tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import require_program

TIMEOUT = 180  # seconds for one conversion


def run_program(args: list[str], what: str) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} did not finish within {TIMEOUT} s: {args}")
    return result


def soffice_convert(source: Path, target_format: str, outdir: Path, profile: Path) -> Path:
    """Convert ``source`` with headless LibreOffice; ``target_format`` is e.g. ``xlsx``, ``ods`` or ``pdf``.

    ``profile`` is a private user profile directory, so that this run cannot collide with a
    LibreOffice already running or with another test session.
    """
    soffice = require_program("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    args = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target_format,
        "--outdir",
        str(outdir),
        str(source),
    ]
    result = run_program(args, "LibreOffice")
    target = outdir / f"{source.stem}.{target_format}"
    assert result.returncode == 0 and target.is_file(), (
        f"LibreOffice did not write {target} (exit {result.returncode})\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return target


def ssconvert_convert(source: Path, target: Path) -> Path:
    """Convert ``source`` with Gnumeric's ``ssconvert``; the format follows ``target``'s extension."""
    ssconvert = require_program("ssconvert")
    target.parent.mkdir(parents=True, exist_ok=True)
    result = run_program([ssconvert, str(source), str(target)], "Gnumeric")
    assert result.returncode == 0 and target.is_file(), (
        f"Gnumeric did not write {target} (exit {result.returncode})\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return target


def soffice_convert_all(sources: list[Path], target_format: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert several files in one LibreOffice run (it starts once: seconds saved per file)."""
    soffice = require_program("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    args = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore"]
    result = run_program(
        [*args, "--convert-to", target_format, "--outdir", str(outdir), *map(str, sources)], "LibreOffice"
    )
    targets = [outdir / f"{source.stem}.{target_format}" for source in sources]
    assert result.returncode == 0 and all(target.is_file() for target in targets), (
        f"LibreOffice did not write {targets} (exit {result.returncode})\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return targets
