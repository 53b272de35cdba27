"""Read ``.xlsx``/``.xlsm`` workbooks into a :class:`RawWorkbook` with a streaming expat parser.

Hand-written rather than openpyxl because a return must be read in about a
millisecond (openpyxl takes tens), and because we need what readers hide: whether
a cell holds a formula with no cached value, and the defined names. Only what the
validator needs is kept; the ``<dimension>`` record is never trusted.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from datetime import datetime

from ..a1 import parse_a1, parse_name_target
from .raw import (
    EPOCH_1900,
    EPOCH_1904,
    TIME_OF_DAY,
    RawCell,
    RawSheet,
    RawWorkbook,
    ReadFailure,
    from_serial,
    parse_double,
)
from .safety import Budget, Limits, Package, parse_xml, part_key
from .xlsx_scan import scan_cells, scan_shared_strings, shared_cells
from .xlsx_scan import unescape as _unescape

BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
# What a cell reads as when it names a shared string that does not exist: the value is lost, as in a broken reference.
MISSING_STRING = "#REF!"
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_XML_SPACE = " \t\r\n"
# t="d" cells: ISO 8601 as spreadsheets write it (openpyxl's from_ISO8601, plus fractions and zones, which
# are ignored: the wall-clock time as written is kept). ASCII digits only.
_ISO_TIME = r"([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?"
_ISO_ZONE = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_ISO_DATE_TIME = re.compile(rf"([0-9]{{4}})-([0-9]{{2}})-([0-9]{{2}})(?:[T ]{_ISO_TIME})?{_ISO_ZONE}")
_ISO_TIME_ONLY = re.compile(rf"T?{_ISO_TIME}{_ISO_ZONE}")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _small_int(text: str | None) -> int | None:
    """``text`` as a non-negative int of at most 9 ASCII digits (an index, a style, a row), else ``None``."""
    return int(text) if text and len(text) <= 9 and text.isascii() and text.isdigit() else None


def _attr(attrs: dict[str, str], local: str) -> str | None:
    """An attribute by local name, whatever its prefix (``r:id``, ``ns1:id``)."""
    for key, value in attrs.items():
        if key == local or key.endswith(":" + local):
            return value
    return None


# Returns made from one template share their styles and workbook parts byte for byte,
# so what is read from those parts is kept (by content) for the next file. Failures are not kept.
_same_part = functools.lru_cache(maxsize=16)


class _Collector:
    """Collects character data while ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.parts: list[str] = []

    def chars(self, data: str) -> None:
        if self.on:
            self.parts.append(data)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _shared_strings(data: bytes, member: str) -> list[str]:
    """The shared-string table: read fast when it is in the plain form (see :mod:`.xlsx_scan`)."""
    strings = scan_shared_strings(data, lambda item: _parse_shared_strings(b"<sst>" + item + b"</sst>", member), member)
    return strings if strings is not None else _parse_shared_strings(data, member)


def _parse_shared_strings(data: bytes, member: str) -> list[str]:
    """The shared-string table, element by element (any form of the XML)."""
    strings: list[str] = []
    parts: list[str] = []
    on = False
    phonetic = 0  # depth inside <rPh> (phonetic guide) runs, whose text is not part of the value

    def start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal on, phonetic
        if tag == "t" or tag.endswith(":t"):
            on = not phonetic
        elif tag == "rPh" or tag.endswith(":rPh"):
            phonetic += 1

    def end(tag: str) -> None:
        nonlocal on, phonetic
        if tag == "t" or tag.endswith(":t"):
            on = False
        elif tag == "si" or tag.endswith(":si"):
            strings.append(_unescape("".join(parts)))  # the one decoding, as on the fast path
            parts.clear()
        elif tag == "rPh" or tag.endswith(":rPh"):
            phonetic -= 1

    def chars(text: str) -> None:
        if on:
            parts.append(text)

    parse_xml(data, member, start, end, chars)
    return strings


def _is_date_format(code: str) -> bool:
    stripped = _FORMAT_NOISE.sub("", code).lower()
    return stripped != "general" and any(ch in stripped for ch in "dmyhs")


@_same_part
def _date_styles(data: bytes, member: str) -> frozenset[int]:
    """Indices of the cell formats (``cellXfs``) that show numbers as dates or times."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = False

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal in_xfs
        tag = _local(tag)
        if tag == "numFmt":
            custom[_small_int(attrs.get("numFmtId")) or 0] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            in_xfs = True
        elif tag == "xf" and in_xfs:
            formats.append(_small_int(attrs.get("numFmtId")) or 0)

    def end(tag: str) -> None:
        nonlocal in_xfs
        if _local(tag) == "cellXfs":
            in_xfs = False

    parse_xml(data, member, start, end)
    return frozenset(
        index
        for index, fmt in enumerate(formats)
        if fmt in BUILTIN_DATE_FORMATS or (fmt in custom and _is_date_format(custom[fmt]))
    )


class _SheetDataEnd(Exception):
    """Raised to stop parsing a worksheet once its cells have been read."""


def _iso_value(text: str) -> datetime | None:
    """A ``t="d"`` cell's ISO 8601 date, date-time or time, or ``None`` if it is not one."""
    text = text.strip(_XML_SPACE)
    try:
        if match := _ISO_DATE_TIME.fullmatch(text):
            year, month, day, hour, minute, second, fraction = match.groups()
            return datetime(int(year), int(month), int(day), *_clock(hour, minute, second, fraction))
        if match := _ISO_TIME_ONLY.fullmatch(text):
            return datetime(TIME_OF_DAY.year, TIME_OF_DAY.month, TIME_OF_DAY.day, *_clock(*match.groups()))
    except ValueError:  # out of range: month 13, 30 February, 24:00
        pass
    return None


def _clock(hour: str | None, minute: str | None, second: str | None, fraction: str | None) -> tuple[int, int, int, int]:
    micro = int((fraction + "00000")[:6]) if fraction else 0
    return int(hour or 0), int(minute or 0), int(second or 0), micro


class _CellMaker:
    """Turns one cell's parts (type, style, formula or not, cached value, inline text) into a :class:`RawCell`.

    Total: whatever the parts hold, the result is a cell (or ``None`` for an empty one), never an exception,
    so one odd cell becomes an issue at that cell. Numbers follow ``xsd:double`` only; anything else in a
    numeric cell is read as its text.
    """

    def __init__(self, strings: list[str], date_styles: frozenset[int], epoch: datetime) -> None:
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch

    @functools.cached_property
    def shared_cells(self) -> dict[bytes, RawCell]:
        """The text cells of the shared strings, made once per workbook, for the fast path."""
        return shared_cells(self.strings)

    def __call__(
        self, kind: str, style: int, formula: bool, value: str | None, inline: str | None = None
    ) -> RawCell | None:
        if kind == "inlineStr":
            return RawCell(_unescape(inline or ""), "text", formula)
        if value is None or (formula and not value and kind == "n"):
            # no cached value (openpyxl writes an empty <v/>); t="str" with "" is a real cached empty string
            return RawCell(None, "uncached", True) if formula else None
        if kind == "s":
            return self._shared(value, formula)
        if kind == "str":
            return RawCell(_unescape(value), "text", formula)
        if kind == "b":
            return RawCell(value.strip() == "1", "bool", formula)
        if kind == "e":
            return RawCell(value, "error", formula)
        if kind == "d":
            when = _iso_value(value)
            return RawCell(value, "text", formula) if when is None else RawCell(when, "date", formula)
        number = parse_double(value)
        if number is None:
            return RawCell(value, "text", formula)
        if style in self.date_styles and math.isfinite(number):
            try:
                return RawCell(from_serial(number, self.epoch), "date", formula)
            except (OverflowError, ValueError):
                pass  # beyond the dates Python can hold: kept as the number
        return RawCell(number, "number", formula)

    def _shared(self, value: str, formula: bool) -> RawCell | None:
        """A ``t="s"`` cell: an empty value (``<v/>``) is an empty cell, as other readers read it."""
        index = value.strip(_XML_SPACE)
        if not index:
            return RawCell(None, "uncached", True) if formula else None
        number = _small_int(index)
        if number is None or number >= len(self.strings):
            return RawCell(MISSING_STRING, "error", formula)
        return RawCell(self.strings[number], "text", formula)


class _SheetParser:
    """Turns one worksheet's XML into sparse cells, element by element (any form of the XML)."""

    def __init__(self, make_cell: _CellMaker, max_cells: int) -> None:
        self.make_cell, self.max_cells = make_cell, max_cells
        self.cells: dict[tuple[int, int], RawCell] = {}
        self.text = _Collector()
        self.row = -1
        self.col = -1
        self.type = "n"
        self.style = 0
        self.has_formula = False
        self.value: str | None = None
        self.inline: str | None = None
        self.phonetic = 0  # depth inside <rPh> runs

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            ref = attrs.get("r")
            position = parse_a1(ref) if ref else None
            if position:
                self.row, self.col = position
            else:
                self.col += 1
            self.type = attrs.get("t", "n")
            self.style = _small_int(attrs.get("s")) or 0  # not a number: it cannot name a date format
            self.has_formula = False
            self.value = self.inline = None
        elif tag == "v" or (tag == "t" and self.inline is not None and not self.phonetic):
            self.text.on = True
        elif tag == "is":
            self.inline = ""
        elif tag == "rPh":
            self.phonetic += 1  # a phonetic guide: not part of the value, as in the shared strings
        elif tag == "f":
            self.has_formula = True
        elif tag == "row":
            number = _small_int(attrs.get("r"))
            self.row = number - 1 if number is not None else self.row + 1
            self.col = -1

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "v":
            self.text.on = False
            self.value = self.text.take()
        elif tag == "t" and self.inline is not None:
            self.text.on = False
            self.inline += self.text.take()
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c":
            cell = self.make_cell(self.type, self.style, self.has_formula, self.value, self.inline)
            if cell is not None:
                self.cells[(self.row, self.col)] = cell
                if len(self.cells) > self.max_cells:
                    raise ReadFailure("too-many-cells", f"a sheet has more than {self.max_cells:,} cells")
        elif tag == "sheetData":
            raise _SheetDataEnd  # the rest (formatting, validations) is not needed


def _parse_sheet(data: bytes, member: str, make_cell: _CellMaker, limits: Limits) -> dict[tuple[int, int], RawCell]:
    """A worksheet's cells. Only the XML up to ``</sheetData>`` is read: the rest is formatting."""
    cells = scan_cells(data, make_cell, limits.max_cells_per_sheet, member)
    if cells is not None:
        return cells
    sheet_parser = _SheetParser(make_cell, limits.max_cells_per_sheet)
    with contextlib.suppress(_SheetDataEnd):
        parse_xml(data, member, sheet_parser.start, sheet_parser.end, sheet_parser.text.chars)
    return sheet_parser.cells


@_same_part
def _workbook(
    data: bytes, member: str
) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, tuple[str, int, int]], ...], datetime]:
    """The workbook part: its sheets (name, state, rId), its workbook-scope cell names
    (lower-case name, target) and its date epoch."""
    sheets: list[tuple[str, str, str]] = []
    defined: list[tuple[str, str, str | None]] = []  # name, text, localSheetId
    epoch = [EPOCH_1900]
    text = _Collector()
    current: dict[str, str | None] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "sheet":
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), _attr(attrs, "id") or ""))
        elif tag == "definedName":
            current.update(name=attrs.get("name", ""), local=attrs.get("localSheetId"))
            text.on = True
        elif tag == "workbookPr" and attrs.get("date1904", "0").lower() in ("1", "true"):
            epoch[0] = EPOCH_1904

    def end(tag: str) -> None:
        if _local(tag) == "definedName":
            text.on = False
            defined.append((current["name"] or "", text.take(), current["local"]))

    parse_xml(data, member, start, end, text.chars)
    names = {}
    for name, target_text, local in defined:
        target = parse_name_target(target_text)
        if target and local is None and not name.startswith("_xlnm."):
            names[name.lower()] = target
    return tuple(sheets), tuple(names.items()), epoch[0]


def read_xlsx(package: Package) -> RawWorkbook:
    """Read an OOXML workbook from an already-checked package, following its relationships.

    A part that a relationship names but the zip lacks is a ``corrupt-file`` failure: reading
    the sheet as empty would turn its answers into "not answered" without a word.
    """
    workbook_part = package.main_part() or "xl/workbook.xml"
    if workbook_part not in package:
        raise ReadFailure("corrupt-file", f"the workbook part {workbook_part} is missing")
    data = package.read(workbook_part)
    _check_names(data, package.limits)
    sheets, names, epoch = _workbook(data, workbook_part)

    rels = package.relationships(workbook_part)
    by_kind = {kind: path for kind, path in rels.values()}
    strings: list[str] = []
    if member := _related(package, by_kind, "sharedStrings", "the shared-string table"):
        data = package.read(member)
        _check_strings(data, package.limits)
        strings = _shared_strings(data, member)
    date_styles: frozenset[int] = frozenset()
    if member := _related(package, by_kind, "styles", "the styles part"):
        date_styles = _date_styles(package.read(member), member)

    make_cell = _CellMaker(strings, date_styles, epoch)
    parsed: dict[str, dict[tuple[int, int], RawCell]] = {}  # by part: sheets that share a part share its cells
    raw_sheets = []
    for name, state, rel_id in sheets:
        kind, member = _sheet_part(package, rels, name, rel_id)
        if kind == "worksheet":
            # decompressed now (so a damaged member fails here), parsed when first used
            data = package.read(member)
            loader = functools.partial(_load_sheet, parsed, data, member, make_cell, package.limits, package.budget)
            raw_sheets.append(RawSheet(name, state, loader=loader))
        else:  # a chart sheet, dialog sheet or macro sheet holds no cells to read
            raw_sheets.append(RawSheet(name, state))

    return RawWorkbook(
        format="xlsx",
        sheets=raw_sheets,
        names=dict(names),
        properties=custom_properties(package),
        has_macros=any(key.endswith("vbaproject.bin") for key in package.members),
    )


_STRING_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_DEFINED_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?definedName[\s/>]")


def _count(pattern: re.Pattern[bytes], data: bytes) -> int:
    return sum(1 for _match in pattern.finditer(data))


def _check_names(data: bytes, limits: Limits) -> None:
    """Refuse, before parsing, a workbook part with more defined names than ``limits`` allow.

    Counted by a regular expression, in C: parsing a million names element by element takes seconds.
    A name's element takes at least 14 bytes (``<definedName/>``), so a small part is not counted at all.
    """
    if len(data) > 14 * limits.max_defined_names and _count(_DEFINED_NAME, data) > limits.max_defined_names:
        raise ReadFailure(
            "too-many-names",
            f"the workbook defines more than {limits.max_defined_names:,} names (the diagnostic needs about 125)",
        )


def _check_strings(data: bytes, limits: Limits) -> None:
    """Refuse, before parsing, a shared-string table with more strings than the workbook may have cells.

    An item takes at least 5 bytes (``<si/>``), so a small table is not counted at all.
    """
    if len(data) <= 5 * limits.max_cells_per_workbook:
        return
    count = _count(_STRING_ITEM, data)
    if count > limits.max_cells_per_workbook:
        raise ReadFailure(
            "too-many-cells",
            f"the workbook has more than {limits.max_cells_per_workbook:,} cells "
            f"(its shared-string table alone holds {count:,} different texts)",
        )


def _related(package: Package, by_kind: dict[str, str], kind: str, what: str) -> str | None:
    """The workbook's part of relationship type ``kind``, if it has one; named but missing is corrupt."""
    member = by_kind.get(kind)
    if member is not None and member not in package:
        raise ReadFailure("corrupt-file", f"{what} {member} is missing from the file")
    return member


def _sheet_part(package: Package, rels: dict[str, tuple[str, str]], sheet: str, rel_id: str) -> tuple[str, str]:
    """``(relationship type, part name)`` of the sheet called ``sheet``; unresolvable or missing is corrupt."""
    if rel_id not in rels:
        raise ReadFailure(
            "corrupt-file",
            f"the sheet '{sheet}' cannot be found in the file: the workbook refers to it as "
            f"{rel_id or 'nothing'}, which none of its relationships defines",
        )
    kind, member = rels[rel_id]
    if member not in package:
        raise ReadFailure("corrupt-file", f"the sheet '{sheet}' is missing from the file (its part {member} is absent)")
    return kind, member


def _load_sheet(
    parsed: dict[str, dict[tuple[int, int], RawCell]],
    data: bytes,
    member: str,
    make_cell: _CellMaker,
    limits: Limits,
    budget: Budget,
) -> dict[tuple[int, int], RawCell]:
    """A sheet's cells, parsed once per part and charged to the workbook's cell budget once per sheet."""
    key = part_key(member)
    cells = parsed.get(key)
    if cells is None:
        cells = parsed[key] = _parse_sheet(data, member, make_cell, limits)
    budget.charge_cells(len(cells))
    return cells


def custom_properties(package: Package) -> dict[str, str]:
    """Custom document properties, found through the package's relationships (or at the usual path)."""
    member = next(
        (target for kind, target in package.relationships("").values() if kind == "custom-properties"),
        "docProps/custom.xml",
    )
    if member not in package:
        return {}
    properties: dict[str, str] = {}
    text = _Collector()
    current = [""]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "property":
            current[0] = attrs.get("name", "")
        elif current[0]:
            text.on = True

    def end(tag: str) -> None:
        if _local(tag) == "property":
            properties[current[0]] = text.take().strip()
            current[0] = ""
            text.on = False

    parse_xml(package.read(member), member, start, end, text.chars)
    return properties
