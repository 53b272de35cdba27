"""The catalogue of problems a return can have, and the Issue record.

Problems in a council's return are data, never exceptions. Each issue has a code
from :data:`CATALOGUE` (which fixes its severity), a location, the value code it
concerns, the offending value, and a message that says where, what, and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .text import clean_text

Severity = Literal["error", "warning"]

# code -> (severity, one-line meaning). Tests assert on codes, not on message text.
CATALOGUE: dict[str, tuple[Severity, str]] = {
    # the file itself
    "file-unreadable": ("error", "the file cannot be opened"),
    "file-empty": ("error", "the file is empty"),
    "file-too-large": ("error", "the file is larger than the configured limit"),
    "not-a-spreadsheet": ("error", "the content is not a spreadsheet"),
    "corrupt-file": ("error", "the spreadsheet is damaged or truncated"),
    "encrypted": ("error", "the workbook is password-protected (encrypted)"),
    "unsupported-format": ("error", "the workbook is in a format or compression this tool cannot read (e.g. .xlsb)"),
    "zip-bomb": ("error", "the archive's sizes, ratio or member count exceed the limits"),
    "xml-entities": ("error", "the XML declares a DTD or entities (a known attack)"),
    "too-many-cells": ("error", "a sheet has more cells than the configured limit"),
    "too-many-names": ("error", "the workbook defines more names than the configured limit"),
    "extension-mismatch": ("warning", "the content does not match the file extension; read by content"),
    "macros-ignored": ("warning", "the workbook contains macros; they were ignored, never run"),
    # which workbook it is
    "not-nps-workbook": ("error", "the workbook is not an NPS diagnostic workbook"),
    "wrong-rubric": ("error", "the workbook is for another diagnostic"),
    "wrong-rubric-version": ("error", "the workbook is for another version of the diagnostic"),
    "rubric-fingerprint-mismatch": ("error", "the workbook's rubric text differs from the expected rubric"),
    "identity-missing": ("warning", "the workbook's identity record is missing; recognised by its layout"),
    "council-name-missing": ("error", "the council name on the cover is blank"),
    "council-name-changed": (
        "warning",
        "the council name typed on the cover is not the council the copy was issued to; held for review",
    ),
    # the answers
    "value-code-missing": ("error", "a value code's row cannot be found"),
    "value-code-duplicated": ("error", "a value code appears in more than one row"),
    "name-mismatch": ("warning", "a defined name points away from its value code's row"),
    "score-blank": ("warning", "a value code has not been answered"),
    "nothing-answered": ("error", "no value code has a score or a comment: the workbook came back unfilled"),
    "score-invalid": ("error", "a score is not one of the levels"),
    "score-formula-error": ("error", "a score cell holds a formula error such as #REF!"),
    "formula-without-value": ("error", "an input holds a formula with no calculated value"),
    "comment-too-long": ("error", "a comment is longer than a spreadsheet cell can hold"),
    "control-characters-removed": ("warning", "characters no output can hold were removed from a cell's text"),
    "completion-date-in-future": ("warning", "the completion date is in the future; not used to order resubmissions"),
    # across returns (collect)
    "unexpected-council": ("warning", "the return is from a council not on the expected list"),
    # ours, not the sender's
    "internal-error": ("error", "a fault in nps-xlsx stopped it reading the file; the file itself may be fine"),
}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: the file, and, when known, the sheet and cell (A1 style)."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.file
        return f"{self.file} › {self.sheet}" + (f"!{self.cell}" if self.cell else "")


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one return."""

    code: str
    severity: Severity
    location: Location
    value_code: str | None
    value: str | None
    message: str

    @property
    def detail(self) -> str:
        """The message without the ``file › sheet!cell (ID): `` that :func:`make_issue` puts first."""
        where = str(self.location) + (f" ({self.value_code})" if self.value_code else "")
        return self.message.removeprefix(f"{where}: ")

    def to_dict(self) -> dict[str, str | None]:
        """Plain data for JSON output."""
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.location.file,
            "sheet": self.location.sheet,
            "cell": self.location.cell,
            "value_code": self.value_code,
            "value": self.value,
            "message": self.message,
        }


def make_issue(
    code: str, location: Location, detail: str, value_code: str | None = None, value: object = None
) -> Issue:
    """An issue whose message reads ``file › sheet!cell (ID): detail``; severity comes from the catalogue."""
    severity, _meaning = CATALOGUE[code]
    # Safe by construction: whatever a return held, an issue holds only text every output can write.
    location = Location(_safe(location.file), _safe(location.sheet), _safe(location.cell))
    where = str(location) + (f" ({value_code})" if value_code else "")
    return Issue(
        code=code,
        severity=severity,
        location=location,
        value_code=_safe(value_code),
        value=_safe(None if value is None else str(value)),
        message=_safe(f"{where}: {detail}"),
    )


def _safe(text: str | None) -> str | None:
    return None if text is None else clean_text(text)[0]
