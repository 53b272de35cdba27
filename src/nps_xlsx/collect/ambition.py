"""Ambition and needs: each council's target level per key area (and the gap to where it is now), and the value
codes councils mark High priority or ask support on, overall and per segment.

Pure functions of small frames built from the used returns (:func:`targets_frame`, :func:`choices_frame`) and the
responses frame (:func:`nps_xlsx.collect.tables.responses_frame`).

- A council's area median is the median of its scores in the key area (Unscored and blanks left out); its gap is
  its target minus that median: positive when it aims higher than it stands now.
- Ranks count down from the value code marked most often (1); ties share the better rank.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from .. import layout
from ..columns import PRIORITY_COLUMNS
from ..rubric import Rubric
from .cohort import segment_labels, segment_order
from .collection import Collection

ALL = "All councils"
NO_TARGET = "No target"
GAP_COLUMNS = ["Council", "Code", "Key area", "Area median", "Target", "Gap"]


def targets_frame(collection: Collection, rubric: Rubric) -> pd.DataFrame:
    """One row per used return x key area: ``council``, ``council_code``, ``source_file``, ``area``, ``target``
    (the level, ``<NA>`` when none was set or the return's layout has none)."""
    rows = []
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        levels = {target.area_id: target.level for target in response.targets}
        council, code = response.council_name or "", entry.code or ""
        rows += [(council, code, entry.report.path, area.name, levels.get(area.id)) for area in rubric.areas]
    frame = pd.DataFrame(rows, columns=["council", "council_code", "source_file", "area", "target"])
    frame["target"] = frame["target"].astype("Int64")
    return frame


def choices_frame(collection: Collection, responses: pd.DataFrame) -> pd.DataFrame:
    """One row per used return x value code: ``council``, ``council_code``, ``code_id``, ``priority``, ``support``.

    The first three are the responses frame's (its rows are the same, in the same order), not made again."""
    priority: list[str | None] = []
    support: list[str | None] = []
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        priority += [a.priority for a in response.answers]
        support += [a.support for a in response.answers]
    choices = responses[["council", "council_code", "code_id"]].astype(object)
    choices["priority"] = pd.Series(priority, index=choices.index, dtype=object)
    choices["support"] = pd.Series(support, index=choices.index, dtype=object)
    return choices


def area_gaps(targets: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """``targets`` (a row per return and key area: ``source_file``, ``area``, ``target``, any others kept), in its
    order, with ``median`` (the return's area median; NaN where it scored nothing there) and ``gap`` (the target
    minus the median; NaN without either)."""
    scored = responses.loc[responses["score"].notna(), ["source_file", "area", "score"]]  # not every column
    medians = (
        scored.assign(score=scored["score"].astype(float))
        .groupby(["source_file", "area"], as_index=False)["score"]
        .median()
        .rename(columns={"score": "median"})
    )
    out = targets.merge(medians, on=["source_file", "area"], how="left", validate="many_to_one")
    out["median"] = out["median"].astype(float)
    out["gap"] = out["target"].astype(float) - out["median"]
    return out.set_axis(targets.index)


def target_gaps(targets: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """Each council and key area with a target: its area median, its target and the gap (:data:`GAP_COLUMNS`)."""
    set_ = area_gaps(targets[targets["target"].notna()], responses)
    return pd.DataFrame(
        {
            "Council": set_["council"].to_numpy(),
            "Code": set_["council_code"].to_numpy(),
            "Key area": set_["area"].to_numpy(),
            "Area median": set_["median"].to_numpy(),
            "Target": set_["target"].astype(float).to_numpy(),
            "Gap": set_["gap"].to_numpy(),
        },
        columns=GAP_COLUMNS,
    )


def answer_ambition(collection: Collection, rubric: Rubric) -> Iterator[tuple[str | None, str | None, int | None]]:
    """Per used return x value code, in the order of :func:`nps_xlsx.collect.tables.response_rows`: the answer's
    priority and support wanted and its key area's target level (each ``None`` when none)."""
    area_of = {code.id: area.id for area in rubric.areas for code in area.value_codes}
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        levels = {target.area_id: target.level for target in response.targets}
        for answer in response.answers:
            yield answer.priority, answer.support, levels.get(area_of[answer.code_id])


def target_distribution(targets: pd.DataFrame, gaps: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per key area: how many councils chose each target level or none, the median target, the median gap, and
    how many stand below their target (area median under it) and at or above it."""
    areas = [area.name for area in rubric.areas]
    labels = layout.level_choices(rubric)
    chosen = targets["target"].dropna().astype(int).map(lambda level: labels[level - 1])
    counts = pd.crosstab(targets.loc[chosen.index, "area"], chosen) if len(chosen) else pd.DataFrame()
    table = counts.reindex(index=areas, columns=labels, fill_value=0).astype(int)
    table[NO_TARGET] = targets[targets["target"].isna()].groupby("area").size().reindex(areas, fill_value=0)
    table["Councils"] = table[labels].sum(axis=1) + table[NO_TARGET]
    by_area = gaps.groupby("Key area")
    table["Median target"] = by_area["Target"].median().reindex(areas)
    table["Median gap"] = by_area["Gap"].median().reindex(areas)
    table["Below target"] = by_area["Gap"].apply(lambda g: int((g > 0).sum())).reindex(areas, fill_value=0)
    table["At or above target"] = by_area["Gap"].apply(lambda g: int((g <= 0).sum())).reindex(areas, fill_value=0)
    table.index.name = "Key area"
    return table.reset_index()


def priorities(choices: pd.DataFrame, rubric: Rubric, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per scope (all councils, then each grouping's segments) and value code: the returns, how many marked each
    priority and each support answer, the ranks by High and by support wanted, and the councils asking for
    support (``; ``-separated, in input order). :data:`PRIORITY_COLUMNS`, scopes in order, value codes in rubric
    order."""
    ids = [code.id for code in rubric.value_codes]
    code = pd.Categorical(choices["code_id"], categories=ids)
    counts = pd.DataFrame({"returns": 1}, index=choices.index)  # what each row counts for
    for column, values in (("priority", layout.PRIORITY_CHOICES), ("support", layout.SUPPORT_CHOICES)):
        for value in values:
            name = value.lower() if column == "priority" else f"support_{value.lower()}"
            counts[name] = (choices[column] == value).astype(int)
    groupings = [(ALL, pd.Series(ALL, index=choices.index), [ALL])]
    for column in [] if segments is None else segments.columns:
        assert segments is not None
        labels = segment_labels(choices["council_code"], segments[column])
        groupings.append((column, labels, segment_order(segments[column], labels)))
    parts = [_grouping(counts, code, choices, rubric, *grouping) for grouping in groupings]
    return pd.concat(parts, ignore_index=True)[PRIORITY_COLUMNS]


def _grouping(
    counts: pd.DataFrame,
    code: pd.Categorical,
    choices: pd.DataFrame,
    rubric: Rubric,
    grouping: str,
    labels: pd.Series,
    order: list[str],
) -> pd.DataFrame:
    """The rows of one grouping's segments (``labels`` of each row, in ``order``), each with every value code."""
    segment = pd.Categorical(labels, categories=order)
    keys = [pd.Series(segment, index=counts.index, name="segment"), pd.Series(code, index=counts.index, name="code_id")]
    table = counts.groupby(keys, observed=False).sum().astype(int)  # every segment x value code, in order
    by_segment = table.groupby(level="segment", observed=False)
    table["high_rank"] = by_segment["high"].rank(method="min", ascending=False).astype(int)
    table["support_rank"] = by_segment["support_yes"].rank(method="min", ascending=False).astype(int)
    asking = choices["support"] == "Yes"
    names = choices.loc[asking, "council"].groupby([k[asking] for k in keys], observed=True).agg("; ".join)
    table["support_councils"] = names.reindex(table.index).fillna("")
    table = table.reset_index()
    table["segment"] = table["segment"].astype(str)
    table["code_id"] = table["code_id"].astype(str)
    table.insert(0, "grouping", grouping)
    names_of = {c.id: c.name for c in rubric.value_codes}
    table.insert(3, "value_code", table["code_id"].map(names_of))
    table.insert(4, "area", table["code_id"].map({c.id: rubric.area_of(c.id).name for c in rubric.value_codes}))
    return table


@dataclass
class Ambition:
    """The ambition tables: targets per return and key area, their distribution and gaps, priorities and support."""

    targets: pd.DataFrame
    distribution: pd.DataFrame
    gaps: pd.DataFrame
    priorities: pd.DataFrame


def build_ambition(
    collection: Collection, responses: pd.DataFrame, rubric: Rubric, segments: pd.DataFrame | None = None
) -> Ambition:
    """Every ambition table, from the used returns and the responses frame; per segment with ``segments``."""
    targets = targets_frame(collection, rubric)
    gaps = target_gaps(targets, responses)
    return Ambition(
        targets,
        target_distribution(targets, gaps, rubric),
        gaps,
        priorities(choices_frame(collection, responses), rubric, segments),
    )
