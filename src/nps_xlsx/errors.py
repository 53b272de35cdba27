"""Exceptions for conditions the tool cannot go on from.

Problems found in a council's return are data (issues), not exceptions; these
classes are for bad inputs the operator controls (a rubric file, a council list)
and for output that cannot be written.
"""


class NpsXlsxError(Exception):
    """Base class of every error this package raises on purpose."""


class RubricError(NpsXlsxError):
    """A rubric file is missing, unreadable or does not follow the schema."""


class CouncilListError(NpsXlsxError):
    """A council list (CSV) is unreadable or has a bad row."""


class OutputError(NpsXlsxError):
    """An output file cannot be written where it was asked for."""


class AssignmentsError(NpsXlsxError):
    """An assignments file (which council a held return is from) is unreadable or has a bad row."""


class NothingFoundError(NpsXlsxError):
    """No workbook to read among the inputs: nothing there, or only entries that are skipped (a lock file)."""


class GroupByError(NpsXlsxError):
    """``--group-by`` names a column the council list does not have."""


class MailError(NpsXlsxError):
    """A mail run cannot go on: a bad template, chase list or ledger, or an SMTP server that cannot be used."""
