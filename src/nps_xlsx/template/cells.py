"""Cells of a built workbook changed in its XML: formulas' cached results dropped, empty cells given text.

A pre-filled copy (``generate --prefill``) is the pre-filled template with each council's answers put into its
empty input cells. Each worksheet part holding such cells is cut around them once (:class:`CutPart`); a copy is
then the pieces joined with its answers, as inline strings escaped as xlsxwriter escapes text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..text import escape_text

# A formula cell as xlsxwriter writes it: ``<c r="B10" s="4" t="str"><f>…</f><v>0 of 59 answered</v></c>``.
_CACHED_RESULT = re.compile(
    r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)(?: t="[a-zA-Z]+")?>(<f(?: [^>]*)?>[^<]*</f>)<v>[^<]*</v></c>'
)
# An empty cell, as xlsxwriter writes a blank cell with a format: ``<c r="I5" s="12"/>``.
_EMPTY = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)/>')


def drop_cached_results(xml: str) -> str:
    """Worksheet XML with every formula's cached result removed (the formula and style kept).

    The template's formulas (the Cover's "N of 59 answered", the "Your summary" counts) carry
    the result for a blank workbook. Once inputs are filled in, that result is stale:
    LibreOffice shows a cached result as it is (it ignores ``fullCalcOnLoad``) and computes
    only formulas without one; Excel recalculates everything on load (``fullCalcOnLoad``,
    which the template sets). With no cached result, every program shows the right figures.
    """
    return _CACHED_RESULT.sub(r'<c r="\1"\2>\3</c>', xml)


@dataclass(frozen=True)
class _Slot:
    name: str  # what the cell is filled with: the text of this name
    empty: bytes  # the cell as it is, kept when there is no text
    head: bytes  # the cell's start: ``<c r="I5" s="12"``


class CutPart:
    """A worksheet part cut around its empty cells that can be given text, each known by a name."""

    def __init__(self, xml: bytes, names: Mapping[str, str]) -> None:
        """``names``: cell reference (``I5``) -> name; every one must be an empty cell of ``xml``."""
        self.pieces: list[bytes | _Slot] = []
        last = 0
        for match in _EMPTY.finditer(xml):
            name = names.get(match[1].decode())
            if name is not None:
                self.pieces += [xml[last : match.start()], _Slot(name, match[0], b'<c r="%s"%s' % (match[1], match[2]))]
                last = match.end()
        self.pieces.append(xml[last:])
        found = {piece.name for piece in self.pieces if isinstance(piece, _Slot)}
        if len(found) != len(names):
            missing = sorted(set(names.values()) - found)
            raise ValueError(f"no empty cell for {', '.join(missing[:5])} in the part")

    def fill(self, texts: Mapping[str, str]) -> bytes:
        """The part with each cell whose name has a non-empty text in ``texts`` holding that text."""
        out = []
        for piece in self.pieces:
            if isinstance(piece, bytes):
                out.append(piece)
            elif text := texts.get(piece.name):
                out.append(text_cell(piece.head, text))
            else:
                out.append(piece.empty)
        return b"".join(out)


def text_cell(head: bytes, text: str) -> bytes:
    """A cell (``head`` is its start, ``<c r="I5" s="12"``) holding ``text`` as an inline string."""
    return head + b' t="inlineStr"><is><t xml:space="preserve">' + escape_text(text).encode() + b"</t></is></c>"
