"""Validation reports over many files: discovery, counts, text and JSON forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .files import list_entries
from .rubric import Rubric
from .safety import Limits
from .validate import FileReport, read_return

STATUS_TEXT = {
    "accepted": "accepted",
    "accepted-with-warnings": "accepted with warnings",
    "held": "held for review",
    "rejected": "rejected",
    "skipped": "skipped",
}


def discover(paths: Iterable[Path]) -> list[Path]:
    """Paths given directly, and every entry under folders given (recursively, in sorted order).

    Every entry is listed, files or not (pipes, broken links, links to folders...): each gets a line
    in the report or ledger saying what it is. Links to folders are not followed.
    """
    return list_entries(paths)


@dataclass
class ValidationReport:
    """The outcome for every file handed in, in the order given."""

    files: list[FileReport]

    @property
    def valid(self) -> bool:
        """True when no file was rejected or held for review."""
        return all(f.status not in ("rejected", "held") for f in self.files)

    def counts(self) -> dict[str, int]:
        """How many files have each status."""
        return {status: sum(f.status == status for f in self.files) for status in STATUS_TEXT}

    def to_dict(self) -> dict:
        """Plain data for JSON output; the CLI's ``--json`` prints exactly this."""
        return {"valid": self.valid, "counts": self.counts(), "files": [f.to_dict() for f in self.files]}

    def summary_line(self) -> str:
        counts = self.counts()
        # "held for review" only when there is one, so the usual line stays as it was
        parts = ", ".join(
            f"{counts[status]} {text}" for status, text in STATUS_TEXT.items() if status != "held" or counts[status]
        )
        return f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}: {parts}"


def validate_paths(paths: Iterable[Path], rubric: Rubric, limits: Limits | None = None) -> ValidationReport:
    """Read and check every file (folders are searched recursively)."""
    return ValidationReport([read_return(path, rubric, limits) for path in discover(paths)])


def render_file(report: FileReport, total_codes: int) -> list[str]:
    """Human-readable lines for one file: its verdict, then one line per issue."""
    if report.status == "skipped":
        return [f"{report.path}: skipped ({report.skip_reason})"]
    details = []
    if report.response:
        details.append(f"{report.response.answered} of {total_codes} answered")
    if report.errors:
        details.append(f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}")
    if report.warnings:
        details.append(f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}")
    head = f"{report.path}: {STATUS_TEXT[report.status]}" + (f" ({', '.join(details)})" if details else "")
    lines = [head]
    for issue in report.issues:
        lines.append(f"  {issue.severity:<7} {issue.code}: {issue.message}")
    return lines
