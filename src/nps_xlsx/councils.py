"""The council list (CSV with ``code,name`` columns) and safe file names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .csv_table import read_table
from .errors import CouncilListError
from .text import clean_text, display_path, utf16_len

REQUIRED_COLUMNS = ("code", "name")
MAX_SLUG = 60
# A personalised workbook keeps the name in a custom document property (at most 255 characters, as
# Excel counts them) and on the cover, whose input check allows 255; the meta sheet and the cover's
# other cells hold more. A code is an identifier (a GSS code has 9 characters); 64 keeps it readable
# in the cover and the file name (code, then at most 60 characters of the name) short on any file system.
MAX_NAME = 255
MAX_CODE = 64


@dataclass(frozen=True)
class Council:
    """One council: its code (e.g. a GSS code) and its name."""

    code: str
    name: str
    # the council list's other columns (e.g. email, contact), as (header, value) pairs in file order
    extra: tuple[tuple[str, str], ...] = ()


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: ``"St. Helens (MBC)"`` -> ``"st-helens-mbc"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")


def workbook_filename(council: Council) -> str:
    """A safe file name for a council's workbook, e.g. ``E07000096-dacorum-borough-council.xlsx``."""
    code = re.sub(r"[^A-Za-z0-9]+", "-", council.code).strip("-")
    return "-".join(part for part in (code, slug(council.name)) if part) + ".xlsx"


def council_problem(council: Council) -> str | None:
    """What stops ``council`` from being written into a workbook, or ``None``."""
    why = {
        "name": "its document properties and the cover's council-name cell allow no more",
        "code": "it is an identifier, and the start of the workbook's file name",
    }
    for what, value, limit in (("code", council.code, MAX_CODE), ("name", council.name, MAX_NAME)):
        if clean_text(value)[1]:
            return f"the {what} '{display_path(value)}' holds control characters; remove them"
        if utf16_len(value) > limit:
            return f"the {what} is {utf16_len(value):,} characters long; at most {limit} ({why[what]}); shorten it"
    return None


def check_council(council: Council) -> None:
    """Raise :class:`CouncilListError` if ``council`` cannot be written into a workbook."""
    problem = council_problem(council)
    if problem:
        raise CouncilListError(f"council {council.code[:MAX_CODE]!r}: {problem}")


def load_councils(path: Path | str) -> list[Council]:
    """Read a council list; every problem names the file and line."""
    path = Path(path)
    header, rows = read_table(path, str(path), "council list", CouncilListError)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CouncilListError(
            f"{path}:1: missing column {', '.join(repr(m) for m in missing)}; "
            f"the first line must name the columns, including 'code' and 'name'"
        )
    code_at, name_at = header.index("code"), header.index("name")
    councils: list[Council] = []
    seen_codes: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    for line_no, row in rows:
        if len(row) < len(header):
            raise CouncilListError(f"{path}:{line_no}: has {len(row)} columns; the header has {len(header)}")
        council = Council(
            code=row[code_at].strip(),
            name=" ".join(row[name_at].split()),
            extra=tuple(
                (column, row[i].strip()) for i, column in enumerate(header) if i not in (code_at, name_at) and column
            ),
        )
        if not council.code:
            raise CouncilListError(f"{path}:{line_no}: the code is empty")
        if not council.name:
            raise CouncilListError(f"{path}:{line_no}: the name is empty (code {council.code})")
        problem = council_problem(council)
        if problem:
            raise CouncilListError(f"{path}:{line_no}: {problem}")
        key = council.code.casefold()
        if key in seen_codes:
            raise CouncilListError(
                f"{path}:{line_no}: duplicate code {council.code!r} (first on line {seen_codes[key]})"
            )
        seen_codes[key] = line_no
        filename = workbook_filename(council).casefold()
        if filename in seen_files:
            raise CouncilListError(
                f"{path}:{line_no}: code {council.code!r} gives the same file name as line {seen_files[filename]}; "
                "make the codes differ in letters or digits"
            )
        seen_files[filename] = line_no
        councils.append(council)
    if not councils:
        raise CouncilListError(f"{path}: no councils listed")
    return councils
