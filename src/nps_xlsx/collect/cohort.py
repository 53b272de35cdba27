"""Cohort analysis of one round: segments of the council list, and statistics per value code.

Pure functions of pandas frames: the responses frame (:func:`nps_xlsx.collect.tables.responses_frame`, one row
per used return x value code, with ``council_code``, ``area``, ``code_id``, ``score`` and ``category``), the
segments frame (:func:`segments_frame`: the council list's columns grouped by, one row per expected council)
and the chase frame (``council_code`` and ``status``, see :mod:`nps_xlsx.collect.chase`).

- A council is in the segment its row of the council list names, matched by council code (case folded).
  A blank value is the segment :data:`NOT_GIVEN`; a used return of a council not on the list is in
  :data:`NOT_LISTED`. A value on the list with no usable return is an empty segment: zero counts, no median.
- Statistics count scores (1 to the number of levels); ``n`` is the number of scores. Quartiles and medians
  are pandas' default, linear interpolation between the two nearest scores (as Excel's ``QUARTILE.INC``): of
  the scores 1, 2, 4, 5 the lower quartile is 1.75, the median 3 and the upper quartile 4.25.
- The share at Mature or above is of the scores; the share unscored or blank is of the used returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from .. import layout
from ..councils import Council
from ..rubric import Rubric
from .chase import LABELS, PRECEDENCE

NOT_GIVEN = "(not given)"
NOT_LISTED = "(not on the list)"
TOP = 10  # value codes in the list of the widest interquartile ranges
STAT_COLUMNS = [
    "Returns",
    "n",
    "Median",
    "Lower quartile",
    "Upper quartile",
    "Interquartile range",
    "Minimum",
    "Maximum",
]
SHARE_UNSCORED = "Unscored or blank"
PARTICIPATION = ["Expected", *(LABELS[s] for s in PRECEDENCE), "Share returned"]


def segments_frame(expected: Sequence[Council], columns: Sequence[str]) -> pd.DataFrame:
    """One row per expected council, indexed by its code case folded: the values of ``columns`` as on the
    list ("" for blank)."""
    rows = [[dict(c.extra).get(column, "") for column in columns] for c in expected]
    index = pd.Index([c.code.casefold() for c in expected], name="council_code")
    return pd.DataFrame(rows, index=index, columns=list(columns), dtype=object)


def group_fields(segments: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """The values of the segments' columns for each council code in ``codes`` ("" for a council not listed)."""
    found = segments.reindex(codes.astype(str).str.casefold().to_numpy())
    return found.fillna("").reset_index(drop=True)


def segment_order(values: pd.Series, present: pd.Series | None = None) -> list[str]:
    """A grouping's segments: the list's values sorted (case folded), then :data:`NOT_GIVEN` if a value is
    blank, then :data:`NOT_LISTED` if ``present`` (the labels of the used returns) has it."""
    given = sorted({v for v in values if v}, key=lambda v: (v.casefold(), v))
    seen = set(present.unique()) if present is not None else set()
    blank = [NOT_GIVEN] if (values == "").any() or NOT_GIVEN in seen else []
    return [*given, *blank, *([NOT_LISTED] if NOT_LISTED in seen else [])]


def segment_labels(codes: pd.Series, values: pd.Series) -> pd.Series:
    """The segment of each council code in ``codes``, from a column of the segments frame."""
    labels = codes.astype(str).str.casefold().map(values)
    return labels.fillna(NOT_LISTED).replace("", NOT_GIVEN)


def participation(chase: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Per grouping and segment: the expected councils, how many have each chase status, the share returned."""
    parts = []
    for column in segments.columns:
        segment = segment_labels(chase["council_code"], segments[column])
        counts = pd.crosstab(segment, chase["status"]) if len(chase) else pd.DataFrame()
        counts = counts.reindex(index=segment_order(segments[column]), columns=list(PRECEDENCE), fill_value=0)
        counts = counts.rename(columns=LABELS).astype(int)
        counts.insert(0, "Expected", counts.sum(axis=1))
        expected = counts["Expected"].where(counts["Expected"] > 0)
        counts["Share returned"] = counts[LABELS["returned"]] / expected
        parts.append(_labelled(counts, column))
    return _concat(parts, ["Grouping", "Segment", *PARTICIPATION])


def area_distribution(responses: pd.DataFrame, rubric: Rubric, segments: pd.DataFrame) -> pd.DataFrame:
    """Per grouping, key area and segment (in that order): how many answers at each level, unscored and not
    answered, the total, and the median score. An empty segment has zero counts and no median."""
    labels = layout.categories(rubric)
    areas = [a.name for a in rubric.areas]
    parts = []
    for column in segments.columns:
        segment = segment_labels(responses["council_code"], segments[column])
        order = segment_order(segments[column], segment)
        index = pd.MultiIndex.from_product([areas, order], names=["Key area", "Segment"])
        keys = [responses["area"], segment.rename("Segment")]
        counts = responses["category"].groupby([*keys, responses["category"]]).size()
        table = counts.unstack(fill_value=0).reindex(index=index, columns=labels, fill_value=0).astype(int)
        table["Total"] = table.sum(axis=1)
        scored = responses["score"].notna()
        scores = responses["score"][scored].astype(float)
        table["Median"] = scores.groupby([k[scored] for k in keys]).median().reindex(index)
        table = table.reset_index()
        table.insert(0, "Grouping", column)
        parts.append(table[["Grouping", "Segment", "Key area", *labels, "Total", "Median"]])
    return _concat(parts, ["Grouping", "Segment", "Key area", *labels, "Total", "Median"])


def mature_column(rubric: Rubric) -> str:
    return f"At {rubric.levels[rubric.mature_level - 1]} or above"


def code_statistics(responses: pd.DataFrame, rubric: Rubric, segment: pd.Series | None = None) -> pd.DataFrame:
    """Per value code (and segment, if given: a label per row of ``responses``): :data:`STAT_COLUMNS`, the
    share of the scores at Mature or above and the share of the returns unscored or blank.

    One row per value code, or per segment and value code: the segments are ``segment``'s categories if it
    is categorical (so an empty one has its rows), else the labels it holds.
    """
    ids = [c.id for c in rubric.value_codes]
    keys = [responses["code_id"]] if segment is None else [segment.rename("Segment"), responses["code_id"]]
    if segment is None:
        index: pd.Index = pd.Index(ids, name="code_id")
    else:
        order = list(segment.cat.categories) if hasattr(segment, "cat") else list(dict.fromkeys(segment))
        index = pd.MultiIndex.from_product([order, ids], names=["Segment", "code_id"])
    scored = responses["score"].notna()
    scores = responses["score"][scored].astype(float)
    scored_keys = [k[scored] for k in keys]  # made once: each is a copy of a column as long as the scores
    by = scores.groupby(scored_keys, observed=True)
    stats = pd.DataFrame(
        {
            "Returns": responses["code_id"].groupby(keys, observed=True).size(),
            "n": by.size(),
            "Median": by.median(),
            "Lower quartile": by.quantile(0.25),
            "Upper quartile": by.quantile(0.75),
            "Minimum": by.min(),
            "Maximum": by.max(),
            "mature": (scores >= rubric.mature_level).groupby(scored_keys, observed=True).sum(),
            "blank": (~scored).groupby(keys, observed=True).sum(),
        }
    ).reindex(index)
    for column in ("Returns", "n", "mature", "blank"):
        stats[column] = stats[column].fillna(0).astype(int)
    stats["Interquartile range"] = stats["Upper quartile"] - stats["Lower quartile"]
    stats[mature_column(rubric)] = stats["mature"] / stats["n"].where(stats["n"] > 0)
    stats[SHARE_UNSCORED] = stats["blank"] / stats["Returns"].where(stats["Returns"] > 0)
    stats = stats.drop(columns=["mature", "blank"]).reset_index()
    names = {c.id: c.name for c in rubric.value_codes}
    stats.insert(stats.columns.get_loc("code_id") + 1, "Value code", stats["code_id"].map(names))
    stats.insert(stats.columns.get_loc("code_id") + 2, "Key area", stats["code_id"].map(_areas(rubric)))
    return stats.rename(columns={"code_id": "ID"})[_stat_headers(rubric, segment is not None)]


def segment_statistics(responses: pd.DataFrame, rubric: Rubric, segments: pd.DataFrame) -> pd.DataFrame:
    """:func:`code_statistics` per grouping and segment, empty segments included."""
    parts = []
    for column in segments.columns:
        labels = segment_labels(responses["council_code"], segments[column])
        order = segment_order(segments[column], labels)
        segment = pd.Series(pd.Categorical(labels, categories=order), index=responses.index)
        stats = code_statistics(responses, rubric, segment)
        stats.insert(0, "Grouping", column)
        parts.append(stats)
    return _concat(parts, ["Grouping", *_stat_headers(rubric, True)])


def widest_spread(statistics: pd.DataFrame, top: int = TOP) -> pd.DataFrame:
    """The ``top`` value codes with the widest interquartile range (of those scored), ties in rubric order."""
    scored = statistics[statistics["n"] > 0]
    widest = scored.sort_values("Interquartile range", ascending=False, kind="stable").head(top)
    columns = ["ID", "Value code", "Key area", *STAT_COLUMNS[1:]]
    widest = widest[columns].reset_index(drop=True)
    widest.insert(0, "Rank", range(1, len(widest) + 1))
    return widest


@dataclass
class Cohort:
    """The cohort tables of the summary: statistics per value code, and per segment if grouped."""

    statistics: pd.DataFrame
    widest: pd.DataFrame
    groupings: list[str] = field(default_factory=list)
    participation: pd.DataFrame = field(default_factory=pd.DataFrame)
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_segment: pd.DataFrame = field(default_factory=pd.DataFrame)


def build_cohort(
    responses: pd.DataFrame, rubric: Rubric, segments: pd.DataFrame | None = None, chase: pd.DataFrame | None = None
) -> Cohort:
    """Every cohort table; the segment tables only with ``segments`` (and ``chase``, the chase frame)."""
    statistics = code_statistics(responses, rubric)
    cohort = Cohort(statistics, widest_spread(statistics))
    if segments is not None and len(segments.columns):
        cohort.groupings = list(segments.columns)
        chase = chase if chase is not None else pd.DataFrame(columns=["council_code", "status"])
        cohort.participation = participation(chase, segments)
        cohort.areas = area_distribution(responses, rubric, segments)
        cohort.by_segment = segment_statistics(responses, rubric, segments)
    return cohort


def _stat_headers(rubric: Rubric, segmented: bool) -> list[str]:
    start = ["Segment"] if segmented else []
    return [*start, "ID", "Value code", "Key area", *STAT_COLUMNS, mature_column(rubric), SHARE_UNSCORED]


def _areas(rubric: Rubric) -> dict[str, str]:
    return {code.id: area.name for area in rubric.areas for code in area.value_codes}


def _labelled(counts: pd.DataFrame, column: str) -> pd.DataFrame:
    counts = counts.rename_axis("Segment").reset_index()
    counts.columns.name = None
    counts.insert(0, "Grouping", column)
    return counts


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
