"""The council list (CSV with ``code`` and ``name`` columns, or their aliases), safe file names, and comparing
council names as people type them.

Comparing council names as people type them.

:func:`fold_name` reduces a name to the words that tell one council from another, so that
"Dacorum BC", "dacorum borough council" and "Dacorum  Borough Council." compare equal while
"Watford Borough Council" and "Dacorum Borough Council" do not. Steps: Unicode NFC (a name
typed on a Mac arrives decomposed, NFD), accents dropped, case folded, "&" read as "and",
"St" as "Saint", punctuation and spacing ignored, and the words that only say what kind of
council it is ("Borough Council", "BC", "DC", "CC", "MBC", "City of", ...) left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .csv_table import Column, Table, fold, read_table
from .errors import CouncilListError, GroupByError
from .text import clean_text, display_path, fold_space, plural, squash, utf16_len

# Headers are compared with case, spaces and punctuation folded; ONS files name them e.g. LAD23CD, LAD23NM.
_ONS = r"(lad|ltla|utla|ctyua|cty)\d\d"
COLUMNS = (
    Column(
        "code",
        "the council code",
        ("Council code", "GSS code", "ONS code", "LA code", "Local authority code", "Authority code"),
        _ONS + "cd",
    ),
    Column(
        "name",
        "the council name",
        ("Council name", "Council", "Local authority", "Local authority name", "Authority", "Authority name"),
        _ONS + "nm",
    ),
)
# The council list's column of email addresses (``nps-xlsx mail``), one of its other columns.
EMAIL = Column(
    "email",
    "the council's email address",
    ("Email address", "Email addresses", "E-mail", "E-mail address", "Contact email", "Emails"),
    required=False,
)
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


def council_email(council: Council) -> str:
    """The council's ``email`` column (or an alias such as ``Email address``), as written; ``""`` when none."""
    found = [v for h, v in council.extra if EMAIL.exact(h)] or [v for h, v in council.extra if EMAIL.alias(h)]
    return found[0] if found else ""


_ADDRESS = re.compile(r"[^\s<>,;\"'()]+@[^\s<>,;\"'()]+")


def council_emails(council: Council) -> tuple[str, ...]:
    """The addresses in ``council``'s email column (:func:`council_email`), lower case: several may be separated
    by ``;`` or ``,``, and written with a name (``Jane Smith <jsmith@dacorum.gov.uk>``)."""
    return tuple(dict.fromkeys(address.casefold() for address in _ADDRESS.findall(council_email(council))))


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``limit`` characters: ``"St. Helens (MBC)"`` ->
    ``"st-helens-mbc"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def file_code(code: str) -> str:
    """A council code as it starts a workbook's file name: ASCII letters and digits, runs of others as ``-``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-")


def workbook_filename(council: Council, suffix: str = "") -> str:
    """A safe file name for a council's workbook, e.g. ``E07000096-dacorum-borough-council.xlsx``; ``suffix``
    ends the name (``-feedback``: ``E07000096-dacorum-borough-council-feedback.xlsx``)."""
    return "-".join(part for part in (file_code(council.code), slug(council.name)) if part) + suffix + ".xlsx"


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


def load_councils(path: Path | str, report: Callable[[str], None] | None = None) -> list[Council]:
    """Read a council list; every problem names the file and line.

    ``report`` is told how the file was read when it was not UTF-8 with commas (see :meth:`Table.note`).
    """
    path = Path(path)
    table = read_table(path, str(path), "council list", COLUMNS, CouncilListError)
    note = table.note(str(path))
    if note and report:
        report(note)
    others = table.others()
    councils: list[Council] = []
    seen = SeenCouncils(str(path))
    for line_no, row in table.rows:
        council = council_of_row(table, row, f"{path}:{line_no}", others)
        seen.add(council, line_no)
        councils.append(council)
    if not councils:
        raise CouncilListError(f"{path}: no councils listed")
    return councils


def council_of_row(table: Table, row: list[str], where: str, others: list[tuple[int, str]]) -> Council:
    """The council a list's row names (its ``code`` and ``name`` columns; ``others`` kept as its extra columns),
    checked as every workbook needs it; errors start with ``where`` (``councils.csv:4``)."""
    code_at, name_at = table.at["code"], table.at["name"]
    if len(row) <= max(code_at, name_at):
        raise CouncilListError(f"{where}: has {plural(len(row), 'column')}; the header has {len(table.header)}")
    council = Council(
        code=row[code_at].strip(),
        name=squash(row[name_at]),
        extra=tuple((column, row[i].strip() if i < len(row) else "") for i, column in others),
    )
    if not council.code:
        raise CouncilListError(f"{where}: the code is empty")
    if not council.name:
        raise CouncilListError(f"{where}: the name is empty (code {council.code})")
    problem = council_problem(council)
    if problem:
        raise CouncilListError(f"{where}: {problem}")
    return council


class SeenCouncils:
    """The councils of a list so far, by code (compared without case) and by file name, with their lines."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.codes: dict[str, tuple[Council, int]] = {}
        self.files: dict[str, int] = {}

    def first(self, council: Council) -> tuple[Council, int] | None:
        """The council listed earlier under the same code, and its line; ``None`` if the code is new."""
        return self.codes.get(council.code.casefold())

    def add(self, council: Council, line_no: int) -> None:
        """Record a council new to the list: an error if its code, or its workbook's file name, is taken."""
        if first := self.first(council):
            raise CouncilListError(
                f"{self.shown}:{line_no}: duplicate code {council.code!r} (first on line {first[1]})"
            )
        self.codes[council.code.casefold()] = (council, line_no)
        filename = workbook_filename(council).casefold()
        if filename in self.files:
            raise CouncilListError(
                f"{self.shown}:{line_no}: code {council.code!r} gives the same file name as line "
                f"{self.files[filename]}; make the codes differ in letters or digits"
            )
        self.files[filename] = line_no


# Words (after folding) that say what kind of council it is, not which one.
_KIND_WORDS = frozenset(
    {
        *("council", "borough", "district", "county", "city", "metropolitan", "royal", "unitary", "authority"),
        *("london", "of", "the", "bc", "dc", "cc", "mbc", "mdc", "lbc", "rbc", "ua", "lb"),
    }
)
_SAME_WORDS = {"st": "saint", "&": "and"}
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_WORD = re.compile(r"&|\w+")


def fold_name(name: str) -> str:
    """The words of ``name`` that identify the council, folded as described in the module docstring."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = [_SAME_WORDS.get(w, w) for w in _WORD.findall(_APOSTROPHES.sub("", plain).casefold())]
    kept = [w for w in words if w not in _KIND_WORDS]
    while kept and kept[-1] == "and":  # "St Albans City and District Council"
        kept.pop()
    while kept and kept[0] == "and":
        kept.pop(0)
    return " ".join(kept or words)


def same_council(a: str, b: str) -> bool:
    """Whether two typed names name the same council (see :func:`fold_name`)."""
    return fold_name(a) == fold_name(b)


class NameIndex:
    """Council codes by name: an exact match (after :func:`fold_space`) first, else a unique :func:`fold_name` match.

    A folded name shared by two codes (say a county and a city council of the same place) matches neither.
    """

    def __init__(self) -> None:
        self._exact: dict[str, str] = {}
        self._loose: dict[str, str | None] = {}

    def add(self, name: str, code: str) -> None:
        """Record ``name`` for ``code``; the first code given for a name is kept."""
        self._exact.setdefault(fold_space(name), code)
        loose = fold_name(name)
        if self._loose.setdefault(loose, code) not in (code, None):
            self._loose[loose] = None  # ambiguous

    def get(self, name: str) -> str | None:
        """The code of the council called ``name``, if exactly one matches."""
        return self._exact.get(fold_space(name)) or self._loose.get(fold_name(name))


def list_columns(expected: Sequence[Council]) -> list[str]:
    """The council list's columns besides the code and the name, in file order."""
    return list(dict.fromkeys(header for council in expected for header, _ in council.extra))


def group_columns(expected: Sequence[Council], wanted: Sequence[str]) -> list[str]:
    """The council list's headers that ``wanted`` names (exactly, else with case, spaces and punctuation
    folded, as the council list's own headers are matched), in order, each once.

    Raises :class:`GroupByError` naming the columns the list has if one is not there.
    """
    available = list_columns(expected)
    chosen: list[str] = []
    for name in wanted:
        found = [c for c in available if c == name.strip()] or [c for c in available if fold(c) == fold(name)]
        if len(found) > 1:
            both = " and ".join(f"'{c}'" for c in found)
            raise GroupByError(f"--group-by '{name}': the council list's columns {both} both match; name one exactly")
        if not found:
            has = (
                f"its columns besides the code and the name are {', '.join(repr(c) for c in available)}"
                if available
                else "it has only the code and the name columns; add a column such as 'region'"
            )
            raise GroupByError(f"--group-by '{name}': the council list has no such column; {has}")
        if found[0] not in chosen:
            chosen.append(found[0])
    return chosen
