"""Worker-side entry point for reading returns in other processes."""

from __future__ import annotations

from pathlib import Path

from ..read.safety import Limits
from ..rubric import Rubric
from ..validate.check import FileReport
from ..validate.mail import read_returns


def read_many(paths: list[Path], rubric: Rubric, limits: Limits | None) -> list[list[FileReport]]:
    """Read a chunk of entries, each into its reports (one task per chunk keeps inter-process traffic low)."""
    return [read_returns(path, rubric, limits) for path in paths]
