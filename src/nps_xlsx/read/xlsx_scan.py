"""Fast paths for the two hot parts of an ``.xlsx``: worksheet cells and the shared-string table.

Excel, LibreOffice, Gnumeric, Google Sheets and xlsxwriter all write these parts in one plain form
(``<c r="I4" s="12" t="s"><v>5</v></c>``, ``<si><t>text</t></si>``), give or take white space
between elements, the order of a cell's attributes, Excel 365's ``cm``/``vm`` cell attributes and
rich text runs. Driving expat's Python callbacks element by element costs several times the parse
itself, so for that form the text is read with regular expressions instead.

The fast path checks what it reads as strictly as the full reader. Expat (with no callbacks, so at C speed)
checks the part up to the start of the region (``<sheetData>``'s content, or the root ``<sst>``'s), refusing a DTD,
and confirms that the region is exactly that element's content. Within it, every byte must then belong to a token
of the plain form. Cells and items are searched for in C by patterns that start with a literal (``<c``, ``<si>``),
so a search costs time linear in the text, and what lies between them must be only row tags and white space;
where tokens are matched one after the other instead, each pattern also matches nothing, so the scan stops where
the tokens do (a pattern starting with white space, searched for, would cost time quadratic in a run of it).
Anything else (a namespace prefix, a phonetic guide, a comment, an unexpected attribute, another encoding) makes
these functions return ``None``, and the caller uses the full expat reader. So the fast path reads exactly what
expat would, or declines. ``NPS_XLSX_FAST_PATH=0`` in the environment turns it off (always expat).

Expat does not parse the region itself (it was about a quarter of a return's reading): the tokens' patterns leave
nothing to chance but what XML says of text and attributes, so that is checked directly, over the whole region
at once (:func:`_plain_text`: valid UTF-8, no character XML forbids, no ``]]>``, every ``&`` a reference expat
resolves), and no attribute may be given twice. The row tags between the cells, whose attributes the patterns
take whole, are given to expat in the region's place, so it checks them and that they pair up. A region that
fails any of this is declined, so the full reader says where the file is malformed, as before. A worksheet's start
(to its cells) and skeleton (its row tags) that expat has found well-formed once are not parsed again: returns made
from one template share them.

Both paths decode OOXML's ``_xHHHH_`` escapes with :func:`unescape`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from itertools import repeat
from typing import Protocol

from ..a1 import column_index
from .raw import RawCell, ReadFailure
from .safety import feed, xml_parser

FAST_PATH_ENV = "NPS_XLSX_FAST_PATH"
# OOXML's escape of a UTF-16 code unit in text (ST_Xstring): _x000D_ is a CR, _x005F_ an underscore.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_T = rb'<t(?: xml:space="preserve")?>'
# The elements the expat readers act on (by local name), wherever they are: none may hide in a run's formatting, nor
# start before a sheet's <sheetData>.
_READ_TAGS = rb"(?:c|v|t|is|rPh|f|row|sheetData|si)[\s/>]"
_READ_TAG_START = re.compile(rb"<(?:[^\s<>/!?:]+:)?" + _READ_TAGS)
# Rich text: runs, whose formatting (if any) is a list of empty elements. Each repeated piece starts with a tag,
# so that white space can be matched in one way only.
_RUNS = (
    rb"(?:\s*<r>(?:\s*(?:<rPr\s*/>|<rPr>(?:\s*<(?!" + _READ_TAGS + rb")"
    rb'[a-zA-Z]+(?:\s+[a-zA-Z]+="[^"<]*")*\s*/>)*\s*</rPr>))?\s*'
    rb'(?:<t(?: xml:space="preserve")?\s*/>|' + _T + rb"[^<]*</t>)\s*</r>)+"
)
# A cell in the plain form: its attributes, formula, cached value, empty value (<v/>), inline text and rich runs. It
# starts with a literal, so it is searched for cheaply; what lies between two cells is checked afterwards
# (``_BETWEEN``). Its attributes are taken whole, up to the tag's end (no value in the plain form holds "<", "/" or
# ">", so a search never runs past the next tag), and read by ``_ATTRIBUTES`` once per distinct text
# (:class:`_Attributes`): matched one by one here, with their groups, they cost as much as the rest of the cell.
_CELL = re.compile(
    rb"<c(\s[^<>/]*)"
    rb"(?:/>|>(?:\s*(<f\b[^>]*?(?:/>|>[^<]*</f>)))?"
    rb"(?:\s*(?:<v>([^<]*)</v>|<v/>()|<is>(?:\s*" + _T + rb"([^<]*)</t>|(" + _RUNS + rb"))\s*</is>))?\s*</c>)"
)
# A cell's attributes in the plain form: its reference, style, type and Excel 365's cm/vm, in any order (a repeated
# one is malformed, which expat has refused already).
_ATTRIBUTES = re.compile(
    rb'(?:\s+(?:r="([A-Z]{1,3})([0-9]{1,7})"|s="([0-9]{1,9})"|t="([a-zA-Z]{1,9})"|(?:cm|vm)="[0-9]{1,9}"))+\s*'
)
# The same in the order most programs write them, the same groups: matched without trying each attribute in turn.
_USUAL_ATTRIBUTES = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?')
_STRIDE = _CELL.groups + 1  # ``_CELL.split`` gives each cell's groups, then what lies after it
# What may lie between two cells: row tags and white space (every cell in the plain form names its row). A run of
# white space is taken whole (a look-ahead, then a back-reference to it), so that a failure never steps back
# through it one byte at a time, nor is a copy made of it.
_BETWEEN = re.compile(rb"(?=(\s*))\1(?:(?:<row\b[^>]*>|</row>)(?=(\s*))\2)*")
# A shared string: plain text, empty, or anything else (rich text, phonetic runs), handled by ``item``.
_ITEM = re.compile(
    rb"\s*(?:<si>\s*" + _T + rb"([^<]*)</t>\s*</si>|<si>(?:\s*<t(?: xml:space=\"preserve\")?\s*/>)?\s*</si>|<si\s*/>|"
    rb"(<si>(?:[^<]|<(?!/?si[\s/>]))*</si>))"  # any other item, with no <si> or </si> tag inside
    rb"|()"  # or nothing, to stop the scan there
)
_RICH = re.compile(rb"<si>" + _RUNS + rb"\s*</si>")
# An item in the plainest form (its text), or any other (all of it), as a table is read in bulk (``_bulk_table``).
# No white space is matched before an item: searched for, such a pattern would cost time quadratic in a run of it.
_BULK_ITEM = re.compile(rb"<si>" + _T + rb"([^<]*)</t></si>|(<si>[^<]*(?:<(?!/?si[\s/>])[^<]*)*</si>)")
_RUN_TEXT = re.compile(_T + rb"([^<]*)</t>")
_USUAL_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"'  # as Excel and xlsxwriter write it
_DECLARED = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_REFERENCE = re.compile(rb"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {b"lt": b"<", b"gt": b">", b"amp": b"&", b"quot": b'"', b"apos": b"'"}
_SHEET_DATA_END = b"</sheetData>"


def fast_path_enabled() -> bool:
    """Whether the fast path may be used (``NPS_XLSX_FAST_PATH=0`` turns it off)."""
    return os.environ.get(FAST_PATH_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _join_pair(match: re.Match[str]) -> str:
    pair = match[0]
    return chr(0x10000 + ((ord(pair[0]) - 0xD800) << 10) + ord(pair[1]) - 0xDC00)


def unescape(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes in cell text, as Excel does (and openpyxl's ``unescape``).

    Left to right, so ``_x005F_x000D_`` (an escaped underscore) is the literal text ``_x000D_``. Hex
    digits in either case; anything else (``_x12_``) is literal text. Each escape is a UTF-16 code
    unit: two that make a surrogate pair are one character, a lone one is kept as the file says.
    """
    if "_x" not in text:
        return text
    text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    return _SURROGATE_PAIR.sub(_join_pair, text) if _SURROGATE_PAIR.search(text) else text


# The starts of worksheets, up to their region, that expat has found well-formed and ending with the region's start
# tag, and in which scan_cells found no element the expat reader acts on: a return's sheets start as the template's
# do, so each start is checked once for the process, and the region's skeleton is then checked in a document of its
# own whose root is the region's element (the start declares no entity, and no namespace is resolved, so nothing
# else in it bears on the skeleton). And the skeletons (row tags) found well-formed as a worksheet region's: most of a
# return's are the template's too, so after a known start one of these needs no parse at all.
_KNOWN_HEADS: set[bytes] = set()
_KNOWN_SKELETONS: set[bytes] = set()
_MAX_KNOWN = 256  # of each: a template has a start and a skeleton a sheet, as each program saves it
_MAX_KNOWN_LENGTH = 1 << 14  # longer starts and skeletons are parsed each time, never kept


def _content_of(
    data: bytes,
    start: int,
    end: int,
    tag: str,
    member: str,
    root: bool = False,
    skeleton: bytes | memoryview = b"",
) -> bool:
    """Whether ``data[start:end]``, whose tokens the caller has checked (:func:`_plain_text`), is exactly the
    content of the element ``tag`` (the root, if ``root``), and that content is well-formed.

    Expat checks ``data`` up to ``start`` (the start tag of ``tag`` included), raising :class:`ReadFailure` if it is
    malformed or declares a DTD. The region itself is not parsed: expat is given ``skeleton`` in its place (what
    lies between the tokens the caller has checked: the row tags of a sheet, say), then the end tag at ``end``
    (and, for the root, the rest of the document). Python sees only the events of the tags either side of the
    region: the start tag just before it must start ``tag`` (not be text in a comment, say; for the root, nothing
    may start before it), and the first event after the skeleton must end ``tag``. Anything wrong after ``start``
    is ``False`` (the caller declines, and the full reader says where the file is malformed). A worksheet's start
    and skeleton found well-formed before are not parsed again (:data:`_KNOWN_HEADS`, :data:`_KNOWN_SKELETONS`).
    """
    head = data[:start] if not root and start <= _MAX_KNOWN_LENGTH else None
    kept = skeleton if not root and type(skeleton) is bytes and len(skeleton) <= _MAX_KNOWN_LENGTH else None
    known = head is not None and head in _KNOWN_HEADS
    if known and kept is not None and kept in _KNOWN_SKELETONS and data.startswith(f"</{tag}>".encode(), end):
        return True
    events: list[str] = []
    view = memoryview(data)  # pieces without copies
    parser = xml_parser()
    opened = data.rfind(b"<", 0, start)  # the start tag just before the region ("<" cannot be in its attributes)
    if known:  # found well-formed before: the region's element is the root
        parser.StartElementHandler = lambda name, _attrs: events.append(name)
        feed(parser, view[opened:start], member)
    else:
        if root:
            parser.StartElementHandler = lambda name, _attrs: events.append(name)
        feed(parser, view[:opened], member)
        parser.StartElementHandler = lambda name, _attrs: events.append(name)
        feed(parser, view[opened:start], member)
        if events == [tag] and head is not None and len(_KNOWN_HEADS) < _MAX_KNOWN:
            _KNOWN_HEADS.add(head)
    if events != [tag]:
        return False
    parser.StartElementHandler = None
    try:
        feed(parser, skeleton, member)
        parser.EndElementHandler = lambda name: events.append("/" + name)
        feed(parser, view[end:] if root else view[end : end + len(tag) + 3], member, final=root)
    except ReadFailure:
        return False
    closed = len(events) > 1 and events[1] == "/" + tag
    if closed and kept is not None and len(_KNOWN_SKELETONS) < _MAX_KNOWN:
        _KNOWN_SKELETONS.add(kept)
    return closed


# The bytes that need no further look in text or between tags: all but "&" and "]", and the C0 controls (XML allows
# none but tab, line feed and carriage return).
_PLAIN_BYTES = bytes(byte for byte in range(256) if (byte >= 0x20 or byte in b"\t\n\r") and byte not in b"&]")

# A region larger than this is given to expat whole (see :func:`_plain_text`).
_MAX_CHECKED = 1 << 22


def _character_allowed(code: int) -> bool:
    """Whether XML 1.0 allows the character ``code`` (which a character reference may name)."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _plain_text(data: bytes, start: int, end: int) -> bool | None:
    """Whether ``data[start:end]`` holds only what expat allows in text and between tags, wherever it lies: valid
    UTF-8, characters XML allows, no "]]>", and every "&" the start of a reference expat resolves (one of XML's
    five entities, or a character reference to a character XML allows). The tokens themselves are the caller's
    to check; with this, any text their patterns let through is well-formed.

    ``None`` for a region of more than :data:`_MAX_CHECKED` bytes, which is left to expat: checked here, it would be
    copied and decoded whole (a return's largest part is about a hundred kilobytes).
    """
    if end - start > _MAX_CHECKED:
        return None
    region = data[start:end]  # copied: bytes' methods search a whole object, in C
    special = region.translate(None, _PLAIN_BYTES)  # each "&", "]" and control character, in order
    if special:
        if special.translate(None, b"&]") or (b"]" in special and b"]]>" in region):
            return False  # a control character, or the end of a CDATA section in text
        ampersands = special.count(b"&")
        if ampersands:
            references = _REFERENCE.findall(region)
            if len(references) != ampersands:
                return False
            for name in set(references):
                number = name[1:] if name[:1] == b"#" else None
                if number is not None and not _character_allowed(
                    int(number[1:], 16) if number[:1] == b"x" else int(number)
                ):
                    return False
    if not region.isascii():
        try:
            text = str(region, "utf-8")
        except UnicodeDecodeError:
            return False
        return "\ufffe" not in text and "\uffff" not in text
    return True


class CellMaker(Protocol):
    """Builds a :class:`RawCell` from one cell's parts (see :mod:`nps_xlsx.read.xlsx`)."""

    def __call__(
        self, kind: str, style: int, formula: bool, value: str | None, inline: str | None = None
    ) -> RawCell | None: ...

    @property
    def strings(self) -> list[str]:
        """The shared-string table."""
        ...

    @property
    def shared_cells(self) -> dict[bytes, RawCell]:
        """The text cells of the shared strings, by index as written (see :func:`shared_cells`)."""
        ...


def _replace_reference(match: re.Match[bytes]) -> bytes:
    name = match[1]
    if name[0] != 35:  # "#"
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] in b"xX" else int(name[1:])).encode("utf-8")


def xml_bytes(raw: bytes) -> bytes:
    """Character data as an XML parser reports it, still UTF-8: line ends normalised, then references resolved.

    Done before decoding, so that a text of many items is scanned and copied as bytes (a reference names a
    character XML allows, which expat has checked: never a surrogate)."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"&" in raw:
        raw = _REFERENCE.sub(_replace_reference, raw)
    return raw


def xml_text(raw: bytes) -> str:
    """Character data as an XML parser reports it: UTF-8 decoded, line ends normalised, references resolved."""
    if b"\r" in raw or b"&" in raw:
        raw = xml_bytes(raw)
    return raw.decode("utf-8")


def is_utf8(data: bytes) -> bool:
    """Whether the XML is UTF-8 (the default, or declared so)."""
    if data.startswith(_USUAL_DECLARATION):
        return True
    declared = _DECLARED.match(data)
    return declared is None or declared[1].lower() in (b"utf-8", b"utf8")


def _column(letters: bytes) -> int:
    return column_index(letters.decode("ascii"))


_COLUMNS = {bytes([a]): _column(bytes([a])) for a in range(65, 91)}  # A-Z, the usual case

Place = tuple[tuple[int, int], int, str]  # a cell's (row, column), style and type, as its attributes say
_MAX_ATTRIBUTES = 1 << 14  # distinct attribute texts kept: a return has about 2,000
_MAX_ATTRIBUTES_LENGTH = 64  # longer texts are read each time, never kept


class _Attributes(dict[bytes, Place | None]):
    """What a cell's attributes say, by their text (`` r="I5" s="17" t="s"``), read once for the process.

    Returns made from one template write the same attributes for the same cells, so most cells are a look-up.
    ``None`` for attributes not in the plain form, or without a cell reference (a cell placed by those before it).
    """

    def __missing__(self, text: bytes) -> Place | None:
        match = _USUAL_ATTRIBUTES.fullmatch(text) or _ATTRIBUTES.fullmatch(text)
        place = None
        if match is not None and match[1] is not None:
            letters, digits, style, kind = match.groups()
            col = _COLUMNS.get(letters)
            place = (
                (int(digits) - 1, col if col is not None else _column(letters)),
                int(style) if style else 0,
                kind.decode() if kind else "n",
            )
        if match is not None and match.re is _ATTRIBUTES and not _unrepeated(text):
            place = None  # an attribute given twice: malformed
        if len(self) < _MAX_ATTRIBUTES and len(text) <= _MAX_ATTRIBUTES_LENGTH:
            self[text] = place
        return place


_PLACES = _Attributes()
_ATTRIBUTE_NAME = re.compile(rb'([^\s<>="/]+)\s*=\s*["\']')  # in a tag of the plain form: a name just before "="
# A formula's attributes in the plain form (t="shared" ref="A1:A3" si="0", ca="1", ...), by their text: checked once.
_FORMULA_ATTRIBUTES = re.compile(rb'(?:\s+[A-Za-z][A-Za-z0-9]*="[^"<&]*")*\s*')
_FORMULA_TAGS: dict[bytes, bool] = {}
_TAG = re.compile(rb"<[^<>]*>")


def _unrepeated(attributes: bytes) -> bool:
    """Whether no attribute is given twice in ``attributes`` (a tag of the plain form, or its attributes' text)."""
    names = _ATTRIBUTE_NAME.findall(attributes)
    return len(names) == len(set(names))


def _tags_unrepeated(tags: bytes) -> bool:
    """Whether no tag in ``tags`` (plain-form XML) gives an attribute twice, as XML requires."""
    return tags.count(b"=") < 2 or all(map(_unrepeated, _TAG.findall(tags)))


def _plain_formula_tag(formula: bytes) -> bool:
    """Whether the start tag of ``formula`` (``<f …>`` or ``<f …/>``, as ``_CELL`` found it) is well-formed: its
    attributes in the plain form (double quotes, no reference), none given twice."""
    if formula.startswith(b"<f>") or formula == b"<f/>":
        return True
    close = formula.index(b">")
    if formula[close - 1] == 0x2F and close != len(formula) - 1:  # "/>": the element ends there, yet more follows
        return False
    tag = formula[2:close].removesuffix(b"/")
    plain = _FORMULA_TAGS.get(tag)
    if plain is None:
        plain = _FORMULA_ATTRIBUTES.fullmatch(tag) is not None and _unrepeated(tag)
        if len(_FORMULA_TAGS) < _MAX_ATTRIBUTES and len(tag) <= _MAX_ATTRIBUTES_LENGTH:
            _FORMULA_TAGS[tag] = plain
    return plain


# The shared-string indices as a plain t="s" cell writes them (b"0", b"1", ...), made once for the process.
_INDICES = [b"%d" % index for index in range(1 << 14)]


def shared_cells(strings: list[str]) -> dict[bytes, RawCell]:
    """The text cell of each shared string, by its index as written in a plain ``t="s"`` cell (``b"12"``).

    Made in C: a workbook's strings are mostly used once each, so making them one by one would cost as much as
    the cells (``tuple.__new__`` makes the named tuple without its Python-level constructor). An index written
    otherwise (``012``), or beyond the first 16,384, is not found here: such a cell is made as any other.
    """
    cells = map(tuple.__new__, repeat(RawCell), zip(strings, repeat("text"), repeat(False)))
    return dict(zip(_INDICES, cells, strict=False))  # as many as there are strings, at most all the indices


def _rich_text(runs: bytes) -> str:
    """The text of rich-text runs: each run's text decoded on its own, as expat reports it."""
    return "".join(xml_text(run) for run in _RUN_TEXT.findall(runs))


_MAX_RICH_CELLS = 2048  # distinct rich-text cells kept: a template has about 650 texts
_MAX_RICH_CELL_LENGTH = 2048  # longer runs are read each time, never kept


class _RichCells(dict[bytes, str | None]):
    """The text of a cell's rich-text runs, by their bytes, read once for the process (``None``: a formatting
    attribute given twice, which is malformed). Gnumeric saves every text as rich text, so the rubric's texts recur
    in every return it saves."""

    def __missing__(self, runs: bytes) -> str | None:
        text = _rich_text(runs) if _tags_unrepeated(runs) else None
        if len(self) < _MAX_RICH_CELLS and len(runs) <= _MAX_RICH_CELL_LENGTH:
            self[runs] = text
        return text


_RICH_CELLS = _RichCells()


def scan_cells(
    data: bytes, make_cell: CellMaker, max_cells: int, member: str = "worksheet"
) -> dict[tuple[int, int], RawCell] | None:
    """The non-empty cells of a worksheet written in the plain form, or ``None`` if it is not.

    ``data`` runs to ``</sheetData>`` at least. Raises :class:`ReadFailure` if the part is not well-formed
    up to ``<sheetData>``, or declares a DTD, or holds more than ``max_cells`` cells (found among the first
    ``max_cells + 1``; if some of those are empty, the rest is left to the expat reader). Hot: about a thousand
    cells a return, so the common case (a shared string) is a look-up.
    """
    if not is_utf8(data) or not fast_path_enabled():
        return None
    start = data.find(b"<sheetData>") + len(b"<sheetData>")
    end = data.find(_SHEET_DATA_END, start)
    if start < len(b"<sheetData>") or end < 0:
        return None
    checked = _plain_text(data, start, end)  # None: too large to check so, expat checks it
    if checked is False:
        return None
    if data[:start] not in _KNOWN_HEADS and _READ_TAG_START.search(data, 0, start - len(b"<sheetData>")):
        return None  # an element the expat reader acts on, before the cells (or text that looks like one)
    region = memoryview(data)[start:end]  # the region not copied: the parts split from it are bytes
    parts = _CELL.split(region, maxsplit=max_cells + 1)
    found_all = len(parts) <= _STRIDE * max_cells + 1  # else the last part may hold more cells
    between = parts[: None if found_all else -1 : _STRIDE]
    if not all(map(_BETWEEN.fullmatch, filter(None, between))):
        return None  # something else between the cells
    # Expat checks the row tags between the cells (their attributes, and that they pair up) in place of the region;
    # or the whole region, if it was not checked, or not every cell was found (before a count of cells is believed).
    skeleton = b"".join(between) if checked and found_all else region
    if not _content_of(data, start, end, "sheetData", member, skeleton=skeleton):
        return None
    places = list(map(_PLACES.__getitem__, parts[1::_STRIDE]))
    if None in places:
        return None  # attributes not in the plain form, or a cell without a reference
    shared = make_cell.shared_cells
    cells: dict[tuple[int, int], RawCell] = {}
    others = (parts[i::_STRIDE] for i in range(2, _STRIDE))  # formula, value, empty value, inline text, rich runs
    for (position, style, kind), formula, raw, empty_value, inline, rich in zip(places, *others, strict=True):
        if formula is None:
            if kind == "s" and (cell := shared.get(raw)) is not None:
                cells[position] = cell
                continue
            if raw is None and empty_value is None and kind != "inlineStr":
                continue  # no value or formula: an empty cell (a styled one, say)
        elif not _plain_formula_tag(formula):
            return None
        text: str | None = None
        if inline is not None:
            text = xml_text(inline)
        elif rich is not None and (text := _RICH_CELLS[rich]) is None:
            return None  # a formatting attribute given twice
        value = xml_text(raw) if raw is not None else ("" if empty_value is not None else None)
        made = make_cell(kind, style, formula is not None, value, text)
        if made is not None:
            cells[position] = made
    if len(cells) > max_cells:
        raise ReadFailure("too-many-cells", f"a sheet has more than {max_cells:,} cells")
    return cells if found_all else None


def scan_shared_strings(
    data: bytes, item: Callable[[bytes], list[str]], member: str = "sharedStrings"
) -> list[str] | None:
    """The shared-string table in the plain form, escapes decoded, or ``None`` if it is not.

    Raises :class:`ReadFailure` if the start of the part is not well-formed or declares a DTD. Plain
    and rich-text items are read here; any other (a phonetic guide, say) is handed, as its own
    ``<si>…</si>`` bytes, to ``item``, which must check it and return the strings it holds (decoded).
    """
    if not is_utf8(data) or not fast_path_enabled():
        return None
    opened = data.find(b"<sst")
    start = data.find(b">", opened) + 1 if opened >= 0 else 0
    end = data.rfind(b"</sst>")
    if opened < 0 or start == 0 or end < start:
        return None
    checked = _plain_text(data, start, end)  # None: too large to check so, expat checks it
    if checked is False:
        return None
    skeleton = memoryview(data)[start:end] if checked is None else b""  # the items are checked as they are read
    if not _content_of(data, start, end, "sst", member, root=True, skeleton=skeleton):
        return None
    bulk = _bulk_table(data[start:end], item)
    if bulk is not None:
        return bulk
    strings: list[str] = []
    position = start
    for match in _ITEM.finditer(data, start, end):  # contiguous: the empty alternative matches anywhere
        plain, other, stop = match.groups()
        if stop is not None:
            break
        position = match.end()
        if plain is not None:
            strings.append(unescape(xml_text(plain)))  # after references: "&#95;x0041_" is an escape too
        elif other is not None:
            text = _other_item(other, item)
            if text is None:
                return None
            strings.append(text)
        else:
            strings.append("")
    if data[position:end].strip():
        return None
    return strings


def _bulk_table(region: bytes, item: Callable[[bytes], list[str]]) -> list[str] | None:
    """The strings of a table whose items are each either in the plainest form or some other ``<si>…</si>`` (white
    space only between them), found in one search rather than one item at a time; ``None`` if it is not such a
    table, or an item is not one string.

    The plain items' texts are joined with NUL, which no XML text can hold (expat has refused ``&#0;`` already),
    so that line ends and references are done once for the table, as :func:`xml_text` does them per item; each
    text is then decoded alone (so most stay ASCII or Latin-1, not the widest any of them needs), and the escapes
    decoded where there are any (:func:`unescape`).
    """
    parts = _BULK_ITEM.split(region)  # what lies before each item, its plain text, the item if not plain; what follows
    if b"".join(parts[::3]).strip():
        return None  # something other than white space between the items
    plains, others = parts[1::3], parts[2::3]
    if not plains:
        return []
    joined = xml_bytes(b"\x00".join([plain or b"" for plain in plains]))
    strings = list(map(bytes.decode, joined.split(b"\x00")))
    if b"_x" in joined:  # an escape (decoded one string at a time: _x0000_ is a NUL)
        strings = [unescape(text) if "_x" in text else text for text in strings]
    for i, other in enumerate(others):
        if other is not None:
            text = _other_item(other, item)
            if text is None:
                return None
            strings[i] = text
    return strings


def _other_item(other: bytes, item: Callable[[bytes], list[str]]) -> str | None:
    """The string of an item not in the plainest form: rich text read here, anything else by ``item``; ``None``
    if ``item`` finds other than one string in it, or cannot read it alone."""
    text = _RICH_TEXTS.get(other)
    if text is not None:
        return text
    if _RICH.fullmatch(other) and _tags_unrepeated(other):
        text = unescape(_rich_text(other))
        if len(_RICH_TEXTS) < _MAX_RICH_TEXTS and len(other) <= _MAX_RICH_LENGTH:
            _RICH_TEXTS[other] = text
        return text
    try:
        parsed = item(other)
    except ReadFailure:  # not well-formed on its own (a comment holding "</si>", say), though the table is
        return None
    return parsed[0] if len(parsed) == 1 else None


# The texts of rich-text items, by the item as written: returns made from one template repeat the template's (its
# headings and guidance, set in bold), and checking an item's runs costs more than reading a plain one. Bounded.
_RICH_TEXTS: dict[bytes, str] = {}
_MAX_RICH_TEXTS = 256
_MAX_RICH_LENGTH = 4096
