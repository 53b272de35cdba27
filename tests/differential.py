"""Read one spreadsheet with our reader and with another one, and list where they disagree.

Our side is what :func:`nps_xlsx.read.workbook.read_workbook` hands the validator (a ``RawWorkbook``);
the other side is python-calamine (every format) or openpyxl (``.xlsx``/``.xlsm``). Both are
reduced to the same shape before comparing: sheet names in order, the non-empty cells of each
sheet as ``(kind, value)``, and (openpyxl only) the workbook-scope single-cell defined names.

Normalisations (what differs by design in the *shape* of the answer, not in what was read):

* empty: a cell holding the empty string is no cell (calamine cannot tell them apart);
* number: calamine returns integers as ``int``; every number is compared as a float, equal
  to within one part in 10^12;
* date: dates, times and durations all become a ``datetime`` (a time of day on 1899-12-30, as
  Excel counts), equal to within a millisecond;
* error: calamine reports an error cell as empty, so an error of ours matches no cell there;
* uncached: a formula of ours without a cached value matches no cell in the other reader
  (calamine) or a cell whose value is ``None`` (openpyxl ``data_only``).

Each disagreement is a :class:`Disagreement`; :mod:`tests.test_differential` decides which are
deliberate (documented in ``tests/corpus/DIFFERENCES.md``), which are known bugs, and fails on the rest.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from nps_xlsx.read.raw import RawWorkbook, ReadFailure
from nps_xlsx.read.safety import Limits

Value = str | float | bool | datetime | None
Cells = dict[tuple[int, int], tuple[str, Value]]  # (row, col) 0-based -> (kind, value)
EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass
class Book:
    """A workbook reduced to what both readers can say: sheet names, cells, and names (if known)."""

    sheets: list[str]
    cells: dict[str, Cells]
    names: dict[str, tuple[str, int, int]] | None = None  # None: this reader does not expose them
    charts: frozenset[str] = frozenset()  # sheets the reader knows to be chart sheets


@dataclass
class Refusal:
    """The reader refused the file: ``code`` (ours: an issue code; theirs: the exception type) and why."""

    code: str
    detail: str


@dataclass(frozen=True)
class Disagreement:
    """One difference: ``what`` is ``refused``, ``sheets``, ``cell`` or ``name``."""

    file: str
    reader: str
    what: str
    sheet: str = ""
    cell: str = ""
    ours: object = None
    theirs: object = None

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        place = f" › {where}" if where else ""
        return f"{self.file}{place} [{self.reader}, {self.what}]: ours {self.ours!r} vs theirs {self.theirs!r}"


# ---------------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------------


def read_ours(path: Path) -> Book | Refusal:
    """What our reader makes of ``path`` (every sheet loaded), or why it refused it."""
    from nps_xlsx.read.workbook import read_workbook

    try:
        raw, _findings = read_workbook(path, path.read_bytes(), Limits())
        return _from_raw(raw)
    except ReadFailure as failure:
        return Refusal(failure.code, failure.detail)
    except Exception as exc:  # what read_return would report as corrupt-file
        return Refusal("exception", f"{type(exc).__name__}: {exc}")


def _from_raw(raw: RawWorkbook) -> Book:
    cells: dict[str, Cells] = {}
    for sheet in raw.sheets:
        kept: Cells = {}
        for position, cell in sheet.cells.items():
            if cell.kind == "text" and cell.value == "":
                continue
            kept[position] = (cell.kind, cell.value)
        cells.setdefault(sheet.name, kept)
    return Book([s.name for s in raw.sheets], cells, dict(raw.names))


def _calamine_value(value: object) -> tuple[str, Value] | None:
    if isinstance(value, str):
        return ("text", value) if value else None
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, int | float):
        return "number", float(value)
    if isinstance(value, datetime):
        return "date", value
    if isinstance(value, date):
        return "date", datetime.combine(value, time())
    if isinstance(value, time):
        return "date", datetime.combine(EXCEL_EPOCH.date(), value)
    if isinstance(value, timedelta):
        return "date", EXCEL_EPOCH + value
    return "text", str(value)


def read_calamine(path: Path) -> Book | Refusal:
    """What python-calamine makes of ``path``."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = list(workbook.sheet_names)
        chart = python_calamine.SheetTypeEnum.ChartSheet
        charts = frozenset(s.name for s in workbook.sheets_metadata if s.typ == chart)
        cells: dict[str, Cells] = {}
        for name in sheets:
            kept: Cells = {}
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    normal = _calamine_value(value)
                    if normal is not None:
                        kept[(r, c)] = normal
            cells.setdefault(name, kept)
    except Exception as exc:
        return Refusal(type(exc).__name__, str(exc))
    return Book(sheets, cells, charts=charts)


_OPENPYXL_KINDS = {"s": "text", "n": "number", "b": "bool", "d": "date", "e": "error", "str": "text"}


def read_openpyxl(path: Path) -> Book | Refusal:
    """What openpyxl (cached values, ``data_only``) makes of an ``.xlsx``/``.xlsm`` file."""
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True, keep_vba=False)
        cells: dict[str, Cells] = {}
        for sheet in workbook.worksheets:
            kept: Cells = {}
            for (row, col), cell in sorted(sheet._cells.items()):  # the cells in the file, not a padded grid
                if cell.value is None or cell.value == "":
                    continue
                kind = _OPENPYXL_KINDS.get(cell.data_type, cell.data_type)
                value = cell.value
                if kind == "number":
                    if isinstance(value, datetime | date | time | timedelta):
                        kind, value = _calamine_value(value)  # a number shown as a date
                    else:
                        value = float(value)
                elif kind == "date":
                    kind, value = _calamine_value(value)
                kept[(row - 1, col - 1)] = (kind, value)
            cells.setdefault(sheet.title, kept)
        names = _openpyxl_names(workbook)
        sheets = list(workbook.sheetnames)
    except Exception as exc:
        return Refusal(type(exc).__name__, str(exc))
    return Book(sheets, cells, names)


def _openpyxl_names(workbook: object) -> dict[str, tuple[str, int, int]]:
    """Workbook-scope names that point at one cell (the only ones our reader keeps)."""
    from openpyxl.utils.cell import coordinate_to_tuple

    names: dict[str, tuple[str, int, int]] = {}
    for name, defined in workbook.defined_names.items():
        if name.startswith("_xlnm.") or defined.is_reserved:
            continue
        try:
            destinations = list(defined.destinations)
        except Exception:
            continue
        if len(destinations) != 1 or ":" in destinations[0][1]:
            continue
        sheet, ref = destinations[0]
        if sheet.startswith("["):  # a cell in another workbook
            continue
        try:
            row, col = coordinate_to_tuple(ref.replace("$", ""))
        except (ValueError, TypeError):
            continue
        names[name.lower()] = (sheet, row - 1, col - 1)
    return names


READERS: dict[str, Callable[[Path], Book | Refusal]] = {"calamine": read_calamine, "openpyxl": read_openpyxl}


def readers_for(path: Path) -> list[str]:
    """The second readers that can read ``path``'s format (judged by content, as ours does)."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as archive:
                if "mimetype" in archive.NameToInfo or "content.xml" in archive.NameToInfo:
                    return ["calamine"]
        except zipfile.BadZipFile:
            pass
        return ["calamine", "openpyxl"]
    return ["calamine"]


# ---------------------------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------------------------


def cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def same(ours: tuple[str, Value], theirs: tuple[str, Value]) -> bool:
    """Whether two normalised cells hold the same value of the same kind."""
    if ours[0] != theirs[0]:
        return False
    a, b = ours[1], theirs[1]
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, datetime) and isinstance(b, datetime):
        return abs(a - b) <= timedelta(milliseconds=1)
    return a == b


def compare(file: str, reader: str, ours: Book | Refusal, theirs: Book | Refusal) -> list[Disagreement]:
    """Every difference between our reading and ``reader``'s, in a stable order."""
    if isinstance(ours, Refusal) or isinstance(theirs, Refusal):
        return _compare_refusals(file, reader, ours, theirs)
    found: list[Disagreement] = []
    if ours.sheets != theirs.sheets:
        found.append(Disagreement(file, reader, "sheets", ours=ours.sheets, theirs=theirs.sheets))
    for name in ours.sheets:
        if name not in theirs.cells:
            continue
        found += _compare_cells(file, reader, name, ours.cells.get(name, {}), theirs.cells[name])
    if theirs.names is not None and ours.names is not None:
        for name in sorted(set(ours.names) | set(theirs.names)):
            mine, other = ours.names.get(name), theirs.names.get(name)
            if mine != other:
                found.append(Disagreement(file, reader, "name", cell=name, ours=mine, theirs=other))
    return found


def _summary(book: Book | Refusal) -> str:
    if isinstance(book, Refusal):
        return f"{book.code}: {book.detail}"
    return "read" if book.sheets else "read: no sheets"


def _compare_refusals(file: str, reader: str, ours: Book | Refusal, theirs: Book | Refusal) -> list[Disagreement]:
    """One reader refused the file. Both refusing agrees, unless only one of them says it is password-protected."""
    if isinstance(ours, Refusal) and isinstance(theirs, Refusal):
        theirs_encrypted = any(word in theirs.detail.lower() for word in ("password", "encrypt"))
        if theirs_encrypted == (ours.code == "encrypted"):
            return []
    return [Disagreement(file, reader, "refused", ours=_summary(ours), theirs=_summary(theirs))]


def _compare_cells(file: str, reader: str, sheet: str, ours: Cells, theirs: Cells) -> list[Disagreement]:
    found = []
    for position in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(position), theirs.get(position)
        if mine is not None and other is not None and same(mine, other):
            continue
        if mine is not None and other is None and _absent_there(mine, reader):
            continue
        if mine is not None and mine[0] == "uncached" and other is not None and other[1] is None:
            continue
        found.append(Disagreement(file, reader, "cell", sheet, cell_name(*position), mine, other))
    return found


def _absent_there(mine: tuple[str, Value], reader: str) -> bool:
    """A cell of ours the other reader shows as empty by design: an uncached formula, or (calamine) an error."""
    return mine[0] == "uncached" or (reader == "calamine" and mine[0] == "error")
