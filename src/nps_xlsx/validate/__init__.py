"""Validate: a return, read, becomes a :class:`FileReport`: the response it holds and every located issue.

Owns the interpretation of a read workbook (``check``: identity, cover, scores, comments), the issue catalogue
(``issues``), the response record (``response``), a pre-filled copy's unchanged answers (``prefill``) and the report
of ``nps-xlsx validate`` (``report``). May import ``nps_xlsx.read`` and the top-level modules; never ``template`` or
``collect``.

Saved emails (``mail``): a report for each workbook attached to an ``.eml``, ``.mbox`` or ``.msg`` file.

The public API: :func:`read_return`, :func:`read_returns` (a file, or a saved email's workbooks) and
:func:`validate_paths`.
"""

from .check import FileReport, FileStatus, read_return
from .mail import read_returns
from .report import ValidationReport, validate_paths

__all__ = ["FileReport", "FileStatus", "ValidationReport", "read_return", "read_returns", "validate_paths"]
