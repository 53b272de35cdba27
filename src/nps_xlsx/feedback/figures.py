"""The figures of the feedback workbooks: computed once for the whole round, then sliced per council.

The cohort is every return in the responses CSV, the council itself included; similar councils are those with the
same value in a grouping column (``--group-by``), the council included. A council's score in a key area is the
median of its scores there; the cohort's median and quartiles of a key area are of the councils' scores there.
Medians and quartiles are pandas' default, as in :mod:`nps_xlsx.collect.cohort`.

A council's gap in a key area is its target level there minus its score there (the summary's Target gaps, by the
same code: :func:`nps_xlsx.collect.ambition.area_gaps`); only the council's own targets are shown.

Disclosure rule: a cohort or segment figure (a count, a median, a quartile, a distribution) is given only where at
least ``min_cohort`` councils contribute to it (scored that value code, or scored in that key area); elsewhere it
is blank and a note says why. No minimum or maximum is ever given, and no other council is named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import layout
from ..collect.ambition import area_gaps
from ..collect.cohort import code_statistics
from ..collect.rounds import BY_CODE, BY_NAME, PreviousRound, councils_of, match_councils
from ..columns import KEY_AREA, VALUE_CODE
from ..councils import Council
from ..rubric import Rubric
from .respondents import respondent_tables

MIN_COHORT = 5  # the default --min-cohort
LEAST_COHORT = 3  # --min-cohort may not be lower
BELOW, WITHIN, ABOVE = "Below the middle half", "Within the middle half", "Above the middle half"
STRENGTH, PRIORITY = "Strength", "Possible priority"
YOUR_SCORE, YOUR_LEVEL, YOUR_MEDIAN, STATEMENT = "Your score", "Your level", "Your median", "Your level's statement"
COUNCILS, COHORT_MEDIAN, LOWER, UPPER = "Councils scoring", "Cohort median", "Lower quartile", "Upper quartile"
WHERE, HIGHLIGHT, NOTE = "Where you sit", "Highlight", "Note"
PREVIOUS, NOW, CHANGE = "previous round", "this round", "Change"
YOUR_TARGET, GAP = "Your target level", "Gap"
NO_TARGET = "No target level was set for this key area."


def same(grouping: str) -> str:
    """The header of the similar councils' median for a grouping column, e.g. ``Median, same type``."""
    return f"Median, same {grouping}"


@dataclass(frozen=True)
class Table:
    """A table as written: its headers and its rows (blank figures are NaN)."""

    columns: list[str]
    rows: list[tuple[object, ...]]

    def column(self, name: str) -> list[object]:
        at = self.columns.index(name)
        return [row[at] for row in self.rows]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


@dataclass
class CouncilFeedback:
    """Everything one council's workbook shows: tables with the headers people read."""

    council: Council
    label: str  # this round
    cohort_size: int
    min_cohort: int
    segments: list[tuple[str, str, int]]  # (grouping, the council's value, councils with that value)
    profile: Table
    codes: Table
    distribution: Table
    comments: Table
    targets: Table
    previous_label: str | None = None  # with --previous
    in_previous: bool = False
    change_areas: Table | None = None
    change_codes: Table | None = None
    respondents: Table | None = None  # with --respondents-csv, for a council with respondents: per value code
    departments: Table | None = None  # ... and per key area, its departments' and roles' medians
    roles: Table | None = None


@dataclass
class RoundFigures:
    """The figures of every council of a round, in tables with a ``source_file`` column; :meth:`council` slices
    one council's."""

    rubric: Rubric
    label: str
    min_cohort: int
    returns: pd.DataFrame  # one row per return, in the CSV's order: source_file, council, council_code
    groups: pd.DataFrame  # indexed by source_file: each grouping column's value ("" when not known)
    tables: dict[str, pd.DataFrame]
    previous: PreviousRound | None = None
    matched: frozenset[str] = frozenset()  # the returns matched to a council of the previous round

    def __post_init__(self) -> None:
        self._rows: dict[str, dict[str, list[tuple[object, ...]]]] = {}
        self._columns = {name: [c for c in t.columns if c != "source_file"] for name, t in self.tables.items()}
        for name, table in self.tables.items():
            values = table[self._columns[name]].astype(object)
            records = values.mask(values.eq(""), None).to_numpy().tolist()  # "" is a blank cell
            at = table.groupby("source_file", sort=False).indices
            self._rows[name] = {source: [tuple(records[i]) for i in rows] for source, rows in at.items()}
        sizes = {g: self.groups[g].value_counts() for g in self.groups.columns}
        self._segments = {
            source: [(g, str(v), int(sizes[g].get(v, 0))) for g, v in values.items()]
            for source, values in self.groups.iterrows()
        }
        self._councils = {
            source: Council(str(code), str(name))
            for source, code, name in self.returns[["source_file", "council_code", "council"]].itertuples(index=False)
        }

    def sources(self) -> list[str]:
        """Each return's source file, in the CSV's order."""
        return list(self._councils)

    def council_of(self, source_file: str) -> Council:
        """The council whose return ``source_file`` is."""
        return self._councils[source_file]

    def council(self, source_file: str) -> CouncilFeedback:
        """One council's figures."""

        def part(name: str) -> Table:
            return Table(self._columns[name], self._rows[name].get(source_file, []))

        feedback = CouncilFeedback(
            self._councils[source_file],
            self.label,
            len(self.returns),
            self.min_cohort,
            self._segments[source_file],
            part("profile"),
            part("codes"),
            part("distribution"),
            part("comments"),
            part("targets"),
        )
        if self.previous is not None:
            feedback.previous_label = self.previous.label or PREVIOUS
            feedback.in_previous = source_file in self.matched
            feedback.change_areas, feedback.change_codes = part("change_areas"), part("change_codes")
        if source_file in self._rows.get("respondents", {}):
            feedback.respondents = part("respondents")
            feedback.departments, feedback.roles = part("departments"), part("roles")
        return feedback


def build_round(
    responses: pd.DataFrame,
    rubric: Rubric,
    label: str,
    min_cohort: int = MIN_COHORT,
    groups: pd.DataFrame | None = None,
    previous: PreviousRound | None = None,
    respondents: pd.DataFrame | None = None,
) -> RoundFigures:
    """Every council's figures from a round's responses (as :func:`~nps_xlsx.collect.rounds.read_responses`
    reads them); ``groups`` gives each return's value of each grouping column (indexed by ``source_file``);
    ``respondents``, the rows per respondent of the same collect run, adds each council's own respondents'
    figures (:mod:`nps_xlsx.feedback.respondents`)."""
    returns = councils_of(responses).reset_index(drop=True)
    index = pd.Index(returns["source_file"], name="source_file")
    groups = (groups if groups is not None else pd.DataFrame(index=index)).reindex(index).fillna("")
    scores = responses["score"].astype(object).where(responses["score"].notna(), None).tolist()
    rows = responses.assign(category=layout.answer_categories(rubric, scores, responses["level"]))
    segment = {g: rows["source_file"].map(groups[g]) for g in groups.columns}
    codes, distribution = _codes(rows, rubric, min_cohort, segment)
    area_scores = _area_scores(rows, rubric)
    tables = {
        "codes": codes,
        "distribution": distribution,
        "profile": _profile(area_scores, returns, rubric, min_cohort, groups),
        "comments": _comments(rows),
        "targets": _targets(responses, returns, rubric),
    }
    if respondents is not None:
        tables |= respondent_tables(responses, respondents, codes, rubric)
    matched: frozenset[str] = frozenset()
    if previous is not None:
        pairs = match_councils(returns, councils_of(previous.responses))
        pairs = pairs[pairs["matched"].isin([BY_CODE, BY_NAME])]
        then_of = dict(zip(pairs["now"], pairs["then"], strict=True))
        matched = frozenset(then_of)
        tables["change_codes"] = _change_codes(codes, previous, then_of)
        tables["change_areas"] = _change_areas(tables["profile"], previous, then_of, rubric, min_cohort)
    return RoundFigures(rubric, label, min_cohort, returns, groups, tables, previous, matched)


def too_few(min_cohort: int, who: str = "councils") -> str:
    return f"Fewer than {min_cohort} {who} scored this, so the figures are not shown."


def _suppress(frame: pd.DataFrame, n: pd.Series, min_cohort: int) -> pd.DataFrame:
    """``frame`` blank (NaN) in the rows where fewer than ``min_cohort`` councils contribute."""
    shown = (n >= min_cohort).to_numpy()
    return frame.astype(float).where(np.repeat(shown[:, None], frame.shape[1], axis=1))


def _codes(
    rows: pd.DataFrame, rubric: Rubric, min_cohort: int, segment: dict[str, pd.Series]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The value-code table and the cohort's distribution of levels, one row per return x value code."""
    ids = [code.id for code in rubric.value_codes]
    stats = code_statistics(rows, rubric).set_index("ID")
    cohort = _suppress(stats[["n", "Median", "Lower quartile", "Upper quartile"]], stats["n"], min_cohort)
    cohort.columns = [COUNCILS, COHORT_MEDIAN, LOWER, UPPER]
    labels = layout.categories(rubric)
    counts = pd.crosstab(rows["code_id"], rows["category"]).reindex(index=ids, columns=labels, fill_value=0)
    counts = _suppress(counts, stats["n"], min_cohort)
    statements = {code.id: code.statements for code in rubric.value_codes}
    score = rows["score"].astype(float)
    table = pd.DataFrame(
        {
            "source_file": rows["source_file"],
            "ID": rows["code_id"],
            VALUE_CODE: rows["value_code"],
            KEY_AREA: rows["area"],
            YOUR_SCORE: score,
            YOUR_LEVEL: rows["category"],  # "3 - Mature", the unscored label or "Not answered"
            STATEMENT: [
                statements[i][int(s) - 1] if s == s else ""
                for i, s in zip(rows["code_id"].tolist(), score.tolist(), strict=True)
            ],
        }
    ).reset_index(drop=True)
    table = table.join(cohort, on="ID")
    below, above = table[YOUR_SCORE] < table[LOWER], table[YOUR_SCORE] > table[UPPER]
    placed = table[YOUR_SCORE].notna() & table[LOWER].notna()
    table[WHERE] = np.select([below, above, placed], [BELOW, ABOVE, WITHIN], "")
    notes = pd.Series(np.where(table[COHORT_MEDIAN].isna(), too_few(min_cohort), ""))
    for grouping, values in segment.items():
        medians, n = _segment_medians(rows, rubric, values.reset_index(drop=True), min_cohort)
        table[same(grouping)] = medians
        small = n.notna() & (n < min_cohort)
        notes = notes.where(~small | (notes != ""), too_few(min_cohort, f"councils of the same {grouping}"))
    strong = table[YOUR_SCORE] >= len(rubric.levels) - 1
    table[HIGHLIGHT] = np.select([strong, below], [STRENGTH, PRIORITY], "")
    table[NOTE] = notes.to_numpy()
    distribution = table[["source_file", "ID", VALUE_CODE]].join(counts, on="ID")
    return table, distribution


def _segment_medians(
    rows: pd.DataFrame, rubric: Rubric, values: pd.Series, min_cohort: int
) -> tuple[np.ndarray, pd.Series]:
    """Per row, the median of the value code among the councils with the row's value (NaN for "" or too few),
    and how many of them scored it (NaN for "")."""
    stats = code_statistics(rows.reset_index(drop=True), rubric, values).set_index(["Segment", "ID"])
    key = pd.MultiIndex.from_arrays([values, rows["code_id"].reset_index(drop=True)])
    n = stats["n"].reindex(key).to_numpy(dtype=float)
    medians = stats["Median"].reindex(key).to_numpy(dtype=float)
    known = (values != "").to_numpy()
    return np.where(known & (n >= min_cohort), medians, np.nan), pd.Series(np.where(known, n, np.nan))


def _area_scores(rows: pd.DataFrame, rubric: Rubric) -> pd.Series:
    """Each return's score in each key area it scored in: the median of its scores there."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    scored = rows[rows["score"].notna()]
    frame = pd.DataFrame(
        {"source_file": scored["source_file"], "area": scored["code_id"].map(areas), "score": scored["score"]}
    )
    return frame.astype({"score": float}).groupby(["source_file", "area"], sort=False)["score"].median()


def _area_cohort(flat: pd.DataFrame, keys: list[str], min_cohort: int) -> pd.DataFrame:
    """Per group of ``keys`` (columns of ``flat``, the key-area scores of :func:`_area_scores` as a frame): the
    councils scoring, and the median and quartiles of their key-area scores (blank for too few)."""
    by = flat.groupby(keys)["score"]
    stats = pd.DataFrame(
        {COUNCILS: by.size(), COHORT_MEDIAN: by.median(), LOWER: by.quantile(0.25), UPPER: by.quantile(0.75)}
    )
    return _suppress(stats, stats[COUNCILS], min_cohort)


def _profile(
    scores: pd.Series, returns: pd.DataFrame, rubric: Rubric, min_cohort: int, groups: pd.DataFrame
) -> pd.DataFrame:
    """Per return and key area: its median against the cohort's median and quartiles, and the similar councils'."""
    areas = [area.name for area in rubric.areas]
    grid = pd.MultiIndex.from_product([returns["source_file"], areas], names=["source_file", "area"])
    flat = scores.reset_index()
    table = pd.DataFrame({YOUR_MEDIAN: scores.reindex(grid).to_numpy()}, index=grid).reset_index()
    table = table.join(_area_cohort(flat, ["area"], min_cohort), on="area")
    notes = pd.Series(np.where(table[COHORT_MEDIAN].isna(), too_few(min_cohort), ""))
    for grouping in groups.columns:
        segment = _area_cohort(flat.assign(segment=flat["source_file"].map(groups[grouping])), ["segment", "area"], 1)
        own = table["source_file"].map(groups[grouping])
        key = pd.MultiIndex.from_arrays([own, table["area"]])
        n = segment[COUNCILS].reindex(key).to_numpy()
        shown = (own != "").to_numpy() & (n >= min_cohort)
        table[same(grouping)] = np.where(shown, segment[COHORT_MEDIAN].reindex(key).to_numpy(), np.nan)
        small = (own != "").to_numpy() & ~shown & table[YOUR_MEDIAN].notna().to_numpy()
        notes = notes.where(~small | (notes != ""), too_few(min_cohort, f"councils of the same {grouping}"))
    below, above = table[YOUR_MEDIAN] < table[LOWER], table[YOUR_MEDIAN] > table[UPPER]
    placed = table[YOUR_MEDIAN].notna() & table[LOWER].notna()
    table[WHERE] = np.select([below, above, placed], [BELOW, ABOVE, WITHIN], "")
    table[NOTE] = notes.to_numpy()
    table = table.rename(columns={"area": KEY_AREA})
    groupings = [same(g) for g in groups.columns]
    return table[["source_file", KEY_AREA, YOUR_MEDIAN, COUNCILS, COHORT_MEDIAN, LOWER, UPPER, WHERE, *groupings, NOTE]]


def _targets(responses: pd.DataFrame, returns: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per return and key area: its target level, its median there and the gap, and a sentence saying what they
    mean (where no target was set, only that)."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    rows = responses.assign(area=responses["code_id"].map(areas))
    chosen = rows.drop_duplicates(["source_file", "area"]).set_index(["source_file", "area"])["target"]
    grid = pd.MultiIndex.from_product(
        [returns["source_file"], [a.name for a in rubric.areas]], names=["source_file", "area"]
    )
    gaps = area_gaps(chosen.reindex(grid).reset_index(), rows)
    table = pd.DataFrame(
        {
            "source_file": gaps["source_file"],
            KEY_AREA: gaps["area"],
            YOUR_TARGET: gaps["target"].astype(float),
            YOUR_MEDIAN: gaps["median"],
            GAP: gaps["gap"],
        }
    )
    table[NOTE] = [_gap_words(t, m, g) for t, m, g in table[[YOUR_TARGET, YOUR_MEDIAN, GAP]].to_numpy().tolist()]
    return table


def _gap_words(target: float, median: float, gap: float) -> str:
    """What a key area's target, median and gap mean, in a sentence."""
    if target != target:
        return NO_TARGET
    if median != median:
        return "No value code scored here, so no gap to show."
    size = f"{abs(gap):g} level{'' if abs(gap) == 1 else 's'}"
    if gap > 0:
        return f"Your target is {size} above your median."
    if gap < 0:
        return f"Your median is {size} above your target: target met."
    return "Your median is at your target: target met."


def _comments(rows: pd.DataFrame) -> pd.DataFrame:
    """Each comment a council wrote, with its value code and level."""
    said = rows[rows["comment"] != ""]
    return pd.DataFrame(
        {
            "source_file": said["source_file"],
            "ID": said["code_id"],
            VALUE_CODE: said["value_code"],
            KEY_AREA: said["area"],
            YOUR_LEVEL: said["category"],
            "Your comment": said["comment"],
        }
    ).reset_index(drop=True)


def _then(then_of: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    return lambda source: source.map(then_of)


def _change_codes(codes: pd.DataFrame, previous: PreviousRound, then_of: dict[str, str]) -> pd.DataFrame:
    """Per return and value code: its score in the previous round (if it took part) and now, and the change."""
    before = previous.responses.astype({"score": float}).set_index(["source_file", "code_id"])["score"]
    key = pd.MultiIndex.from_arrays([_then(then_of)(codes["source_file"]), codes["ID"]])
    then = before.reindex(key).to_numpy()
    now = codes[YOUR_SCORE].to_numpy()
    table = codes[["source_file", "ID", VALUE_CODE, KEY_AREA]].copy()
    table[f"{YOUR_SCORE}, {PREVIOUS}"], table[f"{YOUR_SCORE}, {NOW}"], table[CHANGE] = then, now, now - then
    return table


def _change_areas(
    profile: pd.DataFrame, previous: PreviousRound, then_of: dict[str, str], rubric: Rubric, min_cohort: int
) -> pd.DataFrame:
    """Per return and key area: its median then and now, the change, and the cohort's median then and now."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    before = previous.responses.assign(area=previous.responses["code_id"].map(areas))
    scored = before[before["score"].notna()].astype({"score": float})
    scores = scored.groupby(["source_file", "area"], sort=False)["score"].median()
    cohort = _area_cohort(scores.reset_index(), ["area"], min_cohort)[COHORT_MEDIAN]
    key = pd.MultiIndex.from_arrays([_then(then_of)(profile["source_file"]), profile[KEY_AREA]])
    then, now = scores.reindex(key).to_numpy(), profile[YOUR_MEDIAN].to_numpy()
    table = profile[["source_file", KEY_AREA]].copy()
    table[f"{YOUR_MEDIAN}, {PREVIOUS}"], table[f"{YOUR_MEDIAN}, {NOW}"], table[CHANGE] = then, now, now - then
    table[f"{COHORT_MEDIAN}, {PREVIOUS}"] = profile[KEY_AREA].map(cohort).to_numpy()
    table[f"{COHORT_MEDIAN}, {NOW}"] = profile[COHORT_MEDIAN].to_numpy()
    return table
