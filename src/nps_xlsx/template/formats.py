"""The cell formats of the diagnostic workbook (the template and its personalised copies)."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from ..style import (
    FONT,
    HEADER_FILL,
    HIGHLIGHT_FILL,
    INPUT_FILL,
    PREFILLED_FILL,
    UNSCORED_COLOUR,
    HouseFormats,
    level_colour,
)


class Formats(HouseFormats):
    """The cell formats of the diagnostic workbook, created once."""

    def __init__(self, workbook: Workbook, n_levels: int) -> None:
        super().__init__(workbook)
        add = workbook.add_format
        base = {"font_name": FONT, "font_size": 10, "valign": "top", "text_wrap": True}
        self.subtitle = add({"font_name": FONT, "font_size": 12, "italic": True})
        self.heading = add({"font_name": FONT, "bold": True, "font_size": 13, "font_color": HEADER_FILL, "bottom": 1})
        self.text = add(base)
        self.bold = add({**base, "bold": True})
        self.small = add({**base, "font_size": 9, "font_color": "#595959"})
        self.link = add({**base, "font_color": "#0563C1", "underline": 1})
        self.header = add(
            {**base, "bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "border": 1, "valign": "vcenter"}
        )
        self.cell = add({**base, "border": 1, "border_color": "#BFBFBF"})
        self.id = add({**base, "border": 1, "border_color": "#BFBFBF", "bold": True})
        self.input = add({**base, "border": 2, "bg_color": INPUT_FILL, "locked": False})
        self.score = add(
            {**base, "border": 2, "bg_color": INPUT_FILL, "locked": False, "bold": True, "align": "center"}
        )
        self.choice = add({**base, "border": 2, "bg_color": INPUT_FILL, "locked": False, "align": "center"})
        self.target_label = add({**base, "bold": True, "text_wrap": False, "valign": "vcenter", "align": "right"})
        self.hint = add(
            {"font_name": FONT, "font_size": 9, "italic": True, "font_color": "#595959", "valign": "vcenter"}
        )
        self.date = add(
            {**base, "border": 2, "bg_color": INPUT_FILL, "locked": False, "num_format": "dd/mm/yyyy", "align": "left"}
        )
        self.chosen = add({"bold": True, "bg_color": HIGHLIGHT_FILL, "border": 2, "border_color": "#00B050"})
        # a pre-filled answer not changed yet (a conditional format), the cover's notice saying so, and the
        # metadata sheet's copy of the answers
        self.prefilled = add({"bg_color": PREFILLED_FILL, "font_color": HEADER_FILL, "italic": True})
        self.notice = add({**base, "bold": True, "bg_color": PREFILLED_FILL, "font_color": HEADER_FILL, "border": 1})
        self.stored = add({"num_format": "@"})
        self.count = add({**base, "border": 1, "border_color": "#BFBFBF", "align": "center"})
        self.count_total = add({**base, "border": 1, "bold": True, "align": "center", "top": 2})
        self.label_total = add({**base, "border": 1, "bold": True, "top": 2})
        grid = {"font_name": FONT, "font_size": 9, "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"}
        self.grid_area = add({**grid, "bold": True, "bg_color": "#DDEBF7"})
        self.grid_code = add({**grid, "text_wrap": True})
        self.grid_cell = add(grid)
        self.grid_score = add({**grid, "bold": True})
        # the grid's conditional fills: each level's colour, then Unscored's
        fills = [level_colour(i) for i in range(1, n_levels + 1)] + [UNSCORED_COLOUR]
        self.level_fills = [add({"bg_color": colour, "border": 2, "border_color": "#000000"}) for colour in fills]
