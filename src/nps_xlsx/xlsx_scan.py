"""Fast paths for the two hot parts of an ``.xlsx``: worksheet cells and the shared-string table.

Excel, LibreOffice, Google Sheets and xlsxwriter all write these parts in one plain form
(``<c r="I4" s="12" t="s"><v>5</v></c>``, ``<si><t>text</t></si>``). Driving expat's Python
callbacks element by element costs several times the parse itself, so for that form the
text is read with regular expressions instead, after expat (with no callbacks, so at C speed)
has checked that the XML is well-formed and declares no DTD.

Every byte of the region must be accounted for by a recognised token; anything else (a
namespace prefix, an inline string, a comment, an attribute we do not expect, another
encoding) makes these functions return ``None``, and the caller uses the full expat reader.
So the fast path either reads exactly what expat would, or declines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from .raw import RawCell, ReadFailure

# A cell in the plain form, or a row tag (which only has to be recognised: every cell names its row).
_TOKEN = re.compile(
    rb"(?:<row\b[^>]*>|</row>|"
    rb'<c(?: s="([0-9]{1,9})")? r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?'
    rb"(?:/>|>(<f\b[^>]*?(?:/>|>[^<]*</f>))?"
    rb'(?:<v>([^<]*)</v>|<v/>()|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>))'
)
# A shared string: plain text, empty, or anything else (rich text, phonetic runs), handled by ``item``.
_ITEM = re.compile(
    rb'\s*(?:<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si><t(?: xml:space="preserve")?/></si>|<si/>|'
    rb"(<si>.*?</si>))",
    re.S,
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


def scan_cells(data: bytes, make_cell: CellMaker, max_cells: int) -> dict[tuple[int, int], RawCell] | None:
    """The non-empty cells of a worksheet written in the plain form, or ``None`` if it is not.

    ``data`` must already have been checked by expat. Hot: about a thousand cells a return, so the
    common case (a shared string) is handled inline.
    """
    if not is_utf8(data):
        return None
    start = data.find(b"<sheetData>")
    if start < 0:
        return {} if b"<sheetData/>" in data and b":sheetData" not in data else None
    start += len(b"<sheetData>")
    end = data.find(_SHEET_DATA_END, start)
    if end < 0:
        return None
    cells: dict[tuple[int, int], RawCell] = {}
    strings, columns = make_cell.strings, _COLUMNS
    position = start
    for match in _TOKEN.finditer(data, start, end):
        if match.start() != position and data[position : match.start()].strip():
            return None
        position = match.end()
        style_first, letters, digits, style, kind, formula, raw, empty_value, inline = match.groups()
        if letters is None:
            continue  # a row tag
        if kind == b"s" and formula is None and raw is not None and raw.isdigit() and int(raw) < len(strings):
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
    if data[position:end].strip():
        return None
    return cells


def scan_shared_strings(data: bytes, item: Callable[[bytes], str]) -> list[str] | None:
    """The shared-string table in the plain form, or ``None`` if it is not.

    ``data`` must already have been checked by expat. Plain and rich-text items are read here; any
    other (a phonetic guide, say) is handed, as its own ``<si>…</si>`` bytes, to ``item``.
    """
    if not is_utf8(data):
        return None
    opened = data.find(b"<sst")
    start = data.find(b">", opened) + 1 if opened >= 0 else 0
    end = data.rfind(b"</sst>")
    if opened < 0:
        return None
    if data[start - 2 : start] == b"/>":
        return [] if end < 0 else None
    if end < start:
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
            strings.append(item(other))
        else:
            strings.append("")
    if data[position:end].strip():
        return None
    return strings
