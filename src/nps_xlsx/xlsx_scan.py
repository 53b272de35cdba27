"""Fast paths for the two hot parts of an ``.xlsx``: worksheet cells and the shared-string table.

Excel, LibreOffice, Google Sheets and xlsxwriter all write these parts in one plain form
(``<c r="I4" s="12" t="s"><v>5</v></c>``, ``<si><t>text</t></si>``). Driving expat's Python
callbacks element by element costs several times the parse itself, so for that form the
text is read with regular expressions instead.

The fast path checks what it reads as strictly as expat would. The start of the part, up to
``<sheetData>`` or ``<sst …>`` (where a DTD would be), goes through expat, which refuses DTDs
and malformed XML. After it, every byte must belong to a token of the plain form's grammar,
and the region must be valid UTF-8 with no character XML forbids, no ``]]>`` and no reference
other than the five predefined entities. Anything else (a namespace prefix, an inline rich
string, a comment, an unexpected attribute, a numeric reference, another encoding) makes these
functions return ``None``, and the caller uses the full expat reader, which accepts or
rejects it. So the fast path reads exactly what expat would, or declines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from .raw import RawCell, ReadFailure
from .safety import parse_xml

# Row tags and white space, which only have to be recognised: every cell in the plain form names its row.
_ATTRIBUTES = rb"""(?:\s+[A-Za-z_][-.\w:]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*"""
_ROW_TAG = rb"<row" + _ATTRIBUTES + rb"(/?)>"
_BETWEEN = rb"(?:" + _ROW_TAG.replace(b"(/?)", b"/?") + rb"|</row>|\s)*"
# A cell in the plain form, with whatever comes between it and the one before.
_CELL = re.compile(
    _BETWEEN + rb'<c(?: s="([0-9]{1,9})")? r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?'
    rb"(?:/>|>(<f" + _ATTRIBUTES + rb"(?:/>|>[^<]*</f>))?"
    rb'(?:<v>([^<]*)</v>|<v/>()|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
_AFTER_LAST_CELL = re.compile(_BETWEEN)
_ROW_TAGS = re.compile(_ROW_TAG)
# What the grammar does not rule out but XML does: characters it forbids, "]]>" in text, and any
# reference but the predefined entities (numeric ones are left to expat, which knows which are legal).
_UNCHECKED = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|]]>|&(?!(?:lt|gt|amp|quot|apos);)")
# A shared string: plain text, empty, or anything else (rich text, phonetic runs), handled by ``item``.
_ITEM = re.compile(
    rb'\s*(?:<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si><t(?: xml:space="preserve")?/></si>|<si/>|'
    rb"(<si>(?:[^<]|<(?!/?si[\s/>]))*</si>))"  # any other item, with no <si> or </si> tag inside
)
# A rich-text item: runs of formatted text, whose formatting is a list of empty elements.
_RICH = re.compile(
    rb'<si>(?:<r>(?:<rPr>(?:<[a-zA-Z]+(?: [a-zA-Z]+="[^"<]*")*/>)*</rPr>)?'
    rb'<t(?: xml:space="preserve")?>[^<]*</t></r>)+</si>'
)
_RUN_TEXT = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>')
_DECLARED = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_REFERENCE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SHEET_DATA_END = b"</sheetData>"


def _starts_content(head: bytes, tag: bytes, member: str, root: bool = False) -> bool:
    """Whether ``head`` is well-formed XML so far (expat checks it, refusing a DTD) and ends with the
    start tag ``tag`` (the document's root tag, if ``root``), so that what follows is that element's
    content (not, say, an attribute value)."""
    events: list[str] = []
    parse_xml(head, member, lambda name, _attrs: events.append(name), lambda _name: events.append(""), final=False)
    return bool(events) and events[-1] == tag.decode() and (len(events) == 1 or not root)


def _checked(region: bytes) -> bool:
    """Whether ``region`` is UTF-8 with nothing in it that the grammar lets through but XML forbids."""
    if _UNCHECKED.search(region):
        return False
    try:
        region.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class CellMaker(Protocol):
    """Builds a :class:`RawCell` from one cell's parts (see ``reader_xlsx``)."""

    def __call__(
        self, kind: str, style: int, formula: bool, value: str | None, inline: str | None = None
    ) -> RawCell | None: ...

    @property
    def strings(self) -> list[str]:
        """The shared-string table."""
        ...


def _replace_reference(match: re.Match[str]) -> str:
    name = match[1]
    if name[0] != "#":
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))


def xml_text(raw: bytes) -> str:
    """Character data as an XML parser reports it: UTF-8 decoded, line ends normalised, references resolved."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _REFERENCE.sub(_replace_reference, text)
    return text


def is_utf8(data: bytes) -> bool:
    """Whether the XML is UTF-8 (the default, or declared so)."""
    declared = _DECLARED.match(data)
    return declared is None or declared[1].lower() in (b"utf-8", b"utf8")


def _column(letters: bytes) -> int:
    col = 0
    for char in letters:
        col = col * 26 + char - 64
    return col - 1


_COLUMNS = {bytes([a]): _column(bytes([a])) for a in range(65, 91)}  # A-Z, the usual case


def sheet_data_end(data: bytes) -> int:
    """The offset just past ``</sheetData>``, or -1 when the worksheet has none in the plain form."""
    found = data.find(_SHEET_DATA_END)
    return found + len(_SHEET_DATA_END) if found >= 0 else -1


def scan_cells(
    data: bytes, make_cell: CellMaker, max_cells: int, member: str = "worksheet"
) -> dict[tuple[int, int], RawCell] | None:
    """The non-empty cells of a worksheet written in the plain form, or ``None`` if it is not.

    ``data`` runs to ``</sheetData>`` at least. Raises :class:`ReadFailure` if the part is not well-formed
    up to ``<sheetData>``, or declares a DTD. Hot: about a thousand cells a return, so the common case (a
    shared string) is handled inline.
    """
    if not is_utf8(data):
        return None
    start = data.find(b"<sheetData>")
    if start < 0:
        return None
    start += len(b"<sheetData>")
    if not _starts_content(data[:start], b"sheetData", member):
        return None
    end = data.find(_SHEET_DATA_END, start)
    if end < 0 or not _checked(data[start:end]):
        return None
    tags = _ROW_TAGS.findall(data, start, end)
    if len(tags) - tags.count(b"/") != data.count(b"</row>", start, end):
        return None  # rows not closed as they were opened
    cells: dict[tuple[int, int], RawCell] = {}
    strings, columns = make_cell.strings, _COLUMNS
    n_strings = len(strings)
    position = start
    for match in _CELL.finditer(data, start, end):
        if match.start() != position:
            return None
        position = match.end()
        style_first, letters, digits, style, kind, formula, raw, empty_value, inline = match.groups()
        if style_first and style:
            return None  # a repeated attribute: malformed, left to expat to say so
        if kind == b"s" and formula is None and raw is not None and raw.isdigit() and int(raw) < n_strings:
            cell = RawCell(strings[int(raw)], "text", False)
        else:
            value = xml_text(raw) if raw is not None else ("" if empty_value is not None else None)
            style = style_first or style
            cell = make_cell(
                kind.decode() if kind else "n",
                int(style) if style else 0,
                formula is not None,
                value,
                None if inline is None else xml_text(inline),
            )
        if cell is not None:
            col = columns.get(letters)
            cells[(int(digits) - 1, col if col is not None else _column(letters))] = cell
            if len(cells) > max_cells:
                raise ReadFailure("too-many-cells", f"a sheet has more than {max_cells:,} cells")
    if not _AFTER_LAST_CELL.fullmatch(data, position, end):
        return None
    return cells


def scan_shared_strings(
    data: bytes, item: Callable[[bytes], list[str]], member: str = "sharedStrings"
) -> list[str] | None:
    """The shared-string table in the plain form, or ``None`` if it is not.

    Raises :class:`ReadFailure` if the start of the part is not well-formed or declares a DTD. Plain
    and rich-text items are read here; any other (a phonetic guide, say) is handed, as its own
    ``<si>…</si>`` bytes, to ``item``, which must check it and return the strings it holds.
    """
    if not is_utf8(data):
        return None
    opened = data.find(b"<sst")
    start = data.find(b">", opened) + 1 if opened >= 0 else 0
    if opened < 0 or start == 0 or not _starts_content(data[:start], b"sst", member, root=True):
        return None
    end = data.rfind(b"</sst>")
    if end < start or data[end + len(b"</sst>") :].strip() or not _checked(data[start:end]):
        return None
    strings: list[str] = []
    position = start
    for match in _ITEM.finditer(data, start, end):
        if match.start() != position:
            return None
        position = match.end()
        plain, other = match[1], match[2]
        if plain is not None:
            strings.append(xml_text(plain))
        elif other is not None and _RICH.fullmatch(other):
            strings.append("".join(xml_text(run) for run in _RUN_TEXT.findall(other)))
        elif other is not None:
            parsed = item(other)
            if len(parsed) != 1:
                return None
            strings.append(parsed[0])
        else:
            strings.append("")
    if data[position:end].strip():
        return None
    return strings
