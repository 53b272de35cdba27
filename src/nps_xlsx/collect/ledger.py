"""A ledger entry: one file handed in, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass

from ..respondents import Respondent
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
    set_aside: bool = False  # respondent mode: a return without a respondent, its council's respondents' used

    @property
    def respondent(self) -> Respondent | None:
        """The respondent the copy was issued to (``generate --respondents``), if any."""
        response = self.report.response
        return response.respondent if response else None

    @property
    def internal_error(self) -> Issue | None:
        """The fault of ours that stopped this file being read, if any (never the council's fault)."""
        return next((i for i in self.report.issues if i.code == "internal-error"), None)
