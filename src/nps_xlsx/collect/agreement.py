"""Agreement among a council's respondents (``collect`` in respondent mode): per council and value code the spread
of its respondents' scores, a disagreement flag and a consensus score; and the results per department or role.

Pure pandas over the respondent-mode tidy frame: the responses CSV's columns
(:data:`~nps_xlsx.columns.RESPONSE_COLUMNS`, then :data:`~nps_xlsx.columns.RESPONDENT_COLUMNS`), one row per
respondent's return x value code; ``score`` a level or missing, ``level`` the level's label, the rubric's unscored
label for a deliberate Unscored, or ``""`` when not answered. No file is read or written here.

The rules, for one council and one value code:

- Only scored answers count. ``n`` is how many of the council's respondents scored it; the median, minimum,
  maximum and spread (maximum minus minimum) are of their scores. Unscored and blank answers are left out.
- **Disagreement**: a spread of :data:`DISAGREEMENT` levels or more (say 2 and 4).
- **Consensus** (a level, 1 to the number of levels), by the rule chosen (``--consensus``):

  - ``median-down`` (the default): the median rounded down to a whole level (2.5 gives 2), in the spirit of
    Appendix A's "score on the basis of the weakest level of attainment in the council": where the respondents
    split evenly, the lower of the two middle levels;
  - ``median``: the median rounded half up (2.5 gives 3): where they split evenly, the higher middle level
    (a median is a whole level or halfway between two, so this differs from ``median-down`` only there);
  - ``min``: the lowest score, the strictest reading of Appendix A.

  A value code nobody scored has no consensus score: its consensus is Unscored when at least one respondent
  chose Unscored, else it is blank (not answered).

Councils are told apart by code (a council's respondents' copies carry it), else by the name typed on the cover.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

import pandas as pd

from ..rubric import Rubric

CONSENSUS_RULES = ("median-down", "median", "min")
DEFAULT_CONSENSUS = "median-down"
RULE_TEXT = {  # each rule in words, for people
    "median-down": "the median of the respondents' scores rounded down to a whole level (2.5 gives 2)",
    "median": "the median of the respondents' scores, a .5 rounded up (2.5 gives 3)",
    "min": "the lowest of the respondents' scores",
}
DISAGREEMENT = 2  # a spread of this many levels or more is flagged
UNSCORED: Literal["unscored"] = "unscored"  # a deliberate Unscored, among the answers given to consensus()
NOT_GIVEN = "(not given)"  # the group of respondents whose department (or role) is blank
AGREEMENT_COLUMNS = [
    "council",
    "council_code",
    "area",
    "code_id",
    "value_code",
    "n",
    "n_respondents",
    "median",
    "min",
    "max",
    "spread",
    "disagreement",
    "score",
    "level",
]

Number = TypeVar("Number", float, "pd.Series[float]")


def by_rule(median: Number, lowest: Number, rule: str) -> Number:
    """The consensus level from the median and the lowest score, by ``rule`` (scalars or Series alike)."""
    if rule == "min":
        return lowest
    if rule == "median":
        return (median + 0.5) // 1
    if rule == "median-down":
        return median // 1
    raise ValueError(f"unknown consensus rule {rule!r}; one of {', '.join(CONSENSUS_RULES)}")


def consensus(answers: Iterable[int | str | None], rule: str = DEFAULT_CONSENSUS) -> int | Literal["unscored"] | None:
    """One council's consensus on one value code, from its respondents' answers: each a level (an int), the string
    :data:`UNSCORED` for a deliberate Unscored, or ``None`` when not answered. Returns the consensus level by
    ``rule`` (see the module docstring), :data:`UNSCORED` when none is scored but one is Unscored, ``None`` when
    all are blank."""
    given = list(answers)
    scores = [a for a in given if isinstance(a, int)]
    if not scores:
        by_rule(0.0, 0.0, rule)  # an unknown rule is an error whatever the answers
        return UNSCORED if UNSCORED in given else None
    return int(by_rule(float(statistics.median(scores)), float(min(scores)), rule))


def council_keys(frame: pd.DataFrame) -> pd.Series:
    """Which council each row is from: its code (case folded), else ``name:`` and the name typed."""
    code = frame["council_code"].fillna("").astype(str)
    name = frame["council"].fillna("").astype(str)
    return code.str.casefold().where(code != "", "name:" + name.str.casefold())


def agreement(frame: pd.DataFrame, rubric: Rubric, rule: str = DEFAULT_CONSENSUS) -> pd.DataFrame:
    """One row per council x value code (:data:`AGREEMENT_COLUMNS`): councils in the order they first appear,
    value codes in the frame's order.

    ``n`` counts the respondents who scored it and ``n_respondents`` the council's respondents (its returns);
    ``median``, ``min``, ``max`` and ``spread`` are of the scores (missing when none); ``disagreement`` is a spread
    of :data:`DISAGREEMENT` or more; ``score`` is the consensus level by ``rule`` (Int64, missing when none is
    scored) and ``level`` its label, the rubric's unscored label, or ``""``.
    """
    by_rule(0.0, 0.0, rule)
    if frame.empty:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    key = council_keys(frame).rename("key")
    score = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    unscored = score.isna() & frame["level"].fillna("").ne("")
    keys = [key, frame["code_id"]]
    first = frame.groupby(keys, sort=False)[["council", "council_code", "area", "value_code"]].first()
    by = score.groupby(keys, sort=False)
    out = first.assign(
        n=by.count(),
        median=by.median(),
        min=by.min(),
        max=by.max(),
        unscored=unscored.groupby(keys, sort=False).any(),
    )
    councils = out.index.get_level_values(0)
    out["n_respondents"] = councils.map(frame["source_file"].groupby(key).nunique()).to_numpy()
    out["council"] = out.groupby(level=0, sort=False)["council"].transform("first")  # one name per council
    out["spread"] = out["max"] - out["min"]
    out["disagreement"] = out["spread"].ge(DISAGREEMENT)
    out["score"] = by_rule(out["median"], out["min"], rule).astype("Int64")
    labels = dict(enumerate(rubric.levels, 1))
    out["level"] = [
        labels[int(s)] if not pd.isna(s) else (rubric.unscored if u else "")
        for s, u in zip(out["score"], out["unscored"], strict=True)
    ]
    out = out.reset_index()
    return out[AGREEMENT_COLUMNS].astype({"n": int, "n_respondents": int, "disagreement": bool})


def by_group(frame: pd.DataFrame, column: str, per: Literal["area", "code_id"] = "area") -> pd.DataFrame:
    """The results of each group of respondents (``column``: ``department`` or ``role``; a blank one is
    :data:`NOT_GIVEN`) per key area (``per="area"``) or value code (``per="code_id"``).

    One row per group x key area (or value code), every pair present even where nothing was scored: groups in
    the order they first appear, key areas (value codes) in the frame's order. Columns: ``column``, ``area`` (and
    ``code_id``, ``value_code`` per value code), ``respondents`` (the group's returns), ``n`` (the group's scores
    there) and ``median`` (of those scores; missing when none). To compare one council's departments, give it
    that council's rows only.
    """
    group = frame[column].fillna("").astype(str).str.strip().replace("", NOT_GIVEN).rename(column)
    items = ["area"] if per == "area" else ["area", "code_id", "value_code"]
    places = frame[items].drop_duplicates(per)
    groups = pd.Index(group.unique(), name=column)
    score = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    by = score.groupby([group, frame[per]], sort=False)
    stats = pd.DataFrame({"n": by.count(), "median": by.median()})
    grid = pd.MultiIndex.from_product([groups, places[per]], names=[column, per])
    out = stats.reindex(grid).reset_index().merge(places, on=per, how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["respondents"] = out[column].map(frame["source_file"].groupby(group).nunique()).astype(int)
    return out[[column, *items, "respondents", "n", "median"]]


@dataclass(frozen=True)
class Agreement:
    """Respondent mode's tables: :func:`agreement` by ``rule``, and :func:`by_group` per department and per role
    (per key area)."""

    rule: str
    table: pd.DataFrame
    departments: pd.DataFrame
    roles: pd.DataFrame


def build_agreement(frame: pd.DataFrame, rubric: Rubric, rule: str = DEFAULT_CONSENSUS) -> Agreement:
    """Every agreement table of the respondent-mode tidy ``frame``."""
    return Agreement(rule, agreement(frame, rubric, rule), by_group(frame, "department"), by_group(frame, "role"))
