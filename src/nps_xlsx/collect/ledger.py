"""A ledger entry: one file handed in, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass

from ..validate.check import FileReport, FileStatus
from ..validate.issues import Issue
from .assign import Assignment

USABLE = (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WITH_WARNINGS)


@dataclass
class LedgerEntry:
    """One file handed in, and what became of it."""

    report: FileReport
    status: FileStatus
    council_key: str | None = None
    note: str = ""
    code: str | None = None  # the council code the return counts under, when known
    assigned: Assignment | None = None  # the assignments-file line that decided its council

    @property
    def internal_error(self) -> Issue | None:
        """The fault of ours that stopped this file being read, if any (never the council's fault)."""
        return next((i for i in self.report.issues if i.code == "internal-error"), None)
