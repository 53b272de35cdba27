"""Does every cell's text fit its cell on the printed page? Read from a PDF rendered by LibreOffice.

LibreOffice does not size rows to their text: a row that is too short for its wrapped lines either
has its text drawn over the next row (the summary's comments before issue 11) or cut off at the
cell's edge (a long comment in a key-area row). poppler's ``pdftotext -bbox-layout`` gives every
word drawn on each page with its box, so both show without looking at pixels:

* :func:`overlaps`: two words drawn over each other. Lines of one cell overlap their neighbours
  by about a quarter of their height (the font's ascent and descent exceed the line pitch); a line
  drawn over another row's lines overlaps it by more than half, whatever the offset. ``row`` when
  the two sit on different baselines (a row too short), ``column`` on the same one (a column too
  narrow).
* :func:`missing_words`: words of the workbook's cells (read with openpyxl) that no page shows,
  so text that was cut off. Counted as multisets, so a word's repeats elsewhere can mask a loss;
  a long word broken across lines (a file path) counts as shown.

Neither needs to know where a cell lands on the page. What they cannot see: text overflowing
into an empty cell below that is neither drawn over other text nor cut.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from defusedxml import ElementTree
from openpyxl.utils import range_boundaries

from .clients import run_program
from .conftest import require_program

XHTML = "{http://www.w3.org/1999/xhtml}"
OVERLAP = 0.4  # of the smaller word's height; a cell's own lines overlap by about 0.23
SAME_BASELINE = 0.5  # points


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    line: str  # the whole line pdftotext found it on (it may span several cells)


@dataclass(frozen=True)
class Overlap:
    kind: str  # "row" (different baselines) or "column" (the same baseline)
    first: Word
    second: Word

    def __str__(self) -> str:
        return f"page {self.first.page}: {self.first.line!r} is drawn over {self.second.line!r} ({self.kind})"


def pdf_words(pdf: Path) -> list[Word]:
    """Every word on every page of ``pdf``, with its box in points (origin top left)."""
    result = run_program([require_program("pdftotext"), "-bbox-layout", str(pdf), "-"], "pdftotext")
    assert result.returncode == 0, result.stderr
    root = ElementTree.fromstring(result.stdout)
    words = []
    for number, page in enumerate(root.iter(f"{XHTML}page"), 1):
        for line in page.iter(f"{XHTML}line"):
            boxes = list(line.iter(f"{XHTML}word"))
            text = " ".join(box.text or "" for box in boxes)
            for box in boxes:
                x0, y0, x1, y1 = (float(box.get(key, "0")) for key in ("xMin", "yMin", "xMax", "yMax"))
                words.append(Word(number, x0, y0, x1, y1, box.text or "", text))
    return words


def overlaps(words: list[Word]) -> list[Overlap]:
    """Pairs of words drawn over each other, one pair per pair of lines, in page order."""
    found: dict[tuple[int, str, str, str], Overlap] = {}
    ordered = sorted(words, key=lambda word: (word.page, word.y0))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.page != a.page or b.y0 >= a.y1:
                break
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            down = min(a.y1, b.y1) - max(a.y0, b.y0)
            if across > 0.5 and down > OVERLAP * min(a.y1 - a.y0, b.y1 - b.y0):
                same = abs(a.y0 - b.y0) < SAME_BASELINE and abs(a.y1 - b.y1) < SAME_BASELINE
                kind = "column" if same else "row"
                found.setdefault((a.page, kind, a.line, b.line), Overlap(kind, a, b))
    return list(found.values())


@dataclass(frozen=True)
class CellText:
    where: str  # Sheet!A1
    text: str
    wrapped: bool


def cell_texts(xlsx: Path) -> list[CellText]:
    """The text cells a print of ``xlsx`` shows: visible sheets, within each sheet's print area."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        workbook = openpyxl.load_workbook(xlsx)
    cells = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        area = sheet.print_area  # "'Sheet'!$A$1:$J$7", or None for the whole sheet
        bounds = range_boundaries(area.split(",")[0].split("!")[-1].replace("$", "")) if area else None
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or cell.data_type == "f" or not cell.value.strip():
                    continue
                if bounds and not (bounds[0] <= cell.column <= bounds[2] and bounds[1] <= cell.row <= bounds[3]):
                    continue
                where = f"{sheet.title}!{cell.coordinate}"
                cells.append(CellText(where, cell.value, bool(cell.alignment.wrap_text)))
    return cells


def _tokens(text: str) -> list[str]:
    """Words, split at white space and after "!" (LibreOffice breaks a line after the "!" of ``Sheet!I4``)."""
    return [token for token in re.split(r"\s+|(?<=!)", unicodedata.normalize("NFKC", text)) if token]


def missing_words(cells: list[CellText], words: list[Word]) -> Counter[str]:
    """The words of ``cells`` that no page shows, with how many of each are missing."""
    shown = Counter(token for word in words for token in _tokens(word.text))
    wanted = Counter(token for cell in cells for token in _tokens(cell.text))
    spare = shown - wanted  # shown but in no cell: headers and footers, chart labels, formula results
    missing: Counter[str] = Counter()
    for token, count in sorted((wanted - shown).items()):
        missing[token] = sum(1 for _ in range(count) if not _take_pieces(token, spare))
    return +missing


def _take_pieces(token: str, shown: Counter[str]) -> bool:
    """Whether ``token`` is shown broken across lines (pieces not used by other cells); takes them if so."""
    for cut in range(len(token) - 1, 0, -1):
        head = token[:cut]
        if shown[head] > 0:
            shown[head] -= 1
            if shown[token[cut:]] > 0:
                shown[token[cut:]] -= 1
                return True
            if _take_pieces(token[cut:], shown):
                return True
            shown[head] += 1
    return False


@dataclass(frozen=True)
class Fit:
    """What a rendering shows of a workbook's text that does not fit its cells."""

    overlaps: list[Overlap]
    missing: Counter[str]  # words not shown on any page
    cells: list[CellText]

    def row_problems(self) -> list[str]:
        """Text too tall for its row: drawn over the next row, or cut off (words of wrapped cells not shown)."""
        return self._problems("row", wrapped=True)

    def column_problems(self) -> list[str]:
        """Text too wide for its column: drawn over the next cell, or cut off (words of other cells not shown)."""
        return self._problems("column", wrapped=False)

    def _problems(self, kind: str, wrapped: bool) -> list[str]:
        drawn = [str(overlap) for overlap in self.overlaps if overlap.kind == kind]
        holders: dict[str, list[CellText]] = {token: [] for token in self.missing}
        for cell in self.cells:
            for token in set(_tokens(cell.text)) & holders.keys():
                holders[token].append(cell)
        cut = [
            f"{token!r} ×{count} not shown on any page (it is in {', '.join(c.where for c in holders[token][:3])}…)"
            for token, count in self.missing.items()
            if any(cell.wrapped for cell in holders[token]) == wrapped
        ]
        return drawn + cut


def fit(xlsx: Path, pdf: Path) -> Fit:
    """Check the rendering ``pdf`` of ``xlsx``."""
    words = pdf_words(pdf)
    cells = cell_texts(xlsx)
    return Fit(overlaps(words), missing_words(cells, words), cells)
