"""A council's own respondents in its feedback workbook (``collect`` in respondent mode, ``--respondents-csv``).

The consensus CSV stays the source of the council's results; the respondents' CSV (the responses CSV that
``collect --csv`` wrote beside it, a row per respondent's answer) adds, for each council with respondents:

- per value code, its respondents' spread as the summary's Agreement gives it
  (:func:`~nps_xlsx.collect.agreement.agreement`: scored, median, minimum, maximum, spread, disagreement), with
  the council's consensus from the consensus CSV;
- per key area, the median of each of its departments (and roles), the highest and lowest marked
  (:func:`~nps_xlsx.collect.agreement.by_group` over the council's own rows only).

Every table is keyed by the council's ``source_file`` in the consensus CSV, so that a council's workbook is given
its own rows only. A council whose returns carry no respondent's identity gets none.
"""

from __future__ import annotations

import pandas as pd

from ..collect.agreement import agreement, by_group, council_keys
from ..collect.rounds import ResponsesCsv, ResponsesCsvError
from ..collect.sheet_agreement import HEADERS, YES, group_rows
from ..columns import KEY_AREA
from ..rubric import Rubric
from ..text import named

HIGHEST, LOWEST = "Highest", "Lowest"
RANK = "Highest or lowest"  # the header of the departments' marks
CONSENSUS, CONSENSUS_LEVEL = HEADERS["score"], HEADERS["level"]
SHOWN = ["code_id", "value_code", "area", "n_respondents", "n", "median", "min", "max", "spread", "disagreement"]


def check_match(consensus: ResponsesCsv, respondents: ResponsesCsv) -> None:
    """Raise :class:`ResponsesCsvError` unless ``respondents`` is a respondent-mode CSV of the same collect run as
    ``consensus``: the same round, and each council's returns the same in both."""
    use = f"give the respondents' CSV that collect --csv wrote beside the consensus CSV {consensus.path}"
    if not respondents.respondents:
        raise ResponsesCsvError(f"--respondents-csv {respondents.path} has no row per respondent ({use})")
    if respondents.label != consensus.label:
        raise ResponsesCsvError(
            f"--respondents-csv {respondents.path} is of round {respondents.label or '(none)'!r}, the consensus CSV "
            f"of round {consensus.label or '(none)'!r} ({use})"
        )
    mine, theirs = _returns(consensus.responses), _returns(respondents.responses)
    both = theirs | mine
    differ = sorted({both[k][0] for k in both if mine.get(k, ("", None))[1] != theirs.get(k, ("", None))[1]})
    if differ:
        raise ResponsesCsvError(
            f"--respondents-csv {respondents.path} does not match the consensus CSV: other returns for "
            f"{named(differ)} ({use})"
        )


def _returns(frame: pd.DataFrame) -> dict[str, tuple[str, frozenset[str] | None]]:
    """Per council (by :func:`council_keys`): its name and the set of its returns (a consensus row's
    ``source_file`` lists them, separated by ``; ``)."""
    firsts = frame.drop_duplicates("source_file")
    files = firsts.assign(key=council_keys(firsts), file=firsts["source_file"].str.split("; ")).explode("file")
    by = files.groupby("key", sort=False)
    names, returns = by["council"].first(), by["file"].agg(lambda f: frozenset(f))
    return {str(k): (str(names[k]), returns[k]) for k in returns.index}


def respondent_tables(
    responses: pd.DataFrame, respondents: pd.DataFrame, codes: pd.DataFrame, rubric: Rubric
) -> dict[str, pd.DataFrame]:
    """The tables ``respondents``, ``departments`` and ``roles``, each with the ``source_file`` of the council in
    ``responses`` (the consensus CSV, as matched by :func:`check_match`); ``codes`` is the feedback's value-code
    table (its ``Your score`` and ``Your level``, the consensus)."""
    source = dict(zip(council_keys(responses), responses["source_file"], strict=True))
    key = council_keys(respondents)
    rows = respondents[respondents["respondent_id"].ne("").groupby(key).transform("any").to_numpy()]
    if rows.empty:
        return {}
    tables = {"respondents": _spread(agreement(rows, rubric), source, codes)}
    for name, column in (("departments", "department"), ("roles", "role")):
        parts = [
            _ranked(by_group(own, column), column).assign(source_file=source[str(council)])
            for council, own in rows.groupby(council_keys(rows), sort=False)
        ]
        tables[name] = pd.concat(parts, ignore_index=True)
    return tables


def _spread(table: pd.DataFrame, source: dict[str, str], codes: pd.DataFrame) -> pd.DataFrame:
    """Per council and value code: the agreement figures under the summary's headers, then the consensus."""
    shown = table[SHOWN].assign(disagreement=table["disagreement"].map({True: YES, False: None}))
    shown = shown.rename(columns={**HEADERS, "area": KEY_AREA}).assign(source_file=council_keys(table).map(source))
    consensus = codes.set_index(["source_file", "ID"])[["Your score", "Your level"]]
    consensus.columns = pd.Index([CONSENSUS, CONSENSUS_LEVEL])
    return shown.join(consensus, on=["source_file", "ID"])


def _ranked(groups: pd.DataFrame, column: str) -> pd.DataFrame:
    """One council's groups per key area (key areas in order, groups within each) under the summary's headers,
    the highest and lowest median in each key area marked (none where all are level)."""
    median = groups.groupby("area", sort=False)["median"]
    top, bottom = median.transform("max"), median.transform("min")
    spread = top > bottom
    groups = groups.assign(rank=None)
    groups.loc[spread & groups["median"].eq(top), "rank"] = HIGHEST
    groups.loc[spread & groups["median"].eq(bottom), "rank"] = LOWEST
    order = {area: i for i, area in enumerate(dict.fromkeys(groups["area"]))}
    groups = groups.sort_values("area", key=lambda a: a.map(order), kind="stable")
    shown = group_rows(groups, column).rename(columns={"rank": RANK}).reset_index(drop=True)
    return shown[[KEY_AREA, *[c for c in shown.columns if c != KEY_AREA]]]  # read per key area
