"""Build the diagnostic workbook (blank or personalised) with xlsxwriter."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import __version__, layout
from ..councils import Council, check_council
from ..rubric import Rubric
from ..style import FONT, HEADER_FILL, HIGHLIGHT_FILL, INPUT_FILL, UNSCORED_COLOUR, level_colour
from .area import write_area_sheet
from .cover import write_cover_sheet
from .your_summary import write_summary_sheet

# Sheets stay protected; these are the things a council may still do on them.
PROTECTION_OPTIONS = {"format_rows": True, "format_columns": True}


@dataclass(frozen=True)
class BuildOptions:
    """What varies between builds of the same rubric."""

    generated_at: datetime
    password: str = ""


def build_time(now: datetime | None = None) -> datetime:
    """The build timestamp: ``SOURCE_DATE_EPOCH`` if set, else the start of today (UTC).

    Using the day, not the second, keeps repeated runs byte-identical.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def metadata(rubric: Rubric, council: Council | None, generated_at: datetime) -> dict[str, str]:
    """The identity written to the hidden metadata sheet and the document properties."""
    values = {
        "template_id": layout.TEMPLATE_ID,
        "layout_version": layout.LAYOUT_VERSION,
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rubric_title": rubric.title,
        "rubric_fingerprint": rubric.fingerprint,
        "tool_version": __version__,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "council_code": council.code if council else "",
        "council_name": council.name if council else "",
    }
    return {key: values[key] for key in layout.META_KEYS}


class Formats:
    """The cell formats of one workbook, created once."""

    def __init__(self, workbook: xlsxwriter.Workbook, n_levels: int) -> None:
        add = workbook.add_format
        base = {"font_name": FONT, "font_size": 10, "valign": "top", "text_wrap": True}
        self.title = add({"font_name": FONT, "bold": True, "font_size": 18, "font_color": HEADER_FILL})
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
        self.date = add(
            {**base, "border": 2, "bg_color": INPUT_FILL, "locked": False, "num_format": "dd/mm/yyyy", "align": "left"}
        )
        self.chosen = add({"bold": True, "bg_color": HIGHLIGHT_FILL, "border": 2, "border_color": "#00B050"})
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


def build_workbook(rubric: Rubric, options: BuildOptions, council: Council | None = None) -> bytes:
    """The diagnostic workbook as ``.xlsx`` bytes, personalised when ``council`` is given.

    Raises :class:`~nps_xlsx.errors.CouncilListError` for a council whose name or code no workbook can hold.
    """
    if council is not None:
        check_council(council)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    meta = metadata(rubric, council, options.generated_at)
    title = rubric.title + (f" - {council.name}" if council else "")
    workbook.set_properties(
        {
            "title": title,
            "subject": f"{rubric.short_title} self-assessment workbook",
            "author": "nps-xlsx",
            "keywords": f"{layout.TEMPLATE_ID}, {rubric.id}, {rubric.version}",
            "comments": f"Generated by nps-xlsx {__version__}; rubric fingerprint {rubric.fingerprint}",
            "created": options.generated_at.replace(tzinfo=None),
        }
    )
    for key, value in meta.items():
        if value:
            workbook.set_custom_property(f"nps_{key}", value)
    workbook.set_custom_property(layout.OUTPUT_PROPERTY, "personalised" if council else "template")
    formats = Formats(workbook, len(rubric.levels))
    sheets = [write_cover_sheet(workbook, formats, rubric, council, meta)]
    sheets += [write_area_sheet(workbook, formats, rubric, area) for area in rubric.areas]
    sheets.append(write_summary_sheet(workbook, formats, rubric))
    sheets.append(_write_meta_sheet(workbook, formats, meta))
    for sheet in sheets:
        sheet.protect(options.password, PROTECTION_OPTIONS)
    _define_input_names(workbook, rubric)
    workbook.close()
    return buffer.getvalue()


def _write_meta_sheet(workbook: xlsxwriter.Workbook, formats: Formats, meta: dict[str, str]) -> Worksheet:
    sheet = workbook.add_worksheet(layout.META_SHEET)
    sheet.write_string(0, 0, "key", formats.bold)
    sheet.write_string(0, 1, "value", formats.bold)
    for row, (key, value) in enumerate(meta.items(), start=1):
        sheet.write_string(row, 0, key)
        if value:
            sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 70)
    sheet.hide()
    return sheet


def _define_input_names(workbook: xlsxwriter.Workbook, rubric: Rubric) -> None:
    for index, (name, _label) in enumerate(layout.COVER_FIELDS):
        ref = layout.cell_ref(layout.cover_input_row(index), layout.COVER_INPUT_COL, absolute=True)
        workbook.define_name(name, "=" + layout.sheet_ref(layout.COVER_SHEET, ref))
    for area in rubric.areas:
        for cells in layout.code_cells(rubric, area):
            score = layout.cell_ref(cells.row, cells.score_col, absolute=True)
            comment = layout.cell_ref(cells.row, cells.comment_col, absolute=True)
            workbook.define_name(layout.score_name(cells.code_id), "=" + layout.sheet_ref(area.sheet, score))
            workbook.define_name(layout.comment_name(cells.code_id), "=" + layout.sheet_ref(area.sheet, comment))
