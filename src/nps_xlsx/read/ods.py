"""Read OpenDocument spreadsheets (``.ods``) into a :class:`RawWorkbook` with a streaming expat parser.

An ``.ods`` compresses identical neighbours into one element: ``number-columns-repeated`` and
``number-rows-repeated`` say how many copies it stands for, so a few bytes can mean billions
of cells. Copies are therefore bounded by the layout, never expanded blindly:

* the element itself (the first copy) is always kept, wherever it is, like any cell;
* further copies are kept only inside the answer area, rows below :data:`ANSWER_ROWS` and
  columns below :data:`ANSWER_COLUMNS` (every input of the template, with room for inserted
  rows and columns, lies far inside it); copies outside it cannot hold an answer and are
  skipped, costing nothing;
* every kept cell is counted, against the per-sheet cap and the workbook's :class:`Budget`,
  before it is stored, so the count is checked by arithmetic and a file over the caps is
  refused before anything is built.

Text is bounded too: ``<text:s text:c="n"/>`` (n spaces) is expanded only until the cell is
longer than a cell can hold (it is then reported as too long anyway), and the spaces made are
charged to the budget as expanded bytes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..a1 import parse_a1
from ..text import EXCEL_CELL_LIMIT
from .raw import EPOCH_1900, RawCell, RawSheet, RawWorkbook, ReadFailure, from_serial
from .safety import Budget, Limits, Package, parse_xml

ANSWER_ROWS = 1_000  # copies of a repeated cell are kept above this row (0-based) ...
ANSWER_COLUMNS = 64  # ... and left of this column (BM); the template's inputs are in the first ten
MAX_TAGS_PER_CELL = 2  # content.xml may hold this many tags per cell of the workbook cap: 600,000 by default
MANIFEST = "META-INF/manifest.xml"
TEXT_LIMIT = EXCEL_CELL_LIMIT + 1  # spaces are expanded until a cell's text is this long: too long for a cell

_DIGITS = re.compile(r"[0-9]+")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # xsd:double, finite
_DATE = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
# One cell of an ODS address (OpenFormula's grammar): an optional sheet name, quoted ('' is a quote inside quotes)
# or bare (no space, ".", "$", "#", "'", brackets or separators), then "." and the cell.
_ODS_CELL = re.compile(r"\$?(?:'((?:[^']|'')*)'|([^\s.$#'\[\]:;,()]+))?\.(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})")
_DURATION = re.compile(r"(-)?P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:[.,][0-9]+)?)S)?)?")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _count(attrs: dict[str, str], name: str) -> int:
    """A repeat count: a positive integer, 1 if absent or not a number (at most 10**12: any more is as big)."""
    text = attrs.get(name)
    if text is None:
        return 1
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return 1
    return max(int(text), 1) if len(text) <= 12 else 10**12


class _ContentParser:
    """Builds sheets and workbook-level named ranges from ``content.xml``."""

    def __init__(self, limits: Limits, budget: Budget) -> None:
        self.limits, self.budget = limits, budget
        self.sheets: list[RawSheet] = []
        self.sheet_cells = 0  # cells kept on the current sheet
        self.names: dict[str, tuple[str, int, int]] = {}
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.row = 0
        self.col = 0
        self.row_repeat = 1
        self.row_runs: list[tuple[int, int, RawCell]] = []  # (first column, copies kept, cell) in this row
        self.row_kept = 0  # cells kept in this row, copies included
        self.cell: dict[str, str] | None = None
        self.col_repeat = 1
        self.paragraphs: list[str] = []
        self.has_paragraph = False
        self.parts: list[str] = []
        self.text_len = 0
        self.in_text = 0
        self.skip = 0  # depth inside annotations, whose text is not the cell's value
        self.table_depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        tag = tag[tag.find(":") + 1 :]
        if self.skip:
            self.skip += 1
        elif tag == "table-cell" or tag == "covered-table-cell":
            self.cell = attrs
            self.col_repeat = _count(attrs, "table:number-columns-repeated")
            self.paragraphs = []
            self.has_paragraph = False
            self.text_len = 0
        elif tag == "p" and self.cell is not None:
            self.in_text += 1
            self.has_paragraph = True
            self.parts = []
        elif self.in_text and tag == "s":
            self._add_text(" ", _count(attrs, "text:c"))
        elif self.in_text and tag == "tab":
            self._add_text("\t")
        elif self.in_text and tag == "line-break":
            self._add_text("\n")
        elif tag == "annotation":
            self.skip = 1
        elif tag == "table-row":
            self.row_repeat = _count(attrs, "table:number-rows-repeated")
            self.col = 0
            self.row_runs = []
            self.row_kept = 0
        elif tag == "table":
            self.table_depth += 1
            name = attrs.get("table:name", "")
            state = "hidden" if attrs.get("table:style-name") in self.hidden_styles else "visible"
            self.sheets.append(RawSheet(name=name, state=state))
            self.sheet_cells = 0
            self.row = 0
        elif tag == "named-range" and self.table_depth == 0:
            target = parse_ods_range(attrs.get("table:cell-range-address", ""))
            if target:
                self.names[attrs.get("table:name", "").lower()] = target
        elif tag == "style":
            self.style = attrs.get("style:name")
        elif tag == "table-properties" and self.style and attrs.get("table:display") == "false":
            self.hidden_styles.add(self.style)

    def end(self, tag: str) -> None:
        tag = tag[tag.find(":") + 1 :]
        if self.skip:
            self.skip -= 1
        elif tag == "p" and self.in_text:
            self.in_text -= 1
            self.paragraphs.append("".join(self.parts))
        elif tag == "table-cell" or tag == "covered-table-cell":
            self._end_cell()
        elif tag == "table-row":
            self._end_row()
        elif tag == "table":
            self.table_depth -= 1

    def chars(self, data: str) -> None:
        if self.in_text and not self.skip:
            self.parts.append(data)
            self.text_len += len(data)

    def _add_text(self, char: str, n: int = 1) -> None:
        """``n`` copies of ``char``, but only as many as bring the cell's text to :data:`TEXT_LIMIT`."""
        n = min(n, max(TEXT_LIMIT - self.text_len, 0))
        if n:
            self.budget.charge_bytes(n, "content.xml")
            self.parts.append(char * n)
            self.text_len += n

    def _end_cell(self) -> None:
        attrs = self.cell or {}
        cell = self._value(attrs) if attrs or self.paragraphs else None  # most cells are empty: no attributes
        if cell is not None:
            kept = max(min(self.col + self.col_repeat, ANSWER_COLUMNS) - self.col, 1)
            self.row_runs.append((self.col, kept, cell))
            self.row_kept += kept
            self._check(self.row_kept)
        self.col += self.col_repeat
        self.cell = None

    def _end_row(self) -> None:
        if self.row_runs and self.sheets:
            copies = max(min(self.row + self.row_repeat, ANSWER_ROWS) - self.row, 1)
            total = self.row_kept * copies
            self._check(total)
            self.budget.charge_cells(total)
            self.sheet_cells += total
            cells = self.sheets[-1].cells
            for row in range(self.row, self.row + copies):
                for first, kept, cell in self.row_runs:
                    for col in range(first, first + kept):
                        cells[(row, col)] = cell
        self.row += self.row_repeat

    def _check(self, more: int) -> None:
        """Refuse before storing if ``more`` cells would take the sheet or the workbook over its cap."""
        if self.sheet_cells + more > self.limits.max_cells_per_sheet:
            raise ReadFailure("too-many-cells", f"a sheet has more than {self.limits.max_cells_per_sheet:,} cells")
        if self.budget.cells + more > self.limits.max_cells_per_workbook:
            self.budget.charge_cells(more)  # raises, with the budget's own message

    def _value(self, attrs: dict[str, str]) -> RawCell | None:
        formula = "table:formula" in attrs
        kind = attrs.get("office:value-type")
        text = "\n".join(self.paragraphs)
        if attrs.get("calcext:value-type") == "error":
            return RawCell(text or "#VALUE!", "error", formula)
        if kind is None:
            if formula and not text and not self.has_paragraph and "calcext:value-type" not in attrs:
                return RawCell(None, "uncached", True)
            # LibreOffice writes a formula whose result is "" with no value type, only an empty paragraph
            return RawCell(text, "text", formula) if text or formula else None
        if kind in ("float", "percentage", "currency"):
            value = attrs.get("office:value", "").strip()
            if _DOUBLE.fullmatch(value):
                return RawCell(float(value), "number", formula)
            return RawCell(text, "text", formula)
        if kind in ("date", "time"):
            value = attrs.get("office:date-value" if kind == "date" else "office:time-value", "").strip()
            moment = parse_ods_date(value) if kind == "date" else parse_ods_time(value)
            return RawCell(moment, "date", formula) if moment else RawCell(text, "text", formula)
        if kind == "boolean":
            return RawCell(attrs.get("office:boolean-value") == "true", "bool", formula)
        if kind == "string" and "office:string-value" in attrs:
            return RawCell(attrs["office:string-value"], "text", formula)
        return RawCell(text, "text", formula)


def parse_ods_date(text: str) -> datetime | None:
    """``2026-01-15`` or ``2026-01-15T12:30:15[.5][Z|+01:00]`` -> a naive datetime; ``None`` if not a date."""
    match = _DATE.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError:
        return None


def parse_ods_time(text: str) -> datetime | None:
    """``PT12H30M00S`` -> 1899-12-30 12:30: the datetime the xlsx reader gives for an Excel serial of that many
    days (:func:`~nps_xlsx.read.raw.from_serial`), so a time of day, or a longer duration, reads the same in both."""
    match = _DURATION.fullmatch(text)
    if not match or text in ("P", "PT", "-P", "-PT") or text.endswith("T"):
        return None
    sign, days, hours, minutes, seconds = match.groups()
    try:
        span = timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=float((seconds or "0").replace(",", ".")),
        )
        serial = span / timedelta(days=1)
        return from_serial(-serial if sign else serial, EPOCH_1900)
    except (ValueError, OverflowError):  # more digits than int() reads, or beyond the datetime range
        return None


def _split_range(text: str) -> list[str]:
    """An ODS range address split at its ``:``, ignoring any ``:`` inside a quoted sheet name."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted  # a doubled '' inside a name toggles twice: no change
        if char == ":" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _parse_ods_cell(text: str, sheet: str | None) -> tuple[str, int, int] | None:
    """``$'My sheet'.$I$4`` or ``Sheet1.I4`` (or ``.I4`` on ``sheet``) -> ``(sheet, row, col)``.

    Anything else, a list of cells or a cell of another file (``'file:///x.ods'#$Sheet1.A1``) say, is ``None``.
    """
    match = _ODS_CELL.fullmatch(text.strip())
    if match is None:
        return None
    quoted, bare, ref = match.groups()
    name = bare if quoted is None else quoted.replace("''", "'")
    name = name or sheet or ""
    position = parse_a1(ref)
    return (name, position[0], position[1]) if name and position else None


def parse_ods_range(text: str) -> tuple[str, int, int] | None:
    """The one cell an ODS named range refers to: ``$'My sheet'.$I$4`` -> ``("My sheet", 3, 8)``.

    A range of more than one cell (``$Sheet1.$A$1:.$B$3``) is not a cell: ``None``. A range whose
    ends are the same cell is that cell.
    """
    parts = _split_range(text.strip())
    if len(parts) > 2:
        return None
    first = _parse_ods_cell(parts[0], None)
    if first is None or len(parts) == 1:
        return first
    return first if _parse_ods_cell(parts[1], first[0]) == first else None


def _is_encrypted(package: Package) -> bool:
    """Whether the manifest says a part is encrypted (the file has a password)."""
    if MANIFEST not in package:
        return False
    found: list[bool] = []

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if _local(tag) == "encryption-data":
            found.append(True)

    parse_xml(package.read(MANIFEST), MANIFEST, start)
    return bool(found)


def _check_size(data: bytes, limits: Limits) -> None:
    """Refuse, before parsing, a content.xml with more markup than any workbook within the cell limits needs.

    A cell is one element or more, and parsing costs time per element, kept or not (empty
    cells with distinct styles keep nothing). Counting ``<`` runs in C; a return has a few
    thousand, a workbook at the cell limit at most about four per cell.
    """
    tags, most = data.count(b"<"), MAX_TAGS_PER_CELL * limits.max_cells_per_workbook
    if tags > most:
        raise ReadFailure(
            "too-many-cells",
            f"content.xml has {tags:,} XML tags, more than a workbook of {limits.max_cells_per_workbook:,} cells "
            f"can need ({most:,})",
        )


def read_ods(package: Package) -> RawWorkbook:
    """Read an OpenDocument spreadsheet from an already-checked package: every part is read through the
    package, so it is inflated once and charged to the file's budget, like every other part of the file."""
    limits, budget = package.limits, package.budget
    if _is_encrypted(package):
        raise ReadFailure("encrypted", "the workbook is password-protected (encrypted)")
    if "content.xml" not in package:
        raise ReadFailure("corrupt-file", "content.xml is missing")
    data = package.read("content.xml")
    _check_size(data, limits)
    content = _ContentParser(limits, budget)
    parse_xml(data, "content.xml", content.start, content.end, content.chars)
    return RawWorkbook(
        format="ods",
        sheets=content.sheets,
        names=content.names,
        properties=_user_properties(package),
        has_macros=any(key.startswith(("basic/", "scripts/")) for key in package.members),
    )


def _user_properties(package: Package) -> dict[str, str]:
    if "meta.xml" not in package:
        return {}
    properties: dict[str, str] = {}
    current: list[str] = []
    parts: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "user-defined":
            current.append(attrs.get("meta:name", ""))
            parts.clear()

    def end(tag: str) -> None:
        if _local(tag) == "user-defined" and current:
            properties[current.pop()] = "".join(parts).strip()

    def chars(data: str) -> None:
        if current:
            parts.append(data)

    parse_xml(package.read("meta.xml"), "meta.xml", start, end, chars)
    return properties
