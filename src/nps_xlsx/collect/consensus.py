"""Respondent mode's consensus: one return per council made from its respondents' answers, so that every table of
councils' answers, and the consensus CSV, is made exactly as in the one-response mode.

Per council (told apart as in :mod:`nps_xlsx.collect.agreement`) and value code:

- ``score`` and ``level``: the consensus by the rule chosen (:func:`~nps_xlsx.collect.agreement.agreement`);
- ``comment``: the respondents' comments in the order of their returns, each after who wrote it (``Paula Chen
  (Finance): ...``; a return without a respondent's comment as it is), separated by a blank line;
- ``priority``: the choice most of the respondents who chose one made, a tie going to the higher priority;
- ``support``: ``Yes`` if any respondent wants support, else ``No`` if any said ``No``, else blank;
- ``target``: the key area's target levels, by the same rule as the scores (only the targets chosen count);
- ``source_file``: the council's respondents' returns, separated by ``; ``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..columns import RESPONDENT_COLUMNS, RESPONSE_COLUMNS
from ..councils import Council
from ..layout import PRIORITY_CHOICES
from ..rubric import Rubric
from ..validate.check import FileReport, FileStatus
from ..validate.response import Answer, Response, Target
from .agreement import agreement, by_rule, council_keys
from .collection import Collection
from .ledger import LedgerEntry
from .tables import tidy_rows

TEXT_COLUMNS = ["council", "council_code", "comment", "level", "priority", "support", *RESPONDENT_COLUMNS]


def respondent_frame(collection: Collection, rubric: Rubric, round_label: str = "") -> pd.DataFrame:
    """The respondent-mode tidy frame: the responses CSV's rows (comments included) with the respondent's columns,
    one per used return x value code; text columns ``""`` when empty, ``score`` and ``target`` Int64."""
    columns = [*RESPONSE_COLUMNS, *RESPONDENT_COLUMNS]
    frame = pd.DataFrame(tidy_rows(collection, rubric, round_label, respondents=True), columns=columns, dtype=object)
    frame[TEXT_COLUMNS] = frame[TEXT_COLUMNS].fillna("")
    return frame.astype({"score": "Int64", "target": "Int64"})


def consensus_frame(frame: pd.DataFrame, rubric: Rubric, rule: str, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per council x value code in the responses CSV's columns (:data:`RESPONSE_COLUMNS`), the consensus
    of ``frame`` (:func:`respondent_frame`) by ``rule``; see the module docstring. ``table`` is ``frame``'s
    :func:`~nps_xlsx.collect.agreement.agreement` by ``rule``, if already made."""
    table = agreement(frame, rubric, rule) if table is None else table
    key = council_keys(frame)
    keys = [key.rename("key"), frame["code_id"]]
    out = table.assign(key=council_keys(table))
    files = frame["source_file"].groupby(key, sort=False).agg(lambda paths: "; ".join(dict.fromkeys(paths)))
    out["source_file"] = out["key"].map(files)
    parts = [_comments(frame, keys).rename("comment"), _priority(frame, keys), _support(frame, keys).rename("support")]
    per_code = pd.concat(parts, axis=1)
    out = out.merge(per_code, left_on=["key", "code_id"], right_index=True, how="left")
    out = out.merge(_targets(frame, key, rule), left_on=["key", "area"], right_index=True, how="left")
    first = frame.iloc[0] if len(frame) else None
    out["round"] = first["round"] if first is not None else ""
    out["rubric_fingerprint"] = first["rubric_fingerprint"] if first is not None else rubric.fingerprint
    out[["comment", "priority", "support"]] = out[["comment", "priority", "support"]].fillna("")
    return out.reindex(columns=RESPONSE_COLUMNS).astype({"score": "Int64", "target": "Int64"}).reset_index(drop=True)


def _comments(frame: pd.DataFrame, keys: list[pd.Series]) -> pd.Series:
    """Each council's comments on each value code, each after who wrote it, separated by a blank line."""
    who = frame["respondent_name"].where(frame["respondent_name"] != "", frame["respondent_id"])
    who = who.where(frame["department"] == "", who + " (" + frame["department"] + ")")
    said = frame["comment"].where(who == "", who + ": " + frame["comment"])
    given = frame["comment"] != ""
    return said[given].groupby([k[given] for k in keys], sort=False).agg("\n\n".join)


def _priority(frame: pd.DataFrame, keys: list[pd.Series]) -> pd.Series:
    """The priority chosen most often among those chosen, a tie going to the higher priority."""
    chosen = frame["priority"] != ""
    counts = frame["priority"][chosen].groupby([k[chosen] for k in keys]).value_counts().rename("n").reset_index()
    counts["rank"] = counts["priority"].map({choice: i for i, choice in enumerate(PRIORITY_CHOICES)})
    best = counts.sort_values(["n", "rank"], ascending=[False, True]).drop_duplicates(["key", "code_id"])
    return best.set_index(["key", "code_id"])["priority"]


def _support(frame: pd.DataFrame, keys: list[pd.Series]) -> pd.Series:
    """``Yes`` if any respondent wants support, else ``No`` if any said so, else ``""``."""
    yes = frame["support"].eq("Yes").groupby(keys).any()
    no = frame["support"].eq("No").groupby(keys).any()
    return yes.map({True: "Yes", False: ""}).where(yes | ~no, "No")


def _targets(frame: pd.DataFrame, key: pd.Series, rule: str) -> pd.Series:
    """Each council's target level per key area, by ``rule`` over its respondents' targets (Int64)."""
    areas = frame.drop_duplicates(["source_file", "area"])
    levels = pd.to_numeric(areas["target"], errors="coerce").astype(float)
    by = levels.groupby([key[areas.index].rename("key"), areas["area"]], sort=False)
    return by_rule(by.median(), by.min(), rule).astype("Int64").rename("target")


def consensus_collection(
    consensus: pd.DataFrame, rubric: Rubric, expected: Sequence[Council] | None = None
) -> Collection:
    """The consensus frame (:func:`consensus_frame`) as a collection of one accepted return per council, for the
    tables and the consensus CSV (its ``source_file`` the return's path, its code the council's)."""
    area_ids = {area.name: area.id for area in rubric.areas}
    entries = []
    for _key, rows in consensus.groupby(council_keys(consensus), sort=False):
        answers = tuple(
            Answer(
                row.code_id,
                "scored" if not pd.isna(row.score) else ("unscored" if row.level else "blank"),
                None if pd.isna(row.score) else int(row.score),
                row.comment,
                priority=row.priority or None,
                support=row.support or None,
            )
            for row in rows.itertuples()
        )
        areas = rows.drop_duplicates("area")
        targets = tuple(
            Target(area_ids[area], None if pd.isna(level) else int(level))
            for area, level in zip(areas["area"], areas["target"], strict=True)
        )
        first = rows.iloc[0]
        code = first["council_code"] or None
        response = Response(first["council"] or None, code, None, None, None, None, {}, answers, targets)
        report = FileReport(first["source_file"], FileStatus.ACCEPTED, response=response)
        entries.append(LedgerEntry(report, FileStatus.ACCEPTED, council_key=str(_key), code=code))
    return Collection(entries, list(expected) if expected is not None else None)
