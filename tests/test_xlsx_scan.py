"""The fast worksheet and shared-string readers give exactly what the expat readers give, or decline."""

from __future__ import annotations

import contextlib
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nps_xlsx.read import xlsx as reader_xlsx
from nps_xlsx.read import xlsx_scan
from nps_xlsx.read.raw import RawCell, ReadFailure
from nps_xlsx.read.safety import parse_xml
from nps_xlsx.read.xlsx_scan import scan_cells, scan_shared_strings, xml_text

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STRINGS = ["ID", "EC1", "a & b < c", "line one\nline two", "café ☕", "tab\there", "", "  spaced  "]
MAKE_CELL = reader_xlsx._CellMaker(STRINGS, {3}, reader_xlsx.EPOCH_1900)

# Any text XML 1.0 can hold, including the characters the escapes are about.
xml_chars = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff", max_codepoint=0x1F600).filter(
        lambda c: c in "\t\n\r" or ord(c) >= 0x20
    ),
    max_size=30,
)
# OOXML's _xHHHH_ escapes, well-formed or not, which both paths must decode the same way.
ESCAPES = ["_x000D_", "_x0000_", "_x005F_", "_x005F_x000D_", "_xD83D_", "_xDE00_", "_xd83d_", "_x000a_", "_x12_"]
ESCAPES += ["_x", "_"]  # not escapes: literal text
cell_text = st.lists(st.one_of(xml_chars, st.sampled_from(ESCAPES)), max_size=4).map("".join)
# White space between elements, as Gnumeric pretty-prints.
gap = st.sampled_from(["", "", "\n  ", " "])


def _expat_cells(xml: bytes, max_cells: int = 10_000) -> dict:
    parser = reader_xlsx._SheetParser(MAKE_CELL, max_cells)
    with contextlib.suppress(reader_xlsx._SheetDataEnd):
        parse_xml(xml, "sheet", parser.start, parser.end, parser.text.chars)
    return parser.cells


def _sheet(rows: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    declare = f'xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else NS
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {declare}>'
        f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    ).encode()


@st.composite
def cells_xml(draw) -> str:
    """A row of cells of every kind, written in the plain form (or with ``s`` before ``r``, as some tools do), in
    any order, a cell perhaps twice."""
    parts = []
    for letter in draw(st.lists(st.sampled_from("ABCDEFGHIJ"), min_size=1, max_size=14)):
        kinds = [
            "s",
            "s-odd",
            "n",
            "str",
            "inline",
            "rich",
            "b",
            "e",
            "f",
            "f-empty",
            "styled",
            "styled-open",
            "date",
            "none",
        ]
        kind = draw(st.sampled_from(kinds))
        style = draw(st.sampled_from(["", ' s="3"', ' s="12"']))
        ref = f'r="{letter}4"'
        attrs = f"{style} {ref}" if draw(st.booleans()) and style else f" {ref}{style}"
        attrs = attrs.strip() + draw(st.sampled_from(["", "", ' cm="1"', ' vm="2"', ' cm="1" vm="1"']))
        g = draw(gap)
        if kind == "s":
            parts.append(f'<c {attrs} t="s">{g}<v>{draw(st.integers(0, len(STRINGS) - 1))}</v>{g}</c>')
        elif kind == "s-odd":  # an index written otherwise, or naming no string
            index = draw(st.sampled_from(["01", " 2", "3 ", "", "+1", str(len(STRINGS)), "99999", "1" * 12]))
            parts.append(f'<c {attrs} t="s"><v>{index}</v></c>')
        elif kind == "n":
            parts.append(f"<c {attrs}><v>{draw(st.floats(allow_nan=False, allow_infinity=False))!r}</v></c>")
        elif kind == "str":
            parts.append(f'<c {attrs} t="str"><f>A1&amp;"x"</f>{g}<v>{escape(draw(cell_text))}</v></c>')
        elif kind == "inline":
            text = escape(draw(cell_text))
            parts.append(f'<c {attrs} t="inlineStr">{g}<is>{g}<t xml:space="preserve">{text}</t>{g}</is>{g}</c>')
        elif kind == "rich":
            runs = "".join(
                f'{g}<r>{g}<rPr>{g}<b val="1"/>{g}</rPr>{g}<t>{escape(text)}</t>{g}</r>'
                for text in draw(st.lists(cell_text, min_size=1, max_size=3))
            )
            parts.append(f'<c {attrs} t="inlineStr"><is>{runs}{g}</is></c>')
        elif kind == "b":
            parts.append(f'<c {attrs} t="b"><v>{draw(st.sampled_from(["0", "1"]))}</v></c>')
        elif kind == "e":
            parts.append(f'<c {attrs} t="e"><f>1/0</f><v>#DIV/0!</v></c>')
        elif kind == "f":
            parts.append(f'<c {attrs}><f t="shared" ref="A1:A2" si="0">SUM(A1:A2)</f><v>3</v></c>')
        elif kind == "f-empty":
            parts.append(f"<c {attrs}><f>SUM(A1:A2)</f>{draw(st.sampled_from(['', '<v/>', '<v></v>']))}</c>")
        elif kind == "styled":
            parts.append(f"<c {attrs}/>")
        elif kind == "styled-open":
            parts.append(f"<c {attrs}>{g}</c>")
        elif kind == "date":
            parts.append(f'<c r="{letter}4" s="3"><v>{draw(st.integers(1, 60000))}</v></c>')
    return f'<row r="4" spans="1:10" ht="30" customHeight="1">{draw(gap)}{draw(gap).join(parts)}</row>'


@settings(max_examples=300, deadline=None)
@given(row=cells_xml())
def test_plain_cells_read_as_expat_reads_them(row: str) -> None:
    xml = _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + row)
    fast = scan_cells(xml, MAKE_CELL, 10_000)
    assert fast is not None
    assert list(fast.items()) == list(_expat_cells(xml).items())  # in the same order: the validator takes the first


@pytest.mark.parametrize(
    "rows, prefix",
    [
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "x"),  # a namespace prefix
        ('<row r="1"><!-- a comment --><c r="A1" t="s"><v>0</v></c></row>', ""),
        ('<row r="1"><c r="A1" t="s" ph="1"><v>0</v></c></row>', ""),  # an attribute the fast path does not know
        ("<row r='1'><c r='A1' t='s'><v>0</v></c></row>", ""),  # attributes in single quotes
        ('<row r="1"><c r="A1" t="str"><v><![CDATA[x < y]]></v></c></row>', ""),
        ('<row r="1"><c t="s"><v>0</v></c></row>', ""),  # no cell reference
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t><rPh sb="0" eb="1"><t>b</t></rPh></is></c></row>', ""),
        ('<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><x:b xmlns:x="urn:x"/></rPr><t>a</t></r></is></c></row>', ""),
        ('<row r="1"><c r="A1" t="s"><v>0</v><extLst/></c></row>', ""),
    ],
)
def test_other_forms_are_declined_and_read_by_expat(rows: str, prefix: str) -> None:
    xml = _sheet(rows, prefix)
    assert scan_cells(xml, MAKE_CELL, 10_000) is None
    assert reader_xlsx._parse_sheet(xml, "sheet", MAKE_CELL, reader_xlsx.Limits()) == _expat_cells(xml)
    assert _expat_cells(xml)  # the expat reader does read these


def test_a_large_string_table_is_read_past_the_cells_made_in_advance() -> None:
    strings = [f"text {i}" for i in range(20_000)]
    maker = reader_xlsx._CellMaker(strings, frozenset(), reader_xlsx.EPOCH_1900)
    row = "".join(
        f'<c r="{col}1" t="s"><v>{i}</v></c>' for col, i in zip("ABCD", [16_383, 16_384, 19_999, 20_000], strict=True)
    )
    xml = _sheet(f'<row r="1">{row}</row>')
    expected = [RawCell("text 16383", "text"), RawCell("text 16384", "text"), RawCell("text 19999", "text")]
    assert list(scan_cells(xml, maker, 10).values()) == [*expected, RawCell(reader_xlsx.MISSING_STRING, "error")]
    parser = reader_xlsx._SheetParser(maker, 10)
    with contextlib.suppress(reader_xlsx._SheetDataEnd):
        parse_xml(xml, "sheet", parser.start, parser.end, parser.text.chars)
    assert parser.cells == scan_cells(xml, maker, 10)


def test_whitespace_between_elements_and_empty_sheets() -> None:
    pretty = _sheet('\n  <row r="1">\n    <c r="A1" t="s"><v>1</v></c>\n  </row>\n')
    assert scan_cells(pretty, MAKE_CELL, 10) == _expat_cells(pretty) == {(0, 0): MAKE_CELL("s", 0, False, "1")}
    empty = b"<worksheet><sheetData/></worksheet>"
    assert scan_cells(empty, MAKE_CELL, 10) is None  # left to expat
    assert reader_xlsx._parse_sheet(empty, "sheet", MAKE_CELL, reader_xlsx.Limits()) == {}


def test_another_encoding_is_declined() -> None:
    xml = _sheet('<row r="1"><c r="A1" t="str"><v>caf\xe9</v></c></row>').replace(b"UTF-8", b"ISO-8859-1")
    assert scan_cells(xml, MAKE_CELL, 10) is None


def test_the_cell_cap_holds_whichever_path_reads_the_sheet() -> None:
    """More cells than the cap fail on the fast path too; with some of them empty, the sheet is left to expat."""
    cells = [f'<c r="A{i}"><v>{i}</v></c>' for i in range(1, 30)]
    over, at_cap = _sheet(f'<row r="1">{"".join(cells)}</row>'), _sheet(f'<row r="1">{"".join(cells[:20])}</row>')
    empty = '<c r="B1" s="3"/>' * 10
    styled = _sheet(f'<row r="1">{"".join(cells[:15])}{empty}</row>')
    limits = reader_xlsx.Limits(max_cells_per_sheet=20)
    for read in (lambda xml: scan_cells(xml, MAKE_CELL, 20), lambda xml: _expat_cells(xml, 20)):
        with pytest.raises(ReadFailure, match="more than 20 cells"):
            read(over)
    assert scan_cells(at_cap, MAKE_CELL, 20) == _expat_cells(at_cap) and len(_expat_cells(at_cap)) == 20
    assert scan_cells(styled, MAKE_CELL, 20) is None  # 25 cells, 10 of them empty: expat reads the 15
    assert reader_xlsx._parse_sheet(styled, "sheet", MAKE_CELL, limits) == _expat_cells(styled)
    assert len(_expat_cells(styled)) == 15
    commented = _sheet(f'<row r="1">{"".join(cells[:10])}<!-- {"".join(cells[10:])} --></row>')
    assert scan_cells(commented, MAKE_CELL, 20) is None  # cells in a comment are no cells, nor counted as such
    assert len(_expat_cells(commented, 20)) == 10


@given(text=xml_chars)
@example(text="a\r\nb\rc")  # line ends are normalised to \n
@example(text="&#13;&#x1F600;&quot;&apos;")  # written as references, escaped again by escape()
def test_text_decodes_as_expat_decodes_it(text: str) -> None:
    xml = f"<t>{escape(text)}</t>".encode()
    seen: list[str] = []
    parse_xml(xml, "t", chars=seen.append)
    assert xml_text(xml[3:-4]) == "".join(seen)


def test_references_decode_as_expat_decodes_them() -> None:
    raw = b"&#13;&#x1F600;&lt;&gt;&amp;&quot;&apos;"
    seen: list[str] = []
    parse_xml(b"<t>" + raw + b"</t>", "t", chars=seen.append)
    assert xml_text(raw) == "".join(seen) == "\r\U0001f600<>&\"'"


def _expat_strings(xml: bytes) -> list[str]:
    return reader_xlsx._parse_shared_strings(xml, "sst")


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.tuples(st.sampled_from(["plain", "preserve", "empty", "rich", "phonetic", "pretty"]), cell_text))
)
def test_shared_strings_read_as_expat_reads_them(items: list[tuple[str, str]]) -> None:
    parts = []
    for form, text in items:
        escaped = escape(text)
        if form == "plain":
            parts.append(f"<si><t>{escaped}</t></si>")
        elif form == "pretty":
            rich = f'<r>\n      <rPr>\n        <b val="true"/>\n      </rPr>\n      <t>{escaped}</t>\n    </r>'
            parts.append(f"\n  <si>\n    {rich}\n  </si>")
        elif form == "preserve":
            parts.append(f'<si><t xml:space="preserve">{escaped}</t></si>')
        elif form == "empty":
            parts.append("<si><t/></si>")
        elif form == "rich":
            parts.append(
                f'<si><r><rPr><b/><sz val="10"/></rPr><t>{escaped}</t></r><r><t xml:space="preserve"> +</t></r></si>'
            )
        else:
            parts.append(f'<si><t>{escaped}</t><rPh sb="0" eb="1"><t>phonetic</t></rPh></si>')
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS} count="{len(items)}">{"".join(parts)}</sst>'.encode()
    # as the file says it: line ends normalised by XML, then escapes decoded
    phonetic = [
        reader_xlsx._unescape(text.replace("\r\n", "\n").replace("\r", "\n"))
        for form, text in items
        if form == "phonetic"
    ]
    fast = scan_shared_strings(xml, lambda item: _expat_strings(b"<sst>" + item + b"</sst>"))
    assert fast == _expat_strings(xml) == reader_xlsx._shared_strings(xml, "sst")
    assert all(text in fast for text in phonetic)


def test_an_empty_or_prefixed_table() -> None:
    assert scan_shared_strings(b'<sst count="0"/>', lambda item: [""]) is None  # left to expat
    assert reader_xlsx._shared_strings(b'<sst count="0"/>', "sst") == []
    prefixed = b'<x:sst xmlns:x="urn:x"><x:si><x:t>a</x:t></x:si></x:sst>'
    assert scan_shared_strings(prefixed, lambda item: [""]) is None
    assert reader_xlsx._shared_strings(prefixed, "sst") == ["a"]


def _expat_only_sheet(xml: bytes) -> dict | str:
    try:
        return _expat_cells(xml)
    except ReadFailure as failure:
        return failure.code


def _string_table_outcome(xml: bytes, fast: bool) -> list[str] | str:
    """The strings of a table as the fast path (falling back to expat) or expat alone reads them, or the failure."""
    try:
        return (reader_xlsx._shared_strings if fast else reader_xlsx._parse_shared_strings)(xml, "sst")
    except ReadFailure as failure:
        return failure.code


def _fast_then_expat_sheet(xml: bytes) -> dict | str:
    try:
        return reader_xlsx._parse_sheet(xml, "sheet", MAKE_CELL, reader_xlsx.Limits())
    except ReadFailure as failure:
        return failure.code


SHEET = _sheet(
    '<row r="1" spans="1:3" ht="30" customHeight="1"><c r="A1" s="3" t="s"><v>2</v></c>'
    '<c r="B1" t="str"><f>A1&amp;"x"</f><v>a &amp; b &lt; c</v></c><c r="C1" s="12" t="inlineStr"><is><t>x</t></is></c>'
    '<c r="D1" t="inlineStr" cm="1">\n <is><r><rPr><b/></rPr><t>r_x000D_</t></r> <r><t>_x005F_x000D_</t></r></is></c>'
    '</row><row r="2"><c r="A2"><v>3.5</v></c><c r="B2" t="b"><v>1</v></c></row>'
)
STRING_TABLE = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS} count="3"><si><t>a &amp; b</t></si>'
    '<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>text</t></r></si><si><t/></si></sst>'
).encode()
NASTY = [b"<", b">", b"&", b"&#0;", b"&#65;", b"&foo;", b"]]>", b"\x01", b"\xff", b"\xef\xbf\xbe", b'"', b"'",
         b"</row>", b"<row>", b"<!-- x -->", b"<![CDATA[1]]>", b"<!DOCTYPE x>", b" ", b"\r\n", b"/", b"=",
         b"_x000D_", b"_x005F_", b"_xD83D_", b"\n  ", b' vm="1"', b"<r>", b"</r>", b"<rPr/>", b'<c r="B1" s="2"/>',
         b"<c ", b"<row/>", b' t="s"', b"<v>1</v>", b"<!--", b"-->", b"<sheetData>", b"</sheetData>", b"<sst>",
         b"</x>", b"<f/>", b"<f>", b"</f>", b"&#1;", b"&#xD800;", b"\x0b", b"\xed\xa0\x80", b'<row r="1" r="2">',
         b' ca="1"', b"<rPr><f/></rPr>"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_a_damaged_worksheet_is_read_or_refused_exactly_as_expat_would(data: st.DataObject) -> None:
    xml = bytearray(SHEET)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(xml)))
        cut = data.draw(st.integers(0, 3))
        xml[at : at + cut] = data.draw(st.sampled_from(NASTY))
    assert _fast_then_expat_sheet(bytes(xml)) == _expat_only_sheet(bytes(xml))


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_a_damaged_string_table_is_read_or_refused_exactly_as_expat_would(data: st.DataObject) -> None:
    xml = bytearray(STRING_TABLE)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(xml)))
        cut = data.draw(st.integers(0, 3))
        xml[at : at + cut] = data.draw(st.sampled_from(NASTY))
    assert _string_table_outcome(bytes(xml), fast=True) == _string_table_outcome(bytes(xml), fast=False)


@pytest.mark.parametrize(
    "damage",
    [
        (b"</t></si><si><r>", b"</t></si ><si><r>"),  # white space in an end tag: items must not run together
        (b'main" count', b"ma>> count"),  # the <sst> tag never closes
        (b"\n<sst", b"\n<row><sst"),  # not the root
        (b'encoding="UTF-8"', b'encoding="TF-8"'),  # an unknown encoding
    ],
)
def test_string_table_cases_found_by_fuzzing(damage: tuple[bytes, bytes]) -> None:
    xml = STRING_TABLE.replace(*damage)
    assert xml != STRING_TABLE
    assert _string_table_outcome(xml, fast=True) == _string_table_outcome(xml, fast=False)


@pytest.mark.parametrize(
    "damage",
    [
        (b'2006/main">', b"2006/ma>>"),  # the root tag never closes: <sheetData> is inside an attribute value
        (b' s="3" t="s"', b' s="\'" t="s"'),  # a style that is not a number
        (b'<c r="A2">', b'<c s="1" r="A2" s="2">'),  # a repeated attribute
    ],
)
def test_worksheet_cases_found_by_fuzzing(damage: tuple[bytes, bytes]) -> None:
    xml = SHEET.replace(*damage)
    assert xml != SHEET
    assert _fast_then_expat_sheet(xml) == _expat_only_sheet(xml)


# Each damage breaks one rule of XML inside the region the fast path no longer gives expat (or hides an element the
# expat reader acts on where the fast path's patterns would pass it as formatting): read or refused as expat would.
REGION_DAMAGE = [
    (b"a &amp; b", b"a &#1; b"),  # a reference to a character XML does not allow
    (b"a &amp; b", b"a &#xD800; b"),  # ... half of a surrogate pair
    (b"a &amp; b", b"a &#x110000; b"),  # ... beyond Unicode
    (b"a &amp; b", b"a &#xFFFE; b"),
    (b"a &amp; b", b"a &bogus; b"),  # an entity no DTD declares
    (b"a &amp; b", b"a &amp b"),  # an ampersand that starts no reference
    (b"a &amp; b", b"a &#X41; b"),  # a hexadecimal reference with a capital X
    (b"<v>3.5</v>", b"<v>3\x0b5</v>"),  # a control character
    (b"<v>3.5</v>", b"<v>3]]>5</v>"),  # the end of a CDATA section, in text
    (b"<v>3.5</v>", b"<v>3\xef\xbf\xbe</v>"),  # U+FFFE
    (b"<v>3.5</v>", b"<v>3\xed\xa0\x80</v>"),  # a surrogate, encoded
    (b"<v>3.5</v>", b"<v>3\xc3</v>"),  # a truncated UTF-8 sequence
    (b'</c><c r="C1"', b'</c>\x0c<c r="C1"'),  # a form feed between cells (not XML white space)
    (b'<row r="2">', b'<row r="2" r="3">'),  # a row attribute given twice
    (b'<row r="2">', b'<row r="2"><row r="3">'),  # rows that do not pair up
    (b'</row><row r="2">', b'<row r="2">'),
    (b'<row r="2">', b"<row r='2' ht=\"1\">"),  # single quotes: allowed
    (b'<row r="2">', b'<row r="2" ht="&lt;1">'),  # a reference in a row attribute: allowed
    (b'<c r="B1" t="str"><f>', b'<c r="B1" t="str"><f ca="1" ca="1">'),  # a formula attribute given twice
    (b'<c r="B1" t="str"><f>', b'<c r="B1" t="str"><f/>f>'),  # a formula closed at once, then text and its end tag
    (b'<c r="B1" t="str"><f>', b'<c r="B1" t="str"><f t="shared"/>f>'),
    (b'<c r="B1" t="str"><f>', b'<c r="B1" t="str"><f ca="&amp;">'),  # a reference in a formula attribute: allowed
    (b'<c r="B1" t="str"><f>', b'<c r="B1" t="str"><f ca=\'1\'>'),
    (b'<c r="A1" s="3" t="s">', b'<c t="s" r="A1" s="3" t="s">'),  # a cell attribute given twice
    (b"<rPr><b/></rPr>", b'<rPr><b val="1" val="2"/></rPr>'),  # a run's formatting attribute given twice
    (b"<rPr><b/></rPr>", b"<rPr><f/></rPr>"),  # elements the expat reader acts on, hidden in a run's formatting
    (b"<rPr><b/></rPr>", b'<rPr><c r="E1" s="1"/></rPr>'),
    (b"<?xml", b"<v>?xml"),  # an element before the worksheet's (the expat reader reads its text)
    (b"<sheetData>", b"<sheetPr><v/></sheetPr><sheetData>"),
]


# A region larger than the checks take whole is given to expat instead: the same outcome either way.
checked_whole = pytest.mark.parametrize("largest", [xlsx_scan._MAX_CHECKED, 10], ids=["checked", "to-expat"])


@checked_whole
@pytest.mark.parametrize("damage", REGION_DAMAGE)
@pytest.mark.parametrize("head_known", [False, True], ids=["head-parsed", "head-known"])
def test_the_region_read_without_expat_is_read_or_refused_as_expat_would(
    damage: tuple[bytes, bytes], largest: int, head_known: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the worksheet's start parsed by expat, or found well-formed before (as the template's sheets are)."""
    monkeypatch.setattr(xlsx_scan, "_MAX_CHECKED", largest)
    for known in ("_KNOWN_HEADS", "_KNOWN_SKELETONS"):
        monkeypatch.setattr(xlsx_scan, known, set())
    if head_known:  # and the undamaged skeleton
        assert _fast_then_expat_sheet(SHEET) == _expat_only_sheet(SHEET)
        assert len(xlsx_scan._KNOWN_HEADS) == 1  # the skeleton too, when the region is checked without expat
    xml = SHEET.replace(*damage, 1)
    assert xml != SHEET
    assert _fast_then_expat_sheet(xml) == _expat_only_sheet(xml)


@pytest.mark.parametrize(
    "damage",
    [
        (b"a &amp; b", b"a &#2; b"),
        (b"a &amp; b", b"a &nbsp; b"),
        (b"<rPr><b/></rPr>", b'<rPr><b val="1" val="2"/></rPr>'),
        (b"<rPr><b/></rPr>", b"<rPr><si/></rPr>"),  # an item hidden in a run's formatting
        (b"</si><si><t/>", b"</si>\x0c<si><t/>"),  # a form feed between items
        (b"</t></r></si>", b"</t></r></si>]]>"),
    ],
)
@checked_whole
def test_a_string_table_read_without_expat_is_read_or_refused_as_expat_would(
    damage: tuple[bytes, bytes], largest: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_scan, "_MAX_CHECKED", largest)
    xml = STRING_TABLE.replace(*damage, 1)
    assert xml != STRING_TABLE
    assert _string_table_outcome(xml, fast=True) == _string_table_outcome(xml, fast=False)


def test_worksheet_starts_and_skeletons_are_parsed_once_and_kept_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worksheet's start (to its cells), and its skeleton (the row tags), are parsed by expat once for the process,
    unless long; those kept are bounded, and one that is not well-formed is never kept."""
    for known in ("_KNOWN_HEADS", "_KNOWN_SKELETONS"):
        monkeypatch.setattr(xlsx_scan, known, set())
    monkeypatch.setattr(xlsx_scan, "_MAX_KNOWN", 3)
    parsed: list[bytes] = []
    real_feed = xlsx_scan.feed

    def feed(parser: object, data: bytes | memoryview, *rest: object, **named: object) -> None:
        parsed.append(bytes(data))
        real_feed(parser, data, *rest, **named)  # type: ignore[arg-type]

    monkeypatch.setattr(xlsx_scan, "feed", feed)
    start = SHEET[: SHEET.index(b"<sheetData>")]  # the part before the region's start tag
    skeleton = b'<row r="1" spans="1:3" ht="30" customHeight="1"></row><row r="2"></row>'
    for time in range(2):
        parsed.clear()
        assert _fast_then_expat_sheet(SHEET) == _expat_only_sheet(SHEET)
        assert parsed == ([start, b"<sheetData>", skeleton, b"</sheetData>"] if time == 0 else [])
    assert [start + b"<sheetData>"] == list(xlsx_scan._KNOWN_HEADS)
    assert [skeleton] == list(xlsx_scan._KNOWN_SKELETONS)
    other_rows = SHEET.replace(b'<row r="2">', b'<row r="2" ht="20">')
    parsed.clear()
    assert _fast_then_expat_sheet(other_rows) == _expat_only_sheet(other_rows)
    assert parsed == [b"<sheetData>", skeleton.replace(b'<row r="2">', b'<row r="2" ht="20">'), b"</sheetData>"]
    unbalanced = SHEET.replace(b"</row>", b"", 1)
    assert _fast_then_expat_sheet(unbalanced) == _expat_only_sheet(unbalanced)
    assert len(xlsx_scan._KNOWN_SKELETONS) == 2
    for width in range(5):
        _fast_then_expat_sheet(SHEET.replace(b"<sheetData>", b"<sheetPr/>" * (width + 1) + b"<sheetData>"))
    assert len(xlsx_scan._KNOWN_HEADS) == 3
    for known in ("_KNOWN_HEADS", "_KNOWN_SKELETONS"):
        monkeypatch.setattr(xlsx_scan, known, set())
    broken = SHEET.replace(b"<sheetData>", b"<sheetPr></x><sheetData>")
    assert _fast_then_expat_sheet(broken) == _expat_only_sheet(broken)
    assert not xlsx_scan._KNOWN_HEADS
    long_start = SHEET.replace(b"<sheetData>", b"<sheetPr/>" * 2000 + b"<sheetData>")
    assert _fast_then_expat_sheet(long_start) == _expat_only_sheet(long_start)
    assert not xlsx_scan._KNOWN_HEADS


def test_cell_attributes_are_read_once_and_kept_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell's attributes are read once per distinct text (returns from one template repeat them); long texts
    are read every time and never kept, and no more than the bound are kept."""
    places = xlsx_scan._Attributes()
    monkeypatch.setattr(xlsx_scan, "_PLACES", places)
    monkeypatch.setattr(xlsx_scan, "_MAX_ATTRIBUTES", 3)
    long = ' r="C1"' + " " * 80 + 't="inlineStr"'
    xml = _sheet(f'<row r="1"><c r="A1" s="3" t="s"><v>1</v></c><c{long}><is><t>x</t></is></c></row>')
    first = scan_cells(xml, MAKE_CELL, 10)
    assert first == _expat_cells(xml) == {(0, 0): RawCell("EC1", "text"), (0, 2): RawCell("x", "text")}
    assert list(places) == [b' r="A1" s="3" t="s"']
    assert places[b' r="A1" s="3" t="s"'] == ((0, 0), 3, "s")
    assert scan_cells(xml, MAKE_CELL, 10) == first  # the second time from what was kept
    more = _sheet('<row r="2"><c r="B2" t="b"><v>1</v></c><c r="C2"><v>2</v></c><c r="AB12" s="1"><v>3</v></c></row>')
    assert scan_cells(more, MAKE_CELL, 10) == _expat_cells(more)
    assert len(places) == 3 and b' r="AB12" s="1"' not in places  # full: read, not kept
    assert places[b' s="1" r="AB12"'] == ((11, 27), 1, "n")
    assert places[b' r="A1" ph="1"'] is None and places[b' s="1"'] is None  # another attribute; no reference


def test_rich_text_cells_are_read_once_and_kept_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell's rich-text runs (as Gnumeric writes every text) are read once for the process, malformed ones too (and
    declined each time); no more than the bound are kept, and long runs never."""
    kept = xlsx_scan._RichCells()
    monkeypatch.setattr(xlsx_scan, "_RICH_CELLS", kept)
    monkeypatch.setattr(xlsx_scan, "_MAX_RICH_CELLS", 2)
    runs = '<r><rPr><b val="1"/><sz val="10"/></rPr><t xml:space="preserve">Bold </t></r><r><t>a &amp; b</t></r>'
    twice = runs.replace('<b val="1"/>', '<b val="1" val="0"/>')  # an attribute given twice: malformed
    long = f"<r><t>{'x' * 3000}</t></r>"

    def sheet(content: str) -> bytes:
        return _sheet(f'<row r="1"><c r="A1" t="inlineStr"><is>{content}</is></c></row>')

    for _ in range(2):
        assert (
            _fast_then_expat_sheet(sheet(runs))
            == _expat_only_sheet(sheet(runs))
            == {(0, 0): RawCell("Bold a & b", "text", False)}
        )
        assert scan_cells(sheet(twice), MAKE_CELL, 10) is None
        assert _fast_then_expat_sheet(sheet(twice)) == _expat_only_sheet(sheet(twice)) == "corrupt-file"
    assert kept == {runs.encode(): "Bold a & b", twice.encode(): None}
    assert _fast_then_expat_sheet(sheet(long)) == _expat_only_sheet(sheet(long))
    other = runs.replace("Bold", "Other")
    assert _fast_then_expat_sheet(sheet(other)) == _expat_only_sheet(sheet(other))
    assert len(kept) == 2  # full: read, not kept


def test_rich_text_items_are_read_once_and_kept_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rich-text item's text is kept by the item as written (returns from one template repeat them); no more
    than the bound are kept, and long items never."""
    kept: dict[bytes, str] = {}
    monkeypatch.setattr(xlsx_scan, "_RICH_TEXTS", kept)
    monkeypatch.setattr(xlsx_scan, "_MAX_RICH_TEXTS", 2)
    bold = '<si><r><rPr><b/></rPr><t xml:space="preserve">Bold </t></r><r><t>a &amp; b_x000D_</t></r></si>'
    long = f"<si><r><t>{'x' * 5000}</t></r></si>"
    other = "<si><r><t>other</t></r></si>"
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS}>{bold}<si><t>plain</t></si>{long}{bold}</sst>'.encode()
    expected = ["Bold a & b\r", "plain", "x" * 5000, "Bold a & b\r"]
    assert reader_xlsx._shared_strings(xml, "sst") == _expat_strings(xml) == expected
    assert kept == {bold.encode(): "Bold a & b\r"}
    assert reader_xlsx._shared_strings(xml, "sst") == expected  # the second time from what was kept
    more = f"<sst {NS}>{other}<si><r><t>third</t></r></si>{other}</sst>".encode()
    assert reader_xlsx._shared_strings(more, "sst") == ["other", "third", "other"]
    assert list(kept.values()) == ["Bold a & b\r", "other"]  # full


@pytest.mark.parametrize(
    "items",
    [
        "<si><t>a</t><!-- </si> --></si><si><t>b</t></si>",  # an item that is not well-formed cut out of the table
        "<si><r><t>a</t></r><!-- </si> --></si>",
        "<si><t>a</t><!-- <si> --></si>",
    ],
)
def test_a_comment_in_a_string_table_reads_as_expat_reads_it(items: str) -> None:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS}>{items}</sst>'.encode()
    assert reader_xlsx._shared_strings(xml, "sst") == _expat_strings(xml) == ["a", "b"][: items.count("<t>")]


@pytest.mark.parametrize("gap", ["", " "])  # read in bulk, or item by item (white space between items)
def test_an_escape_written_with_a_reference_is_an_escape(gap: str) -> None:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS}>{gap}<si><t>&#95;x0041_ &amp;#95;</t></si></sst>'
    assert reader_xlsx._shared_strings(xml.encode(), "sst") == _expat_strings(xml.encode()) == ["A &#95;"]
