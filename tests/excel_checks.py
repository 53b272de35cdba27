"""Stand-ins for Excel's strictness: the rules Excel enforces on opening a workbook that the
schemas do not express. Each rule is a small function from a :class:`Package` to located
:class:`Problem` s; :func:`check` runs them all. Excel answers a breach of any of them with
"We found a problem with some content ... Do you want us to try to recover?".

Schema validity itself is checked by :func:`schema_problems` (openxml-audit: the Open XML SDK's
schema and semantic constraints for Office 2019, markup compatibility included).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
NS = {"m": MAIN, "r": REL, "p": PKG_REL, "ct": CT, "c": CHART, "x14": X14, "xm": XM}

MAX_ROW, MAX_COL = 1_048_576, 16_384
MAX_CELL_UNITS = 32_767  # characters in a cell, counted in UTF-16 code units
MAX_FORMULA_CHARS = 8_192
MAX_LIST_CHARS = 255
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False)


@dataclass(frozen=True)
class Problem:
    """One breach: which rule, in which part, where in it, and what is wrong."""

    rule: str
    part: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.part} {self.where}: {self.message}"


# ---------------------------------------------------------------- references


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_cell(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, or None."""
    m = _CELL.match(ref)
    return (int(m.group(2)), col_number(m.group(1))) if m else None


def parse_area(area: str) -> tuple[int, int, int, int] | None:
    """(first row, first col, last row, last col) of ``A1``, ``A1:B2``, ``1:3`` or ``A:B`` (with $s), or None."""
    ends = area.replace("$", "").split(":")
    if len(ends) > 2 or not all(ends):
        return None
    if all(e.isdigit() for e in ends):
        return int(ends[0]), 1, int(ends[-1]), MAX_COL
    if all(e.isalpha() and len(e) <= 3 for e in ends):
        return 1, col_number(ends[0]), MAX_ROW, col_number(ends[-1])
    cells = [parse_cell(e) for e in ends]
    if None in cells:
        return None
    (r1, c1), (r2, c2) = cells[0], cells[-1]  # type: ignore[misc]
    return r1, c1, r2, c2


_REF = re.compile(r"(?:'((?:[^']|'')+)'|([^'!,()\"]+))!([$A-Za-z0-9:]+)(,|$)")


def split_refs(formula: str) -> list[tuple[str, str]] | None:
    """``'Sheet'!$A$1:$B$2,Other!$1:$1`` as [(sheet, area)], or None if it is not such a list."""
    refs, pos = [], 0
    while pos < len(formula):
        m = _REF.match(formula, pos)
        if m is None or (m.group(4) == "," and m.end() == len(formula)):
            return None
        refs.append((m.group(1).replace("''", "'") if m.group(1) else m.group(2), m.group(3)))
        pos = m.end()
    return refs or None


def area_in_limits(area: tuple[int, int, int, int]) -> bool:
    r1, c1, r2, c2 = area
    return 1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL


# ---------------------------------------------------------------- the package


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


class Package:
    """An .xlsx read into memory, with its parts parsed on demand."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.parts = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
        self._xml: dict[str, etree._Element] = {}
        self._cells: dict[str, list[tuple[int, int, etree._Element]]] = {}

    def xml(self, part: str) -> etree._Element:
        if part not in self._xml:
            self._xml[part] = etree.fromstring(self.parts[part], _PARSER)
        return self._xml[part]

    def rels(self, part: str) -> dict[str, etree._Element]:
        """The relationships of ``part`` by Id ({} if it has none)."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in self.parts:
            return {}
        return {r.get("Id"): r for r in self.xml(rels_part).iterfind("p:Relationship", NS)}

    def target(self, part: str, rel_id: str) -> str | None:
        """The part a relationship of ``part`` points at (None if absent or external)."""
        rel = self.rels(part).get(rel_id)
        if rel is None or rel.get("TargetMode") == "External":
            return None
        return resolve(part, rel.get("Target", ""))

    @cached_property
    def workbook(self) -> str:
        for rel in self.rels("").values():
            if rel.get("Type", "").endswith("/officeDocument"):
                return resolve("", rel.get("Target", ""))
        return "xl/workbook.xml"

    @cached_property
    def sheets(self) -> list[tuple[str, str | None]]:
        """(name, part) of each sheet in workbook order."""
        return [
            (s.get("name", ""), self.target(self.workbook, s.get(f"{{{REL}}}id", "")))
            for s in self.xml(self.workbook).iterfind("m:sheets/m:sheet", NS)
        ]

    @cached_property
    def worksheets(self) -> dict[str, str]:
        """Sheet name -> part, for worksheets that exist."""
        return {name: part for name, part in self.sheets if part in self.parts and self._is_worksheet(part)}

    def _is_worksheet(self, part: str) -> bool:
        return _local(self.xml(part).tag) == "worksheet"

    def parts_of_type(self, suffix: str) -> list[str]:
        """Parts whose content type ends with ``suffix`` (e.g. ``.worksheet+xml``)."""
        return [p for p in self.parts if (self.content_type(p) or "").endswith(suffix)]

    @cached_property
    def _content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        root = self.xml("[Content_Types].xml")
        defaults = {d.get("Extension", "").lower(): d.get("ContentType", "") for d in root.iterfind("ct:Default", NS)}
        overrides = {o.get("PartName", "").lower(): o.get("ContentType", "") for o in root.iterfind("ct:Override", NS)}
        return defaults, overrides

    def content_type(self, part: str) -> str | None:
        defaults, overrides = self._content_types
        name = posixpath.basename(part)
        return overrides.get("/" + part.lower()) or (
            defaults.get(name.rsplit(".", 1)[1].lower()) if "." in name else None
        )

    @cached_property
    def shared_strings(self) -> list[str]:
        part = self._shared_strings_part
        if part is None:
            return []
        return ["".join(si.itertext()) for si in self.xml(part).iterfind("m:si", NS)]

    @cached_property
    def _shared_strings_part(self) -> str | None:
        for rel in self.rels(self.workbook).values():
            if rel.get("Type", "").endswith("/sharedStrings"):
                return resolve(self.workbook, rel.get("Target", ""))
        return None

    def cells(self, part: str) -> list[tuple[int, int, etree._Element]]:
        """(row, column, <c>) of every cell of a worksheet, with implicit references filled in (cached)."""
        if part not in self._cells:
            found, row_no = [], 0
            for row in self.xml(part).iterfind("m:sheetData/m:row", NS):
                row_no = int(row.get("r", row_no + 1))
                col_no = 0
                for c in row.iterfind("m:c", NS):
                    ref = parse_cell(c.get("r", "")) if c.get("r") else None
                    r, col_no = ref if ref else (row_no, col_no + 1)
                    found.append((r, col_no, c))
            self._cells[part] = found
        return self._cells[part]

    def cell_text(self, c: etree._Element) -> str | None:
        kind, v = c.get("t", "n"), c.findtext("m:v", None, NS)
        if kind == "s" and v is not None:
            index = int(v)
            return self.shared_strings[index] if 0 <= index < len(self.shared_strings) else None
        if kind == "inlineStr":
            node = c.find("m:is", NS)
            return "".join(node.itertext()) if node is not None else ""
        return v

    def extent(self, part: str) -> tuple[int, int]:
        """(last row, last column) holding a cell."""
        rows = cols = 0
        for r, col, _c in self.cells(part):
            rows, cols = max(rows, r), max(cols, col)
        return rows, cols


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name (relative to the source part's folder)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


# ---------------------------------------------------------------- the rules

Rule = Callable[[Package], list[Problem]]
RULES: dict[str, Rule] = {}


def rule(fn: Rule) -> Rule:
    RULES[fn.__name__] = fn
    return fn


@rule
def shared_strings(pkg: Package) -> list[Problem]:
    """The table's count (references) and uniqueCount (items) are true; every reference is in range."""
    part = pkg._shared_strings_part
    problems: list[Problem] = []
    n = len(pkg.shared_strings)
    refs = 0
    for sheet, sheet_part in pkg.worksheets.items():
        for r, col, c in pkg.cells(sheet_part):
            if c.get("t") != "s":
                continue
            refs += 1
            v = c.findtext("m:v", "", NS)
            if not v.isdigit() or int(v) >= n:
                where = f"{sheet}!{cell_name(r, col)}"
                problems.append(Problem("shared_strings", sheet_part, where, f"index {v!r} not in 0..{n - 1}"))
    if part is None:
        return problems
    sst = pkg.xml(part)
    for attr, actual in (("uniqueCount", n), ("count", refs)):
        declared = sst.get(attr)
        if declared is not None and int(declared) != actual:
            problems.append(Problem("shared_strings", part, f"sst/@{attr}", f"declares {declared}, actual {actual}"))
    return problems


@rule
def cell_order(pkg: Package) -> list[Problem]:
    """Rows ascend, cells ascend within their row and sit in it, and all lie within <dimension>."""
    problems: list[Problem] = []
    for sheet, part in pkg.worksheets.items():
        dim = pkg.xml(part).find("m:dimension", NS)
        bounds = parse_area(dim.get("ref", "")) if dim is not None else None
        last_row = 0
        for row in pkg.xml(part).iterfind("m:sheetData/m:row", NS):
            r = int(row.get("r", last_row + 1))
            if not last_row < r <= MAX_ROW:
                problems.append(Problem("cell_order", part, f"{sheet} row {r}", f"row follows row {last_row}"))
            last_row, last_col = r, 0
            for c in row.iterfind("m:c", NS):
                ref = parse_cell(c.get("r", "")) if c.get("r") else (r, last_col + 1)
                if ref is None or ref[0] != r:
                    problems.append(Problem("cell_order", part, f"{sheet}!{c.get('r')}", f"cell is not in row {r}"))
                    continue
                col = ref[1]
                if not last_col < col <= MAX_COL:
                    where = f"{sheet}!{cell_name(r, col)}"
                    problems.append(Problem("cell_order", part, where, f"follows column {last_col} in its row"))
                last_col = col
                if bounds and not (bounds[0] <= r <= bounds[2] and bounds[1] <= col <= bounds[3]):
                    where = f"{sheet}!{cell_name(r, col)}"
                    problems.append(Problem("cell_order", part, where, f"outside <dimension ref={dim.get('ref')}>"))
    return problems


def _tables(pkg: Package) -> Iterator[tuple[str, str, str]]:
    """(sheet name, sheet part, table part) of every table."""
    for sheet, part in pkg.worksheets.items():
        for tp in pkg.xml(part).iterfind("m:tableParts/m:tablePart", NS):
            table = pkg.target(part, tp.get(f"{{{REL}}}id", ""))
            if table in pkg.parts:
                yield sheet, part, table


@rule
def table_headers(pkg: Package) -> list[Problem]:
    """A table's header cells hold exactly its column names, one per column, names unique."""
    problems: list[Problem] = []
    for sheet, part, table in _tables(pkg):
        root = pkg.xml(table)
        area = parse_area(root.get("ref", ""))
        names = [tc.get("name", "") for tc in root.iterfind("m:tableColumns/m:tableColumn", NS)]
        if area is None:
            problems.append(Problem("table_headers", table, "table/@ref", f"bad ref {root.get('ref')!r}"))
            continue
        r1, c1, _r2, c2 = area
        if len(names) != c2 - c1 + 1:
            problems.append(Problem("table_headers", table, "tableColumns", f"{len(names)} columns for {c2 - c1 + 1}"))
        duplicates = [n for n, k in Counter(n.lower() for n in names).items() if k > 1]
        if duplicates:
            problems.append(Problem("table_headers", table, "tableColumns", f"repeated names {duplicates}"))
        if root.get("headerRowCount", "1") == "0":
            continue
        header = {col: pkg.cell_text(c) for r, col, c in pkg.cells(part) if r == r1}
        for offset, name in enumerate(names):
            text = header.get(c1 + offset)
            if text != name:
                where = f"{sheet}!{cell_name(r1, c1 + offset)}"
                problems.append(Problem("table_headers", table, where, f"header cell {text!r} != column {name!r}"))
    return problems


@rule
def table_ids(pkg: Package) -> list[Problem]:
    """Table ids, names and display names are unique across the workbook (names case-insensitively)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    defined = {n.get("name", "").lower() for n in pkg.xml(pkg.workbook).iterfind("m:definedNames/m:definedName", NS)}
    for _sheet, _part, table in _tables(pkg):
        root = pkg.xml(table)
        keys = {f"id {root.get('id')}"} | {f"name {root.get(a, '').lower()}" for a in ("name", "displayName")}
        for key in keys:
            if key in seen:
                problems.append(Problem("table_ids", table, "table", f"{key} also used by {seen[key]}"))
            seen[key] = table
        if root.get("displayName", "").lower() in defined:
            problems.append(Problem("table_ids", table, "table/@displayName", "same as a defined name"))
    return problems


@rule
def style_indices(pkg: Package) -> list[Problem]:
    """Cell, row and column styles index cellXfs; xfs index fonts, fills, borders, numFmts and cell styles;
    conditional formats index dxfs."""
    styles = next((p for p in pkg.parts_of_type(".styles+xml")), None)
    if styles is None:
        return []
    root = pkg.xml(styles)

    def count(path: str) -> int:
        return len(root.findall(path, NS))

    n_xf, n_dxf = count("m:cellXfs/m:xf"), count("m:dxfs/m:dxf")
    problems: list[Problem] = []
    pools = {
        "fontId": count("m:fonts/m:font"),
        "fillId": count("m:fills/m:fill"),
        "borderId": count("m:borders/m:border"),
    }
    formats = {int(f.get("numFmtId", -1)) for f in root.iterfind("m:numFmts/m:numFmt", NS)}
    pools_xf = {**pools, "xfId": count("m:cellStyleXfs/m:xf")}
    for group in ("cellStyleXfs", "cellXfs"):
        for i, xf in enumerate(root.iterfind(f"m:{group}/m:xf", NS)):
            where = f"{group}/xf[{i}]"
            for attr, n in (pools if group == "cellStyleXfs" else pools_xf).items():
                if int(xf.get(attr, 0)) >= n:
                    problems.append(Problem("style_indices", styles, where, f"{attr} {xf.get(attr)} >= {n}"))
            fmt = int(xf.get("numFmtId", 0))
            if fmt >= 164 and fmt not in formats:
                problems.append(Problem("style_indices", styles, where, f"numFmtId {fmt} is not defined"))
    for sheet, part in pkg.worksheets.items():
        root_s = pkg.xml(part)
        for r, col, c in pkg.cells(part):
            if int(c.get("s", 0)) >= n_xf:
                where = f"{sheet}!{cell_name(r, col)}"
                problems.append(Problem("style_indices", part, where, f"style {c.get('s')} >= {n_xf} cellXfs"))
        for el in (*root_s.iterfind("m:sheetData/m:row", NS), *root_s.iterfind("m:cols/m:col", NS)):
            s = el.get("s", el.get("style", "0"))
            if int(s) >= n_xf:
                where = f"{sheet} {_local(el.tag)} {el.get('r', el.get('min'))}"
                problems.append(Problem("style_indices", part, where, f"style {s} >= {n_xf} cellXfs"))
        for cf in root_s.iterfind("m:conditionalFormatting/m:cfRule", NS):
            if cf.get("dxfId") is not None and int(cf.get("dxfId")) >= n_dxf:
                problems.append(
                    Problem("style_indices", part, f"{sheet} cfRule", f"dxfId {cf.get('dxfId')} >= {n_dxf}")
                )
    return problems


_NAME = re.compile(r"^(?:_xlnm\.)?[^\W\d][\w.\\]*$")
_LIKE_CELL = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]?\d*|[Cc]\d*)$")


@rule
def defined_names(pkg: Package) -> list[Problem]:
    """Names are valid and unique in their scope, their scope sheet exists, their references resolve."""
    problems: list[Problem] = []
    wb = pkg.workbook
    sheet_names = {name.lower() for name, _part in pkg.sheets}
    seen: set[tuple[str, str]] = set()
    for dn in pkg.xml(wb).iterfind("m:definedNames/m:definedName", NS):
        name, scope, text = dn.get("name", ""), dn.get("localSheetId"), (dn.text or "").strip()
        where = f"definedName {name!r}"
        if len(name) > 255 or not _NAME.match(name) or _LIKE_CELL.match(name):
            problems.append(Problem("defined_names", wb, where, "not a valid name"))
        key = (scope or "", name.lower())
        if key in seen:
            problems.append(Problem("defined_names", wb, where, "defined twice in the same scope"))
        seen.add(key)
        if scope is not None and not (scope.isdigit() and int(scope) < len(pkg.sheets)):
            problems.append(Problem("defined_names", wb, where, f"localSheetId {scope} is not a sheet"))
        if re.fullmatch(r'"[^"]*"|-?\d+(\.\d+)?|TRUE|FALSE', text):
            continue  # a constant
        refs = split_refs(text)
        if refs is None:
            problems.append(Problem("defined_names", wb, where, f"{text!r} is not a list of references"))
            continue
        for sheet, area_text in refs:
            area = parse_area(area_text)
            if sheet.lower() not in sheet_names:
                problems.append(Problem("defined_names", wb, where, f"sheet {sheet!r} does not exist"))
            elif area is None or not area_in_limits(area):
                problems.append(Problem("defined_names", wb, where, f"{area_text!r} is not a range on a sheet"))
    return problems


@rule
def list_validations(pkg: Package) -> list[Problem]:
    """Inline list validations hold at most 255 characters and no unescaped quote."""
    problems: list[Problem] = []
    for sheet, part in pkg.worksheets.items():
        root = pkg.xml(part)
        for dv in (*root.iterfind(".//m:dataValidation", NS), *root.iterfind(".//x14:dataValidation", NS)):
            if dv.get("type") != "list":
                continue
            formula = "".join(dv.find("m:formula1", NS).itertext()) if dv.find("m:formula1", NS) is not None else None
            if formula is None:
                f = dv.find("x14:formula1/xm:f", NS)
                formula = f.text if f is not None else ""
            if not formula.startswith('"'):
                continue  # a range or formula, not an inline list
            where = f"{sheet} dataValidation {dv.get('sqref') or dv.findtext('xm:sqref', '', NS)}"
            inner = formula[1:-1] if len(formula) > 1 and formula.endswith('"') else None
            if inner is None or '"' in inner.replace('""', ""):
                problems.append(Problem("list_validations", part, where, f"unbalanced quotes in {formula!r}"))
            elif len(inner.replace('""', '"')) > MAX_LIST_CHARS:
                problems.append(Problem("list_validations", part, where, f"list of {len(inner)} > 255 characters"))
    return problems


@rule
def sheet_names(pkg: Package) -> list[Problem]:
    """Sheet names: 1-31 characters, none of []:*?/\\, no edge apostrophe, unique ignoring case, not History."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for name, _part in pkg.sheets:
        where = f"sheet {name!r}"
        if not 1 <= len(name) <= 31:
            problems.append(Problem("sheet_names", pkg.workbook, where, f"{len(name)} characters"))
        if SHEET_NAME_FORBIDDEN.search(name) or name.startswith("'") or name.endswith("'"):
            problems.append(Problem("sheet_names", pkg.workbook, where, "has a forbidden character"))
        if name.lower() == "history":
            problems.append(Problem("sheet_names", pkg.workbook, where, "'History' is reserved"))
        if name.lower() in seen:
            problems.append(Problem("sheet_names", pkg.workbook, where, "repeats another sheet's name"))
        seen.add(name.lower())
    return problems


_OPC_ATTRS = {
    f"{{{CT}}}Default": {"Extension", "ContentType"},
    f"{{{CT}}}Override": {"PartName", "ContentType"},
    f"{{{PKG_REL}}}Relationship": {"Id", "Type", "Target", "TargetMode"},
}


@rule
def package(pkg: Package) -> list[Problem]:
    """Every part has a content type, every override a part, every relationship (and r:id use) a target."""
    problems: list[Problem] = []
    _defaults, overrides = pkg._content_types
    names = {p.lower() for p in pkg.parts}
    for part in pkg.parts:
        if part != "[Content_Types].xml" and pkg.content_type(part) is None:
            problems.append(Problem("package", part, "[Content_Types].xml", "the part has no content type"))
    for name in overrides:
        if name.lstrip("/") not in names:
            problems.append(Problem("package", "[Content_Types].xml", f"Override {name}", "no such part"))
    for part in pkg.parts:
        if part.endswith(".rels"):
            problems += _rels_problems(pkg, part)
        elif part.endswith(".xml") and part != "[Content_Types].xml":
            rels = pkg.rels(part)
            for el in pkg.xml(part).iter():
                for attr, value in el.attrib.items():
                    if attr.startswith(f"{{{REL}}}") and value not in rels:
                        where = f"<{_local(el.tag)} r:{_local(attr)}={value!r}>"
                        problems.append(Problem("package", part, where, "no relationship with that Id"))
    for el in pkg.xml("[Content_Types].xml"):
        if isinstance(el.tag, str) and (el.tag not in _OPC_ATTRS or not set(el.attrib) <= _OPC_ATTRS[el.tag]):
            problems.append(Problem("package", "[Content_Types].xml", _local(el.tag), "not a content-type entry"))
    return problems


def _rels_problems(pkg: Package, rels_part: str) -> list[Problem]:
    folder = posixpath.dirname(posixpath.dirname(rels_part))
    source = posixpath.join(folder, posixpath.basename(rels_part)[: -len(".rels")])
    problems = []
    if source and source not in pkg.parts:
        problems.append(Problem("package", rels_part, "", f"relationships of a missing part {source}"))
    ids: set[str] = set()
    for rel in pkg.xml(rels_part):
        if not isinstance(rel.tag, str):
            continue
        if rel.tag not in _OPC_ATTRS or not set(rel.attrib) <= _OPC_ATTRS[rel.tag]:
            problems.append(Problem("package", rels_part, _local(rel.tag), "not a relationship entry"))
            continue
        where = f"Relationship {rel.get('Id')}"
        if rel.get("Id") in ids:
            problems.append(Problem("package", rels_part, where, "Id used twice"))
        ids.add(rel.get("Id", ""))
        if rel.get("TargetMode") != "External" and resolve(source, rel.get("Target", "")) not in pkg.parts:
            problems.append(Problem("package", rels_part, where, f"target {rel.get('Target')!r} does not exist"))
    return problems


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@rule
def cell_length(pkg: Package) -> list[Problem]:
    """Cell text is at most 32,767 UTF-16 units; formulas at most 8,192 characters."""
    problems: list[Problem] = []
    part = pkg._shared_strings_part
    for i, text in enumerate(pkg.shared_strings):
        if len(text) * 2 > MAX_CELL_UNITS and utf16_units(text) > MAX_CELL_UNITS:
            problems.append(Problem("cell_length", part or "", f"si[{i}]", f"{utf16_units(text)} UTF-16 units"))
    for sheet, sheet_part in pkg.worksheets.items():
        root = pkg.xml(sheet_part)
        for c in root.iterfind("m:sheetData/m:row/m:c[@t]", NS):
            if c.get("t") in ("inlineStr", "str"):
                text = pkg.cell_text(c) or ""
                if len(text) * 2 > MAX_CELL_UNITS and utf16_units(text) > MAX_CELL_UNITS:
                    where = f"{sheet}!{c.get('r')}"
                    problems.append(Problem("cell_length", sheet_part, where, f"{utf16_units(text)} UTF-16 units"))
        for f in root.iterfind("m:sheetData/m:row/m:c/m:f", NS):
            if len(f.text or "") > MAX_FORMULA_CHARS:
                where = f"{sheet}!{f.getparent().get('r')}"
                problems.append(Problem("cell_length", sheet_part, where, f"formula of {len(f.text)} characters"))
    return problems


@rule
def chart_ranges(pkg: Package) -> list[Problem]:
    """Every chart reference names an existing sheet and lies within that sheet's written cells."""
    problems: list[Problem] = []
    sheets = {name.lower(): part for name, part in pkg.worksheets.items()}
    extents: dict[str, tuple[int, int]] = {}
    for chart in pkg.parts_of_type(".drawingml.chart+xml"):
        for f in pkg.xml(chart).iterfind(".//c:f", NS):
            text = (f.text or "").strip()
            refs = split_refs(text)
            if refs is None:
                problems.append(Problem("chart_ranges", chart, f"c:f {text!r}", "not a reference to cells"))
                continue
            for sheet, area_text in refs:
                part, area = sheets.get(sheet.lower()), parse_area(area_text)
                if part is None:
                    problems.append(Problem("chart_ranges", chart, f"c:f {text!r}", f"no sheet {sheet!r}"))
                    continue
                rows, cols = extents.setdefault(part, pkg.extent(part))
                if area is None or not (area[0] >= 1 and area[1] >= 1 and area[2] <= rows and area[3] <= cols):
                    problems.append(
                        Problem(
                            "chart_ranges",
                            chart,
                            f"c:f {text!r}",
                            f"outside the written cells A1:{cell_name(rows, cols)}",
                        )
                    )
    return problems


def cell_name(row: int, col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters or '?'}{row}"


def check(data: bytes) -> list[Problem]:
    """Every breach of every rule in the workbook ``data``."""
    pkg = Package(data)
    return [p for fn in RULES.values() for p in fn(pkg)]


# ---------------------------------------------------------------- schemas


def _font_order(error) -> bool:
    """The Open XML SDK models CT_Font as a sequence; ECMA-376's sml.xsd makes it a repeatable choice
    (any order), and Excel reads fonts in any order (openpyxl writes name, family, b, color, sz)."""
    return "/fonts[1]/font[" in error.path and error.description.startswith("Unexpected element")


@cache
def _validator():
    from openxml_audit import FileFormat, OpenXmlValidator

    return OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)


def schema_problems(data: bytes) -> list[Problem]:
    """Schema and SDK-semantic errors of every part, as the Open XML SDK validator (Office 2019) finds them.

    Warnings (such as "Excel will move inline strings to a shared-strings table when it saves") are not
    repair prompts and are left out.
    """
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
        f.write(data)
        f.flush()
        result = _validator().validate(f.name)
    return [
        Problem("schema", e.part_uri, e.path, e.description)
        for e in result.errors
        if e.severity.value == "error" and not _font_order(e)
    ]
