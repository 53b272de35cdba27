"""A spreadsheet as read, before interpretation: sheets of sparse cells, defined names, properties.

Every reader (``.xlsx``/``.xlsm``, ``.ods``, ``.xls``) produces a :class:`RawWorkbook`, so
the validator never depends on the file format. Rows and columns are 0-based.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

CellKind = Literal["text", "number", "bool", "date", "error", "uncached"]
# A "date" cell holds a datetime; a time of day alone is that time on TIME_OF_DAY's date (every reader).
CellValue = str | float | bool | datetime | None
TIME_OF_DAY = datetime(1899, 12, 30)
EPOCH_1900 = datetime(1899, 12, 30)  # serial 0 of the 1900 date system (serial 1 is 1900-01-01, see from_serial)
EPOCH_1904 = datetime(1904, 1, 1)  # serial 0 of the 1904 date system (Mac Excel's, date1904)

# xsd:double's lexical space, whitespace collapsed: what a spreadsheet file may hold as a number. Python's float()
# also takes "0_3", Arabic-Indic or full-width digits, "infinity" and Unicode spaces, which are not numbers here.
_XSD_DOUBLE = re.compile(
    r"[ \t\r\n]*(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)[ \t\r\n]*"
)


def parse_double(text: str) -> float | None:
    """``text`` as an ``xsd:double`` (``3``, ``-0.5e3``, ``INF``, ``NaN``), or ``None`` if it is not one.

    Never raises: a number of thousands of digits is ``inf`` (or ``0.0``), as for any double.
    """
    return float(text) if _XSD_DOUBLE.fullmatch(text) else None


class ReadFailure(Exception):
    """Reading stopped: ``code`` is an issue code from the catalogue, ``detail`` says why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class RawCell(NamedTuple):
    """One non-empty cell. ``kind`` is ``uncached`` for a formula that has no calculated value.

    A named tuple: a return has about a thousand cells, and this is the cheapest immutable record to build.
    """

    value: CellValue
    kind: CellKind
    formula: bool = False

    def text(self) -> str | None:
        """The text of a ``text`` cell; ``None`` for any other kind."""
        value = self.value
        return value if self.kind == "text" and isinstance(value, str) else None

    def number(self) -> float | None:
        """The number of a ``number`` cell; ``None`` for any other kind (a bool is not a number)."""
        value = self.value
        return float(value) if self.kind == "number" and isinstance(value, float | int) else None


class RawSheet:
    """One worksheet: its name, visibility and non-empty cells keyed by ``(row, col)``.

    A reader may pass ``loader`` instead of ``cells``: the sheet is then parsed on first use,
    so sheets the validator never looks at (the live summary, say) cost nothing.
    """

    def __init__(
        self,
        name: str,
        state: str = "visible",
        cells: dict[tuple[int, int], RawCell] | None = None,
        loader: Callable[[], dict[tuple[int, int], RawCell]] | None = None,
    ) -> None:
        self.name, self.state = name, state
        self._cells = cells if cells is not None or loader else {}
        self._loader = loader

    @property
    def cells(self) -> dict[tuple[int, int], RawCell]:
        if self._cells is None:
            assert self._loader is not None
            self._cells, self._loader = self._loader(), None
        return self._cells

    def __repr__(self) -> str:
        return f"RawSheet({self.name!r}, {self.state!r})"


@dataclass
class RawWorkbook:
    """A whole workbook as read from one file."""

    format: str  # "xlsx", "ods" or "xls"
    sheets: list[RawSheet]
    names: dict[str, tuple[str, int, int]]  # lower-case defined name -> (sheet, row, col)
    properties: dict[str, str] = field(default_factory=dict)  # custom document properties
    has_macros: bool = False
    _by_name: dict[str, RawSheet] | None = field(default=None, repr=False, compare=False)

    def sheet(self, name: str) -> RawSheet | None:
        """The sheet called ``name`` (case-insensitive), if any; the first, if two differ only in case."""
        if self._by_name is None:  # indexed on first use: a reader hands over a finished list of sheets
            self._by_name = {}
            for sheet in self.sheets:
                self._by_name.setdefault(sheet.name.casefold(), sheet)
        return self._by_name.get(name.casefold())


def from_serial(serial: float, epoch: datetime) -> datetime:
    """An Excel date serial as a date-time, as openpyxl's ``from_excel``; ``0 <= serial < 1`` is a time of day.

    A time of day is given on :data:`TIME_OF_DAY`'s date, as every reader gives it (openpyxl gives a ``time``).

    Rounded to the millisecond. In the 1900 system serial 60 is Excel's fictitious 29 February 1900,
    so serials below it are a day later than a plain count from the epoch would say. Raises
    ``OverflowError`` or ``ValueError`` for a serial no date can hold (huge, ``inf``, ``NaN``).
    """
    day, fraction = divmod(serial, 1)
    clock = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= serial < 1 and clock.days == 0:
        return TIME_OF_DAY + clock
    if 0 < serial < 60 and epoch == EPOCH_1900:
        day += 1
    return epoch + timedelta(days=day) + clock
