"""One council's feedback workbook, in the house style of the summary (:mod:`nps_xlsx.collect.sheets`): a cover,
the profile by key area with its chart, its targets and gaps, the value codes, its own respondents (in respondent
mode), the cohort's distribution with its chart, the change since the previous round and the council's own
comments."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import IO

import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..a1 import column_letter
from ..collect.agreement import DISAGREEMENT
from ..collect.rows import fit_cell
from ..collect.sheet_agreement import YES, spread_fills
from ..collect.sheets import (
    COUNT_WIDTH,
    Rows,
    SummaryFormats,
    alt_text,
    chart_sheet,
    set_properties,
    stacked_chart,
    table_sheet,
    write_text,
)
from ..collect.xlsxwriter_internals import Splice, splice
from ..layout import categories
from ..rubric import Rubric
from ..style import A4, FONT, HIGHLIGHT_FILL, level_colour, row_height
from ..text import plural
from .figures import (
    CHANGE,
    COHORT_MEDIAN,
    COUNCILS,
    GAP,
    HIGHLIGHT,
    LOWER,
    NO_TARGET,
    NOTE,
    PRIORITY,
    STRENGTH,
    UPPER,
    YOUR_LEVEL,
    YOUR_MEDIAN,
    YOUR_SCORE,
    YOUR_TARGET,
    CouncilFeedback,
    Table,
    same,
)
from .respondents import CONSENSUS, CONSENSUS_LEVEL, HIGHEST, LOWEST, RANK

COVER, PROFILE, CODES, DISTRIBUTION = "Cover", "Profile", "Value codes", "Cohort distribution"
DISTRIBUTION_CHART, CHANGE_AREAS = "Distribution chart", "Change by key area"
CHANGE_CODES, COMMENTS, TARGETS = "Change by value code", "Your comments", "Targets and gaps"
RESPONDENTS, DEPARTMENTS, ROLES = "Your respondents", "Your departments", "Your roles"
PRIORITY_FILL = "#FCE4D6"
WRAP = {"Key area": 30, "Value code": 28, "Your level's statement": 50, "Note": 36, "Your comment": 70}


def write_feedback(feedback: CouncilFeedback, rubric: Rubric, produced: datetime, target: Path | IO[bytes]) -> None:
    """Write the council's workbook to ``target``. Small: written in memory, no temporary file."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    book = xlsxwriter.Workbook(buffer, {**options, "strings_to_urls": False})
    splices: list[Splice] = []
    _write_sheets(book, feedback, rubric, produced, Rows(None, splices))
    book.close()
    buffer.seek(0)
    splice(buffer, target, splices)


def _write_sheets(book: Workbook, fb: CouncilFeedback, rubric: Rubric, produced: datetime, rows: Rows) -> None:
    title = f"{rubric.short_title} feedback: {fb.council.name}"  # a PDF of it is known by it (read/own_outputs.py)
    subject = f"Where {fb.council.name} stands against its peers in the {rubric.title}"
    set_properties(book, "feedback", title, subject, rubric, produced)
    fmt = SummaryFormats(book)
    strength = book.add_format({"bg_color": HIGHLIGHT_FILL})
    priority = book.add_format({"bg_color": PRIORITY_FILL})
    cover = book.add_worksheet(COVER)
    one = book.add_format({"font_name": FONT, "num_format": "0.0#", "valign": "top"})  # 3.0, 2.5, 2.75
    two = fmt.two_places
    numbers = {YOUR_MEDIAN: one, COUNCILS: fmt.integer, COHORT_MEDIAN: one, LOWER: two, UPPER: two}
    numbers |= {same(g): one for g, _v, _n in fb.segments}
    profile = table_sheet(book, fmt, rows, PROFILE, _rows(fb.profile), "Profile", WRAP, formats=numbers)
    profile.insert_chart(len(fb.profile.rows) + 3, 0, _profile_chart(book, fb), alt_text(_PROFILE_TITLE, 2.0, 1.8))
    profile.fit_to_pages(1, 1)  # the table and its chart on one page
    gaps = {YOUR_TARGET: fmt.integer, YOUR_MEDIAN: one, GAP: fmt.signed}
    widths = dict.fromkeys(gaps, COUNT_WIDTH)
    table_sheet(book, fmt, rows, TARGETS, _rows(fb.targets), "TargetGaps", {**WRAP, "Note": 56}, widths, gaps)
    codes = table_sheet(
        book,
        fmt,
        rows,
        CODES,
        _rows(fb.codes),
        "ValueCodes",
        WRAP,
        formats={**numbers, YOUR_SCORE: fmt.integer},
        freeze=2,
    )
    _highlights(codes, fb.codes, HIGHLIGHT, {STRENGTH: strength, PRIORITY: priority})
    if fb.respondents is not None:
        _respondent_sheets(book, fmt, rows, fb, len(rubric.levels), {HIGHEST: strength, LOWEST: priority})
    counts = dict.fromkeys(categories(rubric), COUNT_WIDTH)
    levels = dict.fromkeys(categories(rubric), fmt.integer)
    table_sheet(book, fmt, rows, DISTRIBUTION, _rows(fb.distribution), "Distribution", WRAP, counts, levels, freeze=2)
    shown = any(v == v for v in fb.distribution.column(categories(rubric)[0]))
    if shown:
        title = "The cohort's answers to each value code"
        chart = stacked_chart(
            book, rubric, DISTRIBUTION, fb.distribution.frame(), title, "Share of councils", "ID", label="ID"
        )
        chart_sheet(book, DISTRIBUTION_CHART).insert_chart(0, 0, chart, alt_text(title, 1.35, 3.3))
    if fb.change_areas is not None and fb.change_codes is not None:
        changes = {**numbers, CHANGE: fmt.signed, **{c: one for c in fb.change_areas.columns if "median" in c}}
        table_sheet(book, fmt, rows, CHANGE_AREAS, _rows(fb.change_areas), "ChangeByArea", WRAP, formats=changes)
        scores = {c: fmt.integer for c in fb.change_codes.columns if c.startswith(YOUR_SCORE)}
        table_sheet(
            book,
            fmt,
            rows,
            CHANGE_CODES,
            _rows(fb.change_codes),
            "ChangeByCode",
            WRAP,
            formats={**scores, CHANGE: fmt.signed},
        )
    table_sheet(book, fmt, rows, COMMENTS, _rows(fb.comments), "Comments", WRAP, freeze=2)
    _cover(cover, fmt, fb, rubric, shown)
    cover.activate()


def _rows(table: Table) -> tuple[list[str], list[tuple[object, ...]]]:
    return table.columns, table.rows


def _number(value: object) -> float:
    """A figure for a chart: 0 for a blank."""
    return float(value) if isinstance(value, (int, float)) and value == value else 0.0


_PROFILE_TITLE = "Your median in each key area against the cohort's (bars: the middle half of councils)"


def _profile_chart(book: Workbook, fb: CouncilFeedback) -> Chart:
    """Horizontal bars per key area: the council's median, the cohort's median with its interquartile range as
    error bars, and the first grouping's median."""
    chart = book.add_chart({"type": "bar"})
    assert chart is not None
    columns = list(fb.profile.columns)
    last = len(fb.profile.rows)
    categories_range = [PROFILE, 1, 0, last, 0]
    median, lower, upper = ([_number(v) for v in fb.profile.column(c)] for c in (COHORT_MEDIAN, LOWER, UPPER))
    plus = [u - m for m, u in zip(median, upper, strict=True)]
    minus = [m - lo for m, lo in zip(median, lower, strict=True)]
    series: list[tuple[str, str, dict[str, object] | None]] = [(YOUR_MEDIAN, level_colour(4), None)]
    series.append((COHORT_MEDIAN, "#A6A6A6", {"type": "custom", "plus_values": plus, "minus_values": minus}))
    series += [(same(g), level_colour(2), None) for g, _v, _n in fb.segments[:1]]
    for name, colour, bars in series:
        col = columns.index(name)
        options: dict[str, object] = {
            "name": [PROFILE, 0, col],
            "categories": categories_range,
            "values": [PROFILE, 1, col, last, col],
            "fill": {"color": colour},
            "border": {"color": "#404040"},
            "gap": 60,
        }
        if bars:
            options["x_error_bars"] = {**bars, "end_style": 1, "line": {"color": "#000000", "width": 1.25}}
        chart.add_series(options)
    chart.set_title({"name": "Your median in each key area, and the cohort's", "overlay": False})
    chart.set_x_axis({"name": "Median score (1 to 5)", "min": 0, "max": 5, "major_unit": 1})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    return chart


def _highlights(sheet: Worksheet, table: Table, column: str, fills: dict[str, Format]) -> None:
    """Rows filled in colour by the words in ``column`` (e.g. strengths and possible priorities), which say it too."""
    letter = column_letter(list(table.columns).index(column))
    for text, fill in fills.items():
        rule = {"type": "formula", "criteria": f'=${letter}2="{text}"', "format": fill}
        sheet.conditional_format(1, 0, max(1, len(table.rows)), len(table.columns) - 1, rule)


def _respondent_sheets(
    book: Workbook, fmt: SummaryFormats, rows: Rows, fb: CouncilFeedback, n_levels: int, fills: dict[str, Format]
) -> None:
    """The council's own respondents: their spread per value code, and its departments' and roles' medians per
    key area, the highest and lowest filled."""
    assert fb.respondents is not None and fb.departments is not None and fb.roles is not None
    counts = ["Respondents", "Scored", "Minimum", "Maximum", "Spread", CONSENSUS]
    numbers = {**dict.fromkeys(counts, fmt.integer), "Median": fmt.one_place}
    widths = dict.fromkeys([*numbers, "Disagreement"], COUNT_WIDTH)
    wrap = {**WRAP, CONSENSUS_LEVEL: 14}
    sheet = table_sheet(book, fmt, rows, RESPONDENTS, _rows(fb.respondents), "Respondents", wrap, widths, numbers, 2)
    at = fb.respondents.columns.index("Spread")
    spread_fills(book, sheet, (1, at, len(fb.respondents.rows), at), n_levels)
    for title, table, name in ((DEPARTMENTS, fb.departments, "Departments"), (ROLES, fb.roles, "Roles")):
        groups = {table.columns[1]: 26, **WRAP}
        sheet = table_sheet(book, fmt, rows, title, _rows(table), name, groups, widths, numbers, 2)
        _highlights(sheet, table, RANK, fills)


def _cover(sheet: Worksheet, fmt: SummaryFormats, fb: CouncilFeedback, rubric: Rubric, distribution: bool) -> None:
    """The council, the round, the cohort, the highlights and how to read the pages."""
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
    write_text(sheet, 0, 0, f"{fb.council.name}: where you stand", fmt.title)
    subtitle = f"{rubric.title}, round {fb.label}"
    sheet.merge_range(1, 0, 1, 1, fit_cell(subtitle), fmt.subtitle)  # a line of prose across both columns
    row = 3
    for label, value in _facts(fb, rubric):
        write_text(sheet, row, 0, label, fmt.label)
        write_text(sheet, row, 1, value, fmt.wrap)
        sheet.set_row(row, row_height([(value, 100)], 11))
        row += 1
    row += 1
    write_text(sheet, row, 0, "How to read these pages", fmt.label)
    for label, value in _pages(fb, rubric, distribution):
        row += 1
        write_text(sheet, row, 0, label, fmt.text)
        write_text(sheet, row, 1, value, fmt.wrap)
        sheet.set_row(row, row_height([(value, 100)], 11))
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)


def _facts(fb: CouncilFeedback, rubric: Rubric) -> list[tuple[str, str]]:
    codes, least = fb.codes, fb.min_cohort
    scored = sum(1 for s in codes.column(YOUR_SCORE) if s == s)
    unscored = codes.column(YOUR_LEVEL).count(rubric.unscored)
    blank = len(codes.rows) - scored - unscored
    facts = [
        ("Council", f"{fb.council.name} ({fb.council.code})" if fb.council.code else fb.council.name),
        ("Round", fb.label),
        ("Councils that responded", f"{fb.cohort_size:,}: the cohort you are compared with (your council included)"),
        (
            "Your answers",
            f"{scored} of {len(codes.rows)} value codes scored, {unscored} unscored, {blank} not answered",
        ),
    ]
    if fb.respondents is not None:
        facts.append(("Your respondents", _respondents_fact(fb.respondents)))
    if fb.cohort_size < least:
        facts.append(("Cohort figures", f"Fewer than {least} councils responded, so no cohort figures are shown."))
    for grouping, value, n in fb.segments:
        if not value:
            text = f"not known: your council's {grouping} is not given, so no figures for similar councils are shown"
        elif n < least:
            text = f"{value}: fewer than {least} councils of this {grouping} responded, so their figures are not shown"
        else:
            text = f"{value}: {plural(n, 'council')} of this {grouping} responded (yours included)"
        facts.append((f"Similar councils ({grouping})", text))
    top = " or ".join(rubric.levels[-2:])
    strengths, priorities = codes.column(HIGHLIGHT).count(STRENGTH), codes.column(HIGHLIGHT).count(PRIORITY)
    facts.append(("Strengths", f"{plural(strengths, 'value code')} at {top} (see the sheet {CODES!r})"))
    facts.append(
        ("Possible priorities", f"{plural(priorities, 'value code')} below the cohort's middle half (see {CODES!r})")
    )
    if fb.previous_label is not None:
        took_part = "took part" if fb.in_previous else "was not found"
        facts.append(("Previous round", f"{fb.previous_label}: your council {took_part} in that round"))
    facts.append(
        (
            "Whose figures",
            f"Only your own answers are shown as they are. Figures for a group of councils are given only where at "
            f"least {least} councils contribute, never a minimum or maximum, and no other council is named."
            + (" The figures of respondents are of your own respondents only." if fb.respondents is not None else ""),
        )
    )
    facts.append(("Targets and gaps", _targets_fact(fb.targets, len(rubric.areas))))
    return facts


def _respondents_fact(table: Table) -> str:
    """The cover's line on the council's own respondents: how many, and on how many value codes they disagree."""
    n = max((int(v) for v in table.column("Respondents") if isinstance(v, (int, float))), default=0)
    disagree = table.column("Disagreement").count(YES)
    return (
        f"{plural(n, 'respondent')}; they disagree (a spread of {DISAGREEMENT} levels or more) on {disagree} of "
        f"{plural(len(table.rows), 'value code')}. Your results are their consensus; see {RESPONDENTS!r} and "
        f"{DEPARTMENTS!r}."
    )


def _targets_fact(targets: Table, n_areas: int) -> str:
    """The cover's line on the council's targets: how many it set, and below how many it stands."""
    notes = targets.column(NOTE)
    chosen = n_areas - notes.count(NO_TARGET)
    if not chosen:
        return (
            "You set no target level, so no gap is shown (each key-area sheet of the workbook has an optional "
            "'Your target level')."
        )
    below = sum(1 for gap in targets.column(GAP) if isinstance(gap, float) and gap > 0)
    return (
        f"{chosen} of {n_areas} key areas have a target; your median is below it in {below} (see the sheet {TARGETS!r})"
    )


def _pages(fb: CouncilFeedback, rubric: Rubric, distribution: bool) -> list[tuple[str, str]]:
    groupings = ", ".join(f"'{same(g)}'" for g, _v, _n in fb.segments)
    similar = f" {groupings} is the median of the councils like yours." if groupings else ""
    pages = [
        (
            PROFILE,
            "Per key area, your median score against the cohort's median and its middle half (the lower to the upper "
            f"quartile): 'Where you sit' says whether you are below, within or above it.{similar} The chart shows "
            "every key area.",
        ),
        (
            TARGETS,
            "Per key area, the target level you chose, your median there (as on 'Profile') and the gap, your target "
            "minus your median: positive where you aim higher than you stand now. Only your own targets are shown.",
        ),
        (
            CODES,
            "Per value code, your level and its statement, how many councils scored it, the cohort's median and "
            f"quartiles and where you sit. Highlight: a Strength is a score of {' or '.join(rubric.levels[-2:])}; a "
            "Possible priority is a score below the cohort's lower quartile.",
        ),
        (DISTRIBUTION, "Per value code, how many councils gave each level, left it unscored or did not answer."),
    ]
    if fb.respondents is not None:
        pages[3:3] = [  # after the value codes, as in the workbook
            (
                RESPONDENTS,
                "Per value code, how many of your respondents scored it, their median, lowest and highest score, "
                f"the spread (highest minus lowest; {DISAGREEMENT} or more is a disagreement) and your consensus.",
            ),
            (
                DEPARTMENTS,
                "Per key area, each of your departments' median score; the highest and lowest are marked and filled.",
            ),
            (ROLES, f"The same as {DEPARTMENTS!r}, by your respondents' roles."),
        ]
    if distribution:
        pages.append((DISTRIBUTION_CHART, "The same distribution as a chart: a bar per value code."))
    if fb.change_areas is not None:
        pages.append((CHANGE_AREAS, f"Your median per key area in {fb.previous_label} and now, and the change."))
        pages.append((CHANGE_CODES, f"Your score per value code in {fb.previous_label} and now, and the change."))
    pages.append((COMMENTS, "Your own comments, as you wrote them."))
    return pages
