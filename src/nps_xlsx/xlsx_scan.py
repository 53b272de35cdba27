"""Fast paths for the two hot parts of an ``.xlsx``: worksheet cells and the shared-string table.

Excel, LibreOffice, Google Sheets and xlsxwriter all write these parts in one plain form
(``<c r="I4" s="12" t="s"><v>5</v></c>``, ``<si><t>text</t></si>``). Driving expat's Python
callbacks element by element costs several times the parse itself, so for that form the
text is read with regular expressions instead.

The fast path checks what it reads as strictly as the full reader. Expat (with no callbacks,
so at C speed) checks the part up to the end of the region, refusing a DTD, and confirms that the
region is exactly the content of ``<sheetData>`` or of the root ``<sst>``. Within it, every byte
must then belong to a token of the plain form; anything else (a namespace prefix, an inline rich
string, a comment, an unexpected attribute, another encoding) makes these functions return
``None``, and the caller uses the full expat reader. So the fast path reads exactly what expat
would, or declines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from .raw import RawCell, ReadFailure
from .safety import feed, xml_parser

# Row tags and white space, which only have to be recognised: every cell in the plain form names its row.
_BETWEEN = rb"(?:<row\b[^>]*>|</row>|\s)*"
# A cell in the plain form, with whatever comes between it and the one before.
_CELL = re.compile(
    _BETWEEN + rb'<c(?: s="([0-9]{1,9})")? r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?'
    rb"(?:/>|>(<f\b[^>]*?(?:/>|>[^<]*</f>))?"
    rb'(?:<v>([^<]*)</v>|<v/>()|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
_AFTER_LAST_CELL = re.compile(_BETWEEN)
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


def _content_of(data: bytes, start: int, end: int, tag: str, member: str, root: bool = False) -> bool:
    """Whether ``data[start:end]`` is exactly the content of the element ``tag`` (the root, if ``root``).

    Expat checks ``data`` up to the end of the ``</tag>`` at ``end`` (the whole document, if ``root``),
    raising :class:`ReadFailure` if it is malformed or declares a DTD. Only the few events outside
    the region are seen by Python: the last before it must start ``tag``, the first after it end ``tag``.
    """
    events: list[str] = []
    view = memoryview(data)  # pieces without copies
    parser = xml_parser()
    parser.StartElementHandler = lambda name, _attrs: events.append(name)
    parser.EndElementHandler = lambda name: events.append("/" + name)
    feed(parser, view[:start], member)
    if not events or events[-1] != tag or (root and len(events) != 1):
        return False
    parser.StartElementHandler = parser.EndElementHandler = None
    feed(parser, view[start:end], member)
    after = len(events)
    parser.EndElementHandler = lambda name: events.append("/" + name)
    feed(parser, view[end:] if root else view[end : end + len(tag) + 3], member, final=root)
    return len(events) > after and events[after] == "/" + tag


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
    end = data.find(_SHEET_DATA_END, start)
    if start < 0 or end < 0 or not _content_of(data, start + len(b"<sheetData>"), end, "sheetData", member):
        return None
    start += len(b"<sheetData>")
    cells: dict[tuple[int, int], RawCell] = {}
    strings, columns = make_cell.strings, _COLUMNS
    n_strings = len(strings)
    position = start
    for match in _CELL.finditer(data, start, end):
        if match.start() != position:
            return None
        position = match.end()
        style_first, letters, digits, style, kind, formula, raw, empty_value, inline = match.groups()
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
    end = data.rfind(b"</sst>")
    if opened < 0 or start == 0 or end < start or not _content_of(data, start, end, "sst", member, root=True):
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
