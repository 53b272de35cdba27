"""Read OpenDocument spreadsheets (``.ods``) into a :class:`RawWorkbook` with a streaming expat parser.

Repeated rows and cells (``number-rows-repeated``, ``number-columns-repeated``) are
never expanded when empty, and expanding non-empty ones counts against the cell limit,
so a tiny file cannot make us build a huge grid.
"""

from __future__ import annotations

import zipfile
from datetime import datetime

from .raw import RawCell, RawSheet, RawWorkbook, ReadFailure, parse_name_target
from .safety import Limits, parse_xml, read_member


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _ContentParser:
    """Builds sheets and workbook-level named ranges from ``content.xml``."""

    def __init__(self, max_cells: int) -> None:
        self.max_cells = max_cells
        self.sheets: list[RawSheet] = []
        self.names: dict[str, tuple[str, int, int]] = {}
        self.hidden_styles: set[str] = set()
        self.table_styles: dict[str, str] = {}
        self.style: str | None = None
        self.row = 0
        self.col = 0
        self.row_repeat = 1
        self.row_cells: list[tuple[int, int, RawCell]] = []
        self.cell: dict[str, str] | None = None
        self.col_repeat = 1
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.in_text = 0
        self.skip = 0  # depth inside annotations, whose text is not the cell's value
        self.table_depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if self.skip:
            self.skip += 1
        elif tag in ("table-cell", "covered-table-cell"):
            self.cell = attrs
            self.col_repeat = int(attrs.get("table:number-columns-repeated", "1") or 1)
            self.paragraphs = []
        elif tag == "p" and self.cell is not None:
            self.in_text += 1
            self.parts = []
        elif self.in_text and tag == "s":
            self.parts.append(" " * int(attrs.get("text:c", "1") or 1))
        elif self.in_text and tag == "tab":
            self.parts.append("\t")
        elif self.in_text and tag == "line-break":
            self.parts.append("\n")
        elif tag == "annotation":
            self.skip = 1
        elif tag == "table-row":
            self.row_repeat = int(attrs.get("table:number-rows-repeated", "1") or 1)
            self.col = 0
            self.row_cells = []
        elif tag == "table":
            self.table_depth += 1
            name = attrs.get("table:name", "")
            state = "hidden" if attrs.get("table:style-name") in self.hidden_styles else "visible"
            self.sheets.append(RawSheet(name=name, state=state))
            self.row = 0
        elif tag == "named-range" and self.table_depth == 0:
            target = parse_name_target(attrs.get("table:cell-range-address", ""))
            if target:
                self.names[attrs.get("table:name", "").lower()] = target
        elif tag == "style":
            self.style = attrs.get("style:name")
        elif tag == "table-properties" and self.style and attrs.get("table:display") == "false":
            self.hidden_styles.add(self.style)

    def end(self, tag: str) -> None:
        tag = _local(tag)
        if self.skip:
            self.skip -= 1
        elif tag == "p" and self.in_text:
            self.in_text -= 1
            self.paragraphs.append("".join(self.parts))
        elif tag in ("table-cell", "covered-table-cell"):
            self._end_cell()
        elif tag == "table-row":
            self._end_row()
        elif tag == "table":
            self.table_depth -= 1

    def chars(self, data: str) -> None:
        if self.in_text and not self.skip:
            self.parts.append(data)

    def _end_cell(self) -> None:
        cell = self._value(self.cell or {})
        if cell is not None:
            for offset in range(self.col_repeat):
                self.row_cells.append((self.col + offset, 0, cell))
                if len(self.row_cells) > self.max_cells:
                    raise ReadFailure("too-many-cells", f"a sheet has more than {self.max_cells:,} cells")
        self.col += self.col_repeat
        self.cell = None

    def _end_row(self) -> None:
        if self.row_cells and self.sheets:
            cells = self.sheets[-1].cells
            if len(cells) + len(self.row_cells) * self.row_repeat > self.max_cells:
                raise ReadFailure("too-many-cells", f"a sheet has more than {self.max_cells:,} cells")
            for offset in range(self.row_repeat):
                for col, _unused, cell in self.row_cells:
                    cells[(self.row + offset, col)] = cell
        self.row += self.row_repeat

    def _value(self, attrs: dict[str, str]) -> RawCell | None:
        formula = "table:formula" in attrs
        kind = attrs.get("office:value-type")
        text = "\n".join(self.paragraphs)
        if attrs.get("calcext:value-type") == "error":
            return RawCell(text or "#VALUE!", "error", formula)
        if kind is None:
            if formula:
                return RawCell(None, "uncached", True)
            return RawCell(text, "text") if text else None
        if kind in ("float", "percentage", "currency"):
            try:
                return RawCell(float(attrs.get("office:value", "")), "number", formula)
            except ValueError:
                return RawCell(text, "text", formula)
        if kind == "date":
            try:
                return RawCell(datetime.fromisoformat(attrs.get("office:date-value", "")), "date", formula)
            except ValueError:
                return RawCell(text, "text", formula)
        if kind == "boolean":
            return RawCell(attrs.get("office:boolean-value") == "true", "bool", formula)
        if kind == "string" and "office:string-value" in attrs:
            return RawCell(attrs["office:string-value"], "text", formula)
        return RawCell(text, "text", formula)


def read_ods(archive: zipfile.ZipFile, limits: Limits) -> RawWorkbook:
    """Read an OpenDocument spreadsheet from an already-checked zip archive."""
    if "content.xml" not in archive.NameToInfo:
        raise ReadFailure("corrupt-file", "content.xml is missing")
    content = _ContentParser(limits.max_cells_per_sheet)
    parse_xml(read_member(archive, "content.xml", limits), "content.xml", content.start, content.end, content.chars)
    return RawWorkbook(
        format="ods",
        sheets=content.sheets,
        names=content.names,
        properties=_user_properties(archive, limits),
        has_macros=any(n.startswith("Basic/") or n.startswith("Scripts/") for n in archive.NameToInfo),
    )


def _user_properties(archive: zipfile.ZipFile, limits: Limits) -> dict[str, str]:
    if "meta.xml" not in archive.NameToInfo:
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

    parse_xml(read_member(archive, "meta.xml", limits), "meta.xml", start, end, chars)
    return properties
