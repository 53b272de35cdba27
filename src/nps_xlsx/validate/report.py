"""Validation reports over many files: counts, text and JSON forms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..read.files import list_entries
from ..read.safety import Limits
from ..rubric import Rubric
from ..text import MAX_NAMED, display_path, named, plural
from .check import FileReport, FileStatus
from .issues import HOLD_CODES, Issue
from .mail import read_returns

# The version of the output contracts (the README's "Output contracts"): fields are only ever added within one.
CONTRACT = 1
FAILING = (FileStatus.REJECTED, FileStatus.HELD)  # the statuses that make validate exit 1

STATUS_TEXT = {
    FileStatus.ACCEPTED: "accepted",
    FileStatus.ACCEPTED_WITH_WARNINGS: "accepted with warnings",
    FileStatus.HELD: "held for review",
    FileStatus.REJECTED: "rejected",
    FileStatus.SKIPPED: "skipped",
}


@dataclass
class ValidationReport:
    """The outcome for every file handed in, in the order given."""

    files: list[FileReport]

    @property
    def empty(self) -> bool:
        """True when there was no workbook to read: nothing found, or only entries that were skipped."""
        return all(f.status == FileStatus.SKIPPED for f in self.files)

    @property
    def valid(self) -> bool:
        """True when there was a workbook to read, and no file was rejected or held for review."""
        return not self.empty and all(f.status not in FAILING for f in self.files)

    def counts(self) -> dict[str, int]:
        """How many files have each status."""
        return {status.value: sum(f.status == status for f in self.files) for status in STATUS_TEXT}

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output; the CLI's ``--json`` prints exactly this."""
        return {
            "contract": CONTRACT,
            "valid": self.valid,
            "counts": self.counts(),
            "files": [f.to_dict() for f in self.files],
        }

    def summary_line(self) -> str:
        counts = self.counts()
        # "held for review" only when there is one, so the usual line stays as it was
        parts = ", ".join(
            f"{counts[status.value]} {text}"
            for status, text in STATUS_TEXT.items()
            if status != FileStatus.HELD or counts[status.value]
        )
        return f"{plural(len(self.files), 'file')}: {parts}"


def validate_paths(paths: Iterable[Path], rubric: Rubric, limits: Limits | None = None) -> ValidationReport:
    """Read and check every file (folders are searched recursively), and every workbook attached to a saved email."""
    return ValidationReport([report for path in list_entries(paths) for report in read_returns(path, rubric, limits)])


def render_file(report: FileReport, total_codes: int, quiet: bool = False) -> list[str]:
    """Human-readable lines for one file: its verdict, then one line per issue.

    Blank scores fold into one line. ``quiet`` keeps only files that fail (rejected or
    held for review), with their errors and the finding that holds them.
    """
    if quiet and report.status not in FAILING:
        return []
    if report.status == FileStatus.SKIPPED:
        return [f"{report.path}: skipped ({report.skip_reason}){sent(report)}"]
    details = []
    if report.response:
        details.append(f"{report.response.answered} of {total_codes} answered")
        if prefill := report.response.prefill:
            details.append(
                f"pre-filled from {prefill.round}: {prefill.unchanged} of {prefill.answers} answers unchanged"
            )
    if report.errors:
        details.append(plural(len(report.errors), "error"))
    if report.warnings:
        details.append(plural(len(report.warnings), "warning"))
    head = f"{report.path}: {STATUS_TEXT[report.status]}" + (f" ({', '.join(details)})" if details else "")
    if report.response and report.response.respondent:
        head += f"; respondent {report.response.respondent.label()}"
    head += sent(report)
    issues = [i for i in report.issues if not quiet or i.severity == "error" or i.code in HOLD_CODES]
    blanks = [i for i in issues if i.code == "score-blank"]
    lines = [head]
    for issue in issues:
        if issue.code != "score-blank":
            lines.append(f"  {issue.severity:<7} {issue.code}: {issue.message}")
        elif issue is blanks[0]:
            lines.append(f"  {issue.severity:<7} {issue.code}: {fold_blanks(blanks)}")
    return lines


def sent(report: FileReport) -> str:
    """``; from jsmith@dacorum.gov.uk on 2025-03-04 10:15 UTC, "NPS return"`` for a report from a saved email."""
    message = report.message
    if message is None or not (message.sender or message.date or message.subject):
        return ""
    text = f"; from {message.sender or 'an unknown sender'}"
    if message.date:
        text += f" on {message.date:%Y-%m-%d %H:%M} UTC"
    return text + (f', "{message.subject}"' if message.subject else "")


def fold_blanks(blanks: list[Issue]) -> str:
    """``3 value codes not answered: EC1, EC2 (Engaging Councillors!I4, I5), SM1 (Engaging senior managers!I4); …``.

    The value codes are grouped by sheet, in the order found, each group followed by its cells.
    """
    groups: dict[str | None, list[Issue]] = {}
    for issue in blanks:
        groups.setdefault(issue.location.sheet, []).append(issue)
    parts = []
    for sheet, group in groups.items():
        codes = ", ".join(i.value_code or "?" for i in group)
        cells = ", ".join(i.location.cell for i in group if i.location.cell)
        parts.append(f"{codes} ({sheet}!{cells})" if sheet and cells else codes)
    advice = blanks[0].fix
    return f"{plural(len(blanks), 'value code')} not answered: {', '.join(parts)}" + (f"; {advice}" if advice else "")


def nothing_found(paths: Sequence[Path], reports: Sequence[FileReport]) -> str:
    """Why there is nothing to read: what was searched, and what was skipped there."""
    where = named([f"'{display_path(p)}'" for p in paths])
    if any(p.is_dir() for p in paths):
        where += " (folders are searched with their subfolders)"
    text = f"no workbooks found in {where}"
    skipped = [r for r in reports if r.status == FileStatus.SKIPPED]
    if skipped:
        listed = "; ".join(f"{r.path}, {r.skip_reason}" for r in skipped[:MAX_NAMED])
        more = f"; and {len(skipped) - MAX_NAMED} more" if len(skipped) > MAX_NAMED else ""
        text += f"; {plural(len(skipped), 'entry', 'entries')} skipped: {listed}{more}"
    return text + ". Give the folders that hold the returns, or the workbooks themselves."
