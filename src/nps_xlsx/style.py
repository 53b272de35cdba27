"""Colours, fonts and text measurement shared by every workbook we write."""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

# One colour per level (1 to 5, then any further levels reuse the last), and the
# two non-scores. Sequential, so order reads without a legend; colour-blind safe.
LEVEL_COLOURS = ("#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487", "#440154")
UNSCORED_COLOUR = "#A6A6A6"
NOT_ANSWERED_COLOUR = "#E7E6E6"
INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#1F4E78"
HIGHLIGHT_FILL = "#C6EFCE"
PREFILLED_FILL = "#DDEBF7"  # a pre-filled answer not changed yet: light blue, apart from the inputs' yellow
FONT = "Calibri"
A4 = 9  # the paper size every sheet is printed on (XlsxWriter's set_paper index)

# Points per line of wrapped text, and characters per unit of column width, for
# estimating row heights (no spreadsheet autofits rows written by a library).
LINE_HEIGHT = {9: 12.0, 10: 13.2, 11: 14.6}
CHARS_PER_WIDTH_UNIT = {9: 1.42, 10: 1.3, 11: 1.18}
MAX_ROW_HEIGHT = 409.0


def level_colour(score: int) -> str:
    """Fill colour for level ``score`` (1-based)."""
    return LEVEL_COLOURS[min(score, len(LEVEL_COLOURS)) - 1]


def category_colours(n_levels: int) -> list[str]:
    """Colours for each level, then Unscored, then Not answered: the same in every chart we draw."""
    return [level_colour(i) for i in range(1, n_levels + 1)] + [UNSCORED_COLOUR, NOT_ANSWERED_COLOUR]


def level_points(n_levels: int, border: str) -> list[dict[str, dict[str, str]]]:
    """A chart series' points coloured as :func:`category_colours`, one per level, Unscored and Not answered."""
    return [{"fill": {"color": c}, "border": {"color": border}} for c in category_colours(n_levels)]


def text_lines(text: str, width: float, font_size: int = 10) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide (breaking at spaces, as spreadsheets do,
    and a word longer than a line into pieces). Each line of a paragraph is found by one regular-expression
    match, so the summary can estimate thousands of comments quickly."""
    per_line = max(1, int(width * CHARS_PER_WIDTH_UNIT[font_size]))
    if len(text) <= per_line:  # every paragraph fits on a line
        return text.count("\n") + 1
    line = _line_pattern(per_line)
    lines = 0
    for paragraph in text.split("\n"):
        if len(paragraph) <= per_line:
            lines += 1
            continue
        found = len(line.findall(paragraph)) or 1
        # A word too long for a line that holds hyphens may break at them too, into more lines than the pieces the
        # pattern counts ("aa--aa" in 3: "aa-", "-", "aa"); rare (paths, URLs), so count those the slow way.
        if "-" in paragraph and _long_word(per_line).search(paragraph):
            found = max(found, len(textwrap.wrap(paragraph, per_line, expand_tabs=False)))
        lines += found
    return lines


@lru_cache(maxsize=64)
def _line_pattern(per_line: int) -> re.Pattern[str]:
    """One line of wrapped text: from a non-space, as much as fits that ends before a space or the end; else
    (a word too long for a line) a line's worth of it."""
    return re.compile(rf"\S.{{0,{per_line - 1}}}(?=\s|$)|\S{{{per_line}}}")


@lru_cache(maxsize=64)
def _long_word(per_line: int) -> re.Pattern[str]:
    """A word longer than a line."""
    return re.compile(rf"\S{{{per_line + 1}}}")


def lines_height(lines: int, font_size: int = 10, minimum: float = 15.0, padding: float = 6.0) -> float:
    """The height (points) of a row showing ``lines`` lines of text, within Excel's maximum."""
    return min(MAX_ROW_HEIGHT, max(minimum, lines * LINE_HEIGHT[font_size] + padding))


def row_height(
    texts_and_widths: list[tuple[str, float]], font_size: int = 10, minimum: float = 15.0, padding: float = 6.0
) -> float:
    """A row height (points) that shows every text in full, within Excel's maximum."""
    lines = max((text_lines(text, width, font_size) for text, width in texts_and_widths), default=1)
    return lines_height(lines, font_size, minimum, padding)


def column_pixels(width: float) -> int:
    """A column's width on screen in pixels at 100% zoom, for a width in character units (as Excel draws it)."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)


class HouseFormats:
    """The formats every workbook we write shares; each workbook's own ``Formats`` adds the rest."""

    def __init__(self, workbook: Workbook) -> None:
        self.title = workbook.add_format({"font_name": FONT, "bold": True, "font_size": 18, "font_color": HEADER_FILL})
