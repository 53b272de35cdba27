"""The respondent list (several respondents per council) and each respondent's workbook file name.

A respondent list is a CSV read as the council list is (:mod:`nps_xlsx.csv_table`: the same encodings,
delimiters and header aliases, errors naming the file and line): one row per respondent, with the council's code
and name (the council list's columns), the respondent's id (or email), and optionally their name, department and
role. A council listed on several lines must be written the same way on each; two councils whose codes give one
file name are refused, as in the council list. A respondent id is unique within its council (compared without
case), and no two respondents' workbooks may have one file name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .councils import COLUMNS as COUNCIL_COLUMNS
from .councils import MAX_NAME, Council, SeenCouncils, council_of_row, file_code, slug
from .csv_table import Column, read_table
from .errors import CouncilListError
from .text import clean_text, display_path, squash, utf16_len

COLUMNS = (
    *COUNCIL_COLUMNS,
    Column(
        "respondent_id",
        "the respondent's id (or email)",
        ("Respondent ID", "Respondent", "ID", "Email", "Email address", "Respondent email", "User ID", "Username"),
    ),
    Column(
        "respondent_name",
        "the respondent's name",
        ("Respondent name", "Full name", "Person", "Contact name"),
        required=False,
    ),
    Column("department", "the respondent's department", ("Dept", "Directorate", "Service", "Team"), required=False),
    Column("role", "the respondent's role", ("Job title", "Title", "Position", "Respondent role"), required=False),
)
# The respondent's part of a workbook's file name: the department's and the id's slugs, each at most this long
# (a council's part is at most 64 + 60 characters, so the name stays well under 255 bytes).
MAX_FILE_PART = 30
FIELDS = ("id", "name", "department", "role")


@dataclass(frozen=True)
class Respondent:
    """One respondent of a council: an id (or email), unique within the council; name, department and role
    may be blank."""

    id: str
    name: str = ""
    department: str = ""
    role: str = ""

    def label(self) -> str:
        """``Jane Smith (jsmith), Finance, Head of Finance``: the parts that are not blank."""
        who = f"{self.name} ({self.id})" if self.name else self.id
        return ", ".join(part for part in (who, self.department, self.role) if part)

    def to_dict(self) -> dict[str, str | None]:
        """Plain data for JSON output: a blank name, department or role is ``None``."""
        return {
            "id": self.id,
            "name": self.name or None,
            "department": self.department or None,
            "role": self.role or None,
        }


@dataclass(frozen=True)
class Listed:
    """A line of the respondent list: the council and the respondent."""

    council: Council
    respondent: Respondent


def respondent_problem(respondent: Respondent) -> str | None:
    """What stops ``respondent`` from being written into a workbook, or ``None``."""
    for what in FIELDS:
        value: str = getattr(respondent, what)
        if clean_text(value)[1]:
            return f"the respondent's {what} '{display_path(value)}' holds control characters; remove them"
        if utf16_len(value) > MAX_NAME:
            return (
                f"the respondent's {what} is {utf16_len(value):,} characters long; at most {MAX_NAME} (the workbook's "
                "document properties hold no more); shorten it"
            )
    return None


def check_respondent(respondent: Respondent) -> None:
    """Raise :class:`CouncilListError` if ``respondent`` cannot be written into a workbook."""
    if not respondent.id:
        raise CouncilListError("a respondent needs an id")
    if problem := respondent_problem(respondent):
        raise CouncilListError(f"respondent {respondent.id[:64]!r}: {problem}")


def id_part(respondent_id: str) -> str:
    """The id as its file name shows it: an email's part before the ``@``, slugged (``J.Smith@x.gov.uk`` ->
    ``j-smith``); an id with no letter or digit slugs to nothing, so it is shown by a hash of it instead."""
    local = respondent_id.rsplit("@", 1)[0] if "@" in respondent_id.strip("@") else respondent_id
    return slug(local, MAX_FILE_PART) or "id-" + hashlib.sha256(respondent_id.encode()).hexdigest()[:8]


def respondent_filename(council: Council, respondent: Respondent) -> str:
    """A safe file name for a respondent's workbook: the council's, then the department and the id
    (``E07000096-dacorum-borough-council-finance-jsmith.xlsx``)."""
    parts = (file_code(council.code), slug(council.name), slug(respondent.department, MAX_FILE_PART))
    return "-".join(part for part in (*parts, id_part(respondent.id)) if part) + ".xlsx"


def load_respondents(path: Path | str, report: Callable[[str], None] | None = None) -> list[Listed]:
    """Read a respondent list (see the module docstring); every problem names the file and line."""
    path = Path(path)
    table = read_table(path, str(path), "respondent list", COLUMNS, CouncilListError)
    if (note := table.note(str(path))) and report:
        report(note)
    councils = SeenCouncils(str(path))
    ids: dict[tuple[str, str], int] = {}
    files: dict[str, int] = {}
    listed: list[Listed] = []
    for line_no, row in table.rows:
        where = f"{path}:{line_no}"
        council = council_of_row(table, row, where, [])
        if first := councils.first(council):
            if first[0] != council:
                raise CouncilListError(
                    f"{where}: council code {council.code!r} is {first[0].name!r} ({first[0].code}) on line "
                    f"{first[1]}; write each council the same way on every line"
                )
            council = first[0]
        else:
            councils.add(council, line_no)
        values = {key: squash(row[at]) if at < len(row) else "" for key, at in table.at.items()}
        respondent = Respondent(
            values["respondent_id"],
            values.get("respondent_name", ""),
            values.get("department", ""),
            values.get("role", ""),
        )
        if not respondent.id:
            raise CouncilListError(f"{where}: the respondent id is empty (council {council.code})")
        if problem := respondent_problem(respondent):
            raise CouncilListError(f"{where}: {problem}")
        key = (council.code.casefold(), respondent.id.casefold())
        if key in ids:
            raise CouncilListError(
                f"{where}: duplicate respondent id {respondent.id!r} for council {council.code} (first on line "
                f"{ids[key]})"
            )
        ids[key] = line_no
        filename = respondent_filename(council, respondent)
        if filename.casefold() in files:
            raise CouncilListError(
                f"{where}: respondent {respondent.id!r} of {council.code} gets the same file name as line "
                f"{files[filename.casefold()]} ({filename}); make the ids (or departments) differ in letters or digits"
            )
        files[filename.casefold()] = line_no
        listed.append(Listed(council, respondent))
    if not listed:
        raise CouncilListError(f"{path}: no respondents listed")
    return listed
