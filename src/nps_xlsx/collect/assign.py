"""The coordinator's decisions on held returns: an assignments file mapping a file to a council code.

A CSV with a header line naming at least ``file`` and ``council_code`` (aliases such as ``path``,
``code`` or ``GSS code`` are accepted too), read as :mod:`csv_table` reads the council list.
``file`` is the file's path as the ledger shows it (or any path to the same file), or its SHA-256
from the ledger. ``collect --assign`` then uses that file as a return
from that council, whatever name was typed on its cover, and the ledger says so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..councils import Council
from ..csv_table import Column, read_table
from ..errors import AssignmentsError
from ..text import display_path, plural

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
COLUMNS = (
    Column(
        "file",
        "the file (its path or SHA-256 from the ledger)",
        ("path", "File name", "File path", "SHA-256", "Workbook"),
    ),
    Column("council_code", "the council code", ("code", "GSS code", "ONS code", "LA code")),
)


@dataclass(frozen=True)
class Assignment:
    """One line of an assignments file: ``file`` (a path, or a SHA-256 in lower case) is from council ``code``."""

    file: str
    code: str
    line: int

    @property
    def by_hash(self) -> bool:
        return bool(_SHA256.match(self.file))


@dataclass
class Assignments:
    """Every line of one assignments file; :meth:`find` marks the lines it uses."""

    source: str  # the file, as shown in notes
    lines: list[Assignment]
    used: set[int] = field(default_factory=set)  # line numbers that named a file of this run

    def find(self, path: str, sha256: str | None) -> Assignment | None:
        """The line that names the file shown as ``path`` with digest ``sha256``, if any."""
        for assignment in self.lines:
            if (assignment.by_hash and assignment.file == sha256) or (
                not assignment.by_hash and _same_path(assignment.file, path)
            ):
                self.used.add(assignment.line)
                return assignment
        return None

    def unused(self) -> list[Assignment]:
        """Lines that named no file of this run (a typo, or a file no longer in the folder)."""
        return [a for a in self.lines if a.line not in self.used]


def _same_path(written: str, shown: str) -> bool:
    if os.path.normpath(written) == os.path.normpath(shown):
        return True
    try:
        return Path(written).resolve() == Path(shown).resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def load_assignments(
    path: Path | str, expected: list[Council] | None = None, report: Callable[[str], None] | None = None
) -> Assignments:
    """Read an assignments file; every problem names the file and line. Codes must be on ``expected`` if given.

    ``report`` is told how the file was read when it was not UTF-8 with commas.
    """
    path = Path(path)
    shown = display_path(path)
    table = read_table(path, shown, "assignments file", COLUMNS, AssignmentsError)
    note = table.note(shown)
    if note and report:
        report(note)
    file_at, code_at = table.at["file"], table.at["council_code"]
    known = {c.code.casefold(): c.code for c in expected} if expected is not None else None
    lines: list[Assignment] = []
    seen: dict[str, int] = {}
    for line_no, row in table.rows:
        if len(row) <= max(file_at, code_at):
            raise AssignmentsError(
                f"{shown}:{line_no}: has {plural(len(row), 'column')}; the header has {len(table.header)}"
            )
        file, code = row[file_at].strip(), row[code_at].strip()
        if not file or not code:
            raise AssignmentsError(f"{shown}:{line_no}: give both the file and the council code")
        if _SHA256.match(file):
            file = file.lower()
        if known is not None:
            if code.casefold() not in known:
                raise AssignmentsError(
                    f"{shown}:{line_no}: council code {code!r} is not on the expected list; check the code"
                )
            code = known[code.casefold()]
        if file in seen:
            raise AssignmentsError(f"{shown}:{line_no}: {file!r} is already assigned on line {seen[file]}")
        seen[file] = line_no
        lines.append(Assignment(file, code, line_no))
    return Assignments(path.name, lines)
