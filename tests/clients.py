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
    return soffice_convert_all([source], target_format, outdir, profile)[0]


def soffice_convert_all(sources: list[Path], target_format: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert several files in one LibreOffice run (much faster than one run each), as :func:`soffice_convert`."""
    result = _soffice(sources, target_format, outdir, profile)
    targets = [outdir / f"{source.stem}.{target_format}" for source in sources]
    missing = [target for target in targets if not target.is_file()]
    assert result.returncode == 0 and not missing, (
        f"LibreOffice did not write {missing} (exit {result.returncode})\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return targets


# LibreOffice's CSV export: comma, double quote, UTF-8, from line 1, no column formats, default
# language, quote only where needed, detect special numbers, cell contents as shown, results
# not formulas, spaces kept, every sheet (-1: one file each, ``<stem>-<sheet>.csv``; LibreOffice 7.2+).
CSV_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def soffice_sheets_as_csv(sources: list[Path], sheets: list[str], outdir: Path, profile: Path) -> list[dict[str, Path]]:
    """Export every sheet of each source as CSV, in one LibreOffice run: each source's CSV file per named sheet.

    What a person would see: each formula shows its cached result if the file has one, else
    what LibreOffice calculates.
    """
    result = _soffice(sources, CSV_EVERY_SHEET, outdir, profile)
    found = [{sheet: outdir / f"{source.stem}-{sheet}.csv" for sheet in sheets} for source in sources]
    missing = [path for files in found for path in files.values() if not path.is_file()]
    assert result.returncode == 0 and not missing, (
        f"LibreOffice did not write {missing} (exit {result.returncode})\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return found


def _soffice(sources: list[Path], convert_to: str, outdir: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    soffice = require_program("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    args = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        convert_to,
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    return run_program(args, "LibreOffice")


def ssconvert_convert(source: Path, target: Path) -> Path:
    """Convert ``source`` with Gnumeric's ``ssconvert``; the format follows ``target``'s extension."""
    ssconvert = require_program("ssconvert")
    target.parent.mkdir(parents=True, exist_ok=True)
    result = run_program([ssconvert, str(source), str(target)], "Gnumeric")
    assert result.returncode == 0 and target.is_file(), (
        f"Gnumeric did not write {target} (exit {result.returncode})\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return target
