"""Cell references and sheet names as Excel writes and checks them: ``I4``, ``$I$4``, ``'My sheet'!$I$4``.

Rows and columns are 0-based, as in XlsxWriter. ``xlsxwriter.utility`` has the writing half too, but importing
it loads all of XlsxWriter (about 65 ms), which reading a return never needs; so readers and writers share these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
# A defined name's formula that is one cell: a sheet name, quoted ('' inside quotes is a quote) or bare (Excel
# quotes any name that is not letters, digits, "_" and "."; operators and separators are never part of a bare one),
# then "!" and a cell or a range of two cells.
_NAME_TARGET = re.compile(
    r"(?:'((?:[^']|'')+)'|([^\s'!\"#%&()*+,\-/:;<=>@\[\\\]^{|}~]+))"
    r"!(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})(?::(\$?[A-Za-z]{1,3}\$?[0-9]{1,7}))?"
)
_SHEET_NAME = re.compile(r"[^\[\]:*?/\\]+")  # characters Excel allows in a sheet name


def column_letter(col: int) -> str:
    """``0`` -> ``A``, ``26`` -> ``AA``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=16384)
def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """A1-style reference of a 0-based cell, e.g. ``(3, 8)`` -> ``I4``."""
    if absolute:
        return f"${column_letter(col)}${row + 1}"
    return f"{column_letter(col)}{row + 1}"


def sheet_ref(sheet: str, ref: str) -> str:
    """A reference qualified by its sheet, quoted as Excel wants, e.g. ``'My sheet'!$A$1``."""
    return "'" + sheet.replace("'", "''") + "'!" + ref


def check_sheet_name(name: str, reserved: Iterable[str] = ()) -> str | None:
    """Why ``name`` cannot be a worksheet name, or ``None`` if it can (``reserved``: names the workbook takes)."""
    if len(name) > MAX_SHEET_NAME:
        return f"is {len(name)} characters long; Excel allows {MAX_SHEET_NAME}"
    if _BAD_SHEET_CHARS.search(name):
        return "contains one of [ ] : * ? / \\"
    if name.startswith("'") or name.endswith("'"):
        return "starts or ends with an apostrophe"
    if name.casefold() in (s.casefold() for s in ("History", *reserved)):
        return "is reserved"
    return None


def column_index(letters: str) -> int:
    """``A`` -> ``0``, ``AA`` -> ``26`` (either case)."""
    col = 0
    for char in letters.upper():
        col = col * 26 + ord(char) - 64
    return col - 1


@lru_cache(maxsize=65536)
def parse_a1(ref: str) -> tuple[int, int] | None:
    """``"I4"`` or ``"$I$4"`` -> ``(3, 8)``; ``None`` if it is not a single-cell reference."""
    match = _A1.match(ref.strip())
    if not match:
        return None
    return int(match[2]) - 1, column_index(match[1])


def parse_name_target(text: str) -> tuple[str, int, int] | None:
    """The one cell a defined name's formula refers to: ``'My sheet'!$I$4`` -> ``("My sheet", 3, 8)``.

    Only a formula that is exactly one cell of this workbook is a cell: a range of several cells, a
    union (``A1,B2``), a function, a constant, a 3-D reference (``Sheet1:Sheet3!A1``) and a cell of
    another workbook (``[1]Sheet1!A1``, ``'C:\\dir\\[Book.xlsx]Sheet1'!A1``) are ``None``. A range whose
    two ends are the same cell is that cell.
    """
    match = _NAME_TARGET.fullmatch(text.strip().removeprefix("="))
    if match is None:
        return None
    quoted, bare, first, last = match.groups()
    sheet = bare if quoted is None else quoted.replace("''", "'")
    if not _SHEET_NAME.fullmatch(sheet):
        return None  # characters no sheet name may hold: "[" starts another workbook's name, ":" a 3-D range
    cell = parse_a1(first)
    if cell is None or (last is not None and parse_a1(last) != cell):
        return None
    return sheet, cell[0], cell[1]
