"""Comparing this round with an earlier one, read from that round's responses CSV (``collect --previous``).

The responses CSV is the contract between rounds: :data:`~nps_xlsx.columns.RESPONSE_COLUMNS`, of which
``round`` (the round's label) and ``rubric_fingerprint`` (the rubric the round was collected with) follow the
response's own columns, and the ambition answers (``priority``, ``support``, ``target``) follow them.
Councils are matched by code, else by name (:func:`~nps_xlsx.names.fold_name`); the movement is computed for the
councils in both rounds and for all councils of each round, so that councils in one round only are never
silently mixed into the comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NoReturn

import pandas as pd

from ..columns import AMBITION_COLUMNS, HEADERS, RESPONDENT_COLUMNS, ROW_COLUMNS
from ..councils import fold_name
from ..csv_table import Column, fold, read_table, unneutralise
from ..errors import NpsXlsxError
from ..layout import PRIORITY_CHOICES, SUPPORT_CHOICES
from ..rubric import Rubric
from ..text import named, plural

BOTH, ALL = "In both rounds", "All"  # the two groups of councils each movement figure is given for
BY_CODE, BY_NAME, NOW_ONLY, THEN_ONLY = "code", "name", "this round only", "previous round only"
MOVERS = 3  # councils listed per key area and direction
PREVIOUS_COLUMNS = ("source_file", "council", "council_code", "code_id", "score")  # what a comparison needs
_USE = "--previous takes the responses CSV that 'collect --csv' wrote in the earlier round"


class ResponsesCsvError(NpsXlsxError):
    """A responses CSV cannot be used: not that CSV, damaged, or another rubric."""


class PreviousRoundError(ResponsesCsvError):
    """The previous round's responses CSV cannot be used: not that CSV, damaged, or another rubric."""


@dataclass(frozen=True)
class ResponsesCsv:
    """A responses CSV as read: its round's label, its rubric's fingerprint (``None`` if the file has none), its
    rows (the columns kept, by default every column of :data:`~nps_xlsx.columns.ROW_COLUMNS`, text as typed,
    ``score`` Int64; then
    :data:`~nps_xlsx.columns.AMBITION_COLUMNS`, ``priority`` and ``support`` text, ``""`` when empty or absent from
    an older file, ``target`` Int64; then the ``extra`` columns: the groupings collect wrote, by their headers) and
    how it was read."""

    path: Path
    label: str
    fingerprint: str | None
    responses: pd.DataFrame
    extra: list[str]
    notes: list[str]
    respondents: bool = False  # a respondent-mode file: the responses hold RESPONDENT_COLUMNS after ``keep``'s


@dataclass(frozen=True)
class PreviousRound:
    """An earlier round: its label, its rubric's fingerprint (``None`` if the file has none) and its responses
    (columns ``source_file, council, council_code, code_id, score``; ``score`` Int64)."""

    path: Path
    label: str
    fingerprint: str | None
    responses: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # how the file was read, a rubric change allowed


def load_previous(path: Path, rubric: Rubric, allow_rubric_change: bool = False) -> PreviousRound:
    """Read and check an earlier round's responses CSV (see :func:`read_responses`); raises
    :class:`PreviousRoundError`."""
    read = read_responses(path, rubric, allow_rubric_change, _USE, PreviousRoundError, PREVIOUS_COLUMNS)
    return PreviousRound(path, read.label, read.fingerprint, read.responses[list(PREVIOUS_COLUMNS)], read.notes)


def read_responses(
    path: Path,
    rubric: Rubric,
    allow_rubric_change: bool = False,
    use: str = "give the responses CSV that 'collect --csv' wrote",
    error: type[ResponsesCsvError] = ResponsesCsvError,
    keep: Sequence[str] = (*ROW_COLUMNS, *AMBITION_COLUMNS),
    as_given: bool = False,
    respondents: bool = False,
) -> ResponsesCsv:
    """Read and check a responses CSV (as Excel may have re-saved it: see :mod:`csv_table`).

    Only the columns in ``keep`` are kept (and checked): of :data:`~nps_xlsx.columns.ROW_COLUMNS`, each must be in
    the file; of :data:`~nps_xlsx.columns.AMBITION_COLUMNS`, one that is not reads empty (an older file).
    Raises ``error`` (its message ending with ``use``, what the file should be) for a file that is not such a
    CSV, a score or target that is not a level, a priority or support that is not one of its choices, more than
    one round in the file, or a rubric change that is not allowed (see :func:`check_rubric`).

    A respondent-mode file (``collect`` with several respondents per council: a ``respondent_id`` column, one row
    per respondent's answer) is read only with ``respondents``: its :data:`~nps_xlsx.columns.RESPONDENT_COLUMNS`
    are kept (text, ``""`` when empty or absent), and a council may have several returns, one per respondent.
    Without it, such a file is refused, pointing to the consensus CSV written beside it.

    With ``as_given`` (pre-filling, which leaves out and reports each answer this rubric cannot hold), scores,
    targets, priorities and support are kept as the text the file gives, unchecked, and another rubric's value
    codes are no reason to refuse the file (its fingerprint still is, without ``allow_rubric_change``).
    """
    from ..read.own_outputs import describe, recognise

    shown = str(path)
    kind = recognise(path)
    if kind is not None and kind != "responses":
        raise error(f"{shown} is {describe(kind)}; {use}")
    columns = [Column(name, f"'{name}'") for name in ROW_COLUMNS]
    try:
        table = read_table(path, shown, "responses CSV", columns, error)
    except ResponsesCsvError as exc:
        raise error(_not_responses(path, shown, use) or f"{exc} ({use})") from exc
    folded = [fold(h) for h in table.header]
    per_respondent = fold(RESPONDENT_COLUMNS[0]) in folded
    if per_respondent and not respondents:
        raise error(
            f"{shown} has a row per respondent (collect with several respondents per council); give the councils' "
            f"consensus instead, the CSV collect wrote beside it ({path.stem}-consensus.csv, or --consensus-csv) "
            f"({use})"
        )
    ours = [fold(name) for name in ("round", "rubric_fingerprint", *AMBITION_COLUMNS)]
    ours += [fold(name) for name in RESPONDENT_COLUMNS] if per_respondent else []
    optional = {name: folded.index(fold(name)) for name in ("round", "rubric_fingerprint") if fold(name) in folded}
    optional |= {name: folded.index(fold(name)) for name in AMBITION_COLUMNS if name in keep and fold(name) in folded}
    who = [name for name in RESPONDENT_COLUMNS if per_respondent and fold(name) in folded]
    optional |= {name: folded.index(fold(name)) for name in who}
    extra = {h: i for i, h in table.others() if fold(h) not in ours}
    wanted = {**{c: table.at[c] for c in keep if c in table.at}, **optional, **extra}
    lines, frame = _columns(table.rows, wanted)
    if not lines:
        raise error(f"{shown}: holds no responses ({use})")
    for column in [c for c in ("source_file", "council", "council_code", "comment", *who, *extra) if c in frame]:
        frame[column] = _unneutralised(frame[column])
    for name in AMBITION_COLUMNS:
        if name in keep and name not in frame:
            frame[name] = ""  # a file written before the ambition answers were added
    for name in RESPONDENT_COLUMNS if per_respondent else ():
        if name not in frame:
            frame[name] = ""
    if not as_given:
        located = partial(_located, lines=lines, shown=shown, use=use, error=error)
        frame["score"] = _levels(frame["score"], "score", len(rubric.levels), located)
        if "target" in frame:
            frame["target"] = _levels(frame["target"], "target", len(rubric.levels), located)
            if "area" in frame:
                _one_target_per_area(frame, lines, located)
        for name, choices in (("priority", PRIORITY_CHOICES), ("support", SUPPORT_CHOICES)):
            if name in frame:
                _choices(frame[name], name, choices, located)
    label = _one(frame, "round", shown, error) or ""
    fingerprint = _one(frame, "rubric_fingerprint", shown, error)
    notes = [note] if (note := table.note(shown)) else []
    ids = set(frame["code_id"])
    allowed = check_rubric(fingerprint, ids, rubric, allow_rubric_change, shown, error, same_codes=not as_given)
    if allowed:
        notes.append(allowed)
    _no_council_twice(frame, shown, error, per_respondent)
    responses = frame[[*keep, *(RESPONDENT_COLUMNS if per_respondent else ()), *extra]]
    return ResponsesCsv(path, label, fingerprint, responses, list(extra), notes, per_respondent)


def _not_responses(path: Path, shown: str, use: str) -> str | None:
    """A short message for a readable CSV that has few of a responses CSV's columns (a council list, say), or
    ``None`` (the reader's own message, which names each missing column, is then the better one)."""
    try:
        header = read_table(path, shown, "responses CSV", [], ResponsesCsvError).header
    except ResponsesCsvError:
        return None
    found = sum(any(fold(h) == fold(name) for h in header) for name in ROW_COLUMNS)
    if found * 2 >= len(ROW_COLUMNS):
        return None
    named_headers = named([f"'{h}'" for h in header if h][:8]) or "nothing"
    return f"{shown} is not a responses CSV: its first line names {named_headers}; {use}"


def _columns(rows: Iterable[tuple[int, list[str]]], wanted: dict[str, int]) -> tuple[list[int], pd.DataFrame]:
    """The line of each row, and the ``wanted`` columns (name -> index) as stripped text, a short row's missing
    cells empty. Only those cells are kept: a large file's other columns (and its decoded text) never are."""
    lines: list[int] = []
    cells: dict[str, list[str]] = {name: [] for name in wanted}
    places = [(cells[name].append, i) for name, i in wanted.items()]
    for line, row in rows:
        lines.append(line)
        width = len(row)
        for append, i in places:
            append(row[i].strip() if i < width else "")
    return lines, pd.DataFrame(cells, dtype=object)


def _unneutralised(column: pd.Series) -> pd.Series:
    """Text as typed: the ``'`` that the CSV writer put before a would-be formula removed."""
    fixed = {v: unneutralise(v) for v in column.unique()}
    return column.map(fixed)


def _located(at: int, message: str, lines: list[int], shown: str, use: str, error: type[ResponsesCsvError]) -> NoReturn:
    """Raise ``error`` for the ``at``-th row (0-based), naming its line: ``path:line: message (use)``."""
    raise error(f"{shown}:{lines[at]}: {message} ({use})")


def _levels(column: pd.Series, name: str, n_levels: int, located: Callable[[int, str], NoReturn]) -> pd.Series:
    """A score or target column as Int64: each cell a level or empty, else a located error."""
    numbers = pd.to_numeric(column.where(column != ""), errors="coerce")
    bad = column.ne("") & ~(numbers.isin(range(1, n_levels + 1)))
    if bad.any():
        at = int(bad.to_numpy().argmax())
        located(at, f"{name} {column.iloc[at]!r} is not a level (1 to {n_levels}) nor empty")
    return numbers.astype("Int64")


def _one_target_per_area(frame: pd.DataFrame, lines: list[int], located: Callable[[int, str], NoReturn]) -> None:
    """Every row of a return's key area has the same target (or none), else a located error."""
    key = ["source_file", "area"]
    first = frame[key].reset_index().drop_duplicates(key).rename(columns={"index": "first"})
    at = frame[key].merge(first, on=key, how="left")["first"].to_numpy()
    target, then = frame["target"].reset_index(drop=True), frame["target"].iloc[at].reset_index(drop=True)
    same = target.eq(then).fillna(False) | (target.isna() & then.isna())
    if not same.all():
        row = int((~same).to_numpy().argmax())
        shown = ["empty" if pd.isna(t) else repr(str(t)) for t in (target[row], then[row])]
        located(
            row,
            f"target {shown[0]} differs from the target {shown[1]} of the same return and key area "
            f"{frame['area'].iloc[row]!r} on line {lines[at[row]]}; every row of a key area has its one target",
        )


def _choices(column: pd.Series, name: str, choices: Sequence[str], located: Callable[[int, str], NoReturn]) -> None:
    """Each cell of a priority or support column one of its ``choices`` or empty, else a located error."""
    bad = ~column.isin(["", *choices])
    if bad.any():
        at = int(bad.to_numpy().argmax())
        located(at, f"{name} {column.iloc[at]!r} is not one of {named(list(choices))} nor empty")


def _one(frame: pd.DataFrame, column: str, shown: str, error: type[ResponsesCsvError]) -> str | None:
    """The one value of ``column`` in the file (``None`` if the column is absent or blank)."""
    if column not in frame:
        return None
    values = [v for v in frame[column].unique() if v]
    if len(values) > 1:
        raise error(
            f"{shown}: holds rows of {len(values)} rounds or rubrics in the column '{column}' "
            f"({named([str(v) for v in values])}); give one round's responses CSV"
        )
    return str(values[0]) if values else None


def _no_council_twice(
    frame: pd.DataFrame, shown: str, error: type[ResponsesCsvError], per_respondent: bool = False
) -> None:
    """One return per council code (``per_respondent``: per council code and respondent), else an error."""
    returns = frame.drop_duplicates("source_file")
    coded = returns[returns["council_code"] != ""]
    who = coded["respondent_id"].str.casefold() if per_respondent else pd.Series("", index=coded.index)
    twice = coded[pd.DataFrame({"code": coded["council_code"], "who": who}).duplicated()]
    if not twice.empty:
        code = twice["council_code"].iloc[0]
        same = (coded["council_code"] == code) & (who == who[twice.index[0]])
        files = coded.loc[same, "source_file"].tolist()
        whose = f" and respondent {twice['respondent_id'].iloc[0]!r}" if per_respondent else ""
        raise error(f"{shown}: council code {code!r}{whose} has more than one return ({named(files)})")


def check_rubric(
    fingerprint: str | None,
    ids: set[str],
    rubric: Rubric,
    allow_change: bool,
    shown: str,
    error: type[ResponsesCsvError] = PreviousRoundError,
    same_codes: bool = True,
) -> str | None:
    """Refuse a previous round collected with another rubric, unless ``allow_change`` and (if ``same_codes``) its
    value-code IDs are this rubric's. Returns a note when a change is allowed; ``None`` when the rubric is the
    same."""
    if fingerprint == rubric.fingerprint:
        return None
    ours = {code.id for code in rubric.value_codes}
    if same_codes and ids != ours:
        gone, new = sorted(ids - ours), sorted(ours - ids)
        parts = [f"only in {shown}: {named(gone)}" if gone else "", f"only in this rubric: {named(new)}" if new else ""]
        raise error(
            f"{shown} was collected with another rubric, with other value codes ({'; '.join(p for p in parts if p)}); "
            "rounds can only be compared on the same value codes"
        )
    what = f"another rubric (fingerprint {fingerprint[:12]}…)" if fingerprint else "an unknown rubric (no fingerprint)"
    if not allow_change:
        if not same_codes:
            raise error(
                f"{shown} was collected with {what}, not this one ({rubric.fingerprint[:12]}…); if the rubric's "
                "wording or value codes changed on purpose, add --allow-rubric-change to use its answers by "
                "value-code ID (those of value codes this rubric does not have are left out, and said)"
            )
        raise error(
            f"{shown} was collected with {what}, not this one ({rubric.fingerprint[:12]}…); its value-code IDs are "
            "the same, so if only the wording changed, add --allow-rubric-change to compare the rounds anyway"
        )
    verb = "compared" if same_codes else "used"
    return f"The previous round was collected with {what}; {verb} by value-code ID (--allow-rubric-change)."


def councils_of(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per return: ``source_file, council, council_code``."""
    return responses[["source_file", "council", "council_code"]].drop_duplicates("source_file").fillna("")


def match_councils(now: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """Each council of either round, once: matched by code, else by name (:func:`fold_name`, a name that is
    ambiguous in its round matches nothing), else in one round only.

    ``now`` and ``then`` are :func:`councils_of` frames. Columns: ``council, council_code, council_then,
    code_then, matched`` (:data:`BY_CODE`, :data:`BY_NAME`, :data:`NOW_ONLY`, :data:`THEN_ONLY`), ``now`` and
    ``then`` (the return's source file in each round, empty when absent); by ``matched``, then council name.
    """
    now = now.rename(columns={"source_file": "now"})
    then = then.rename(columns={"source_file": "then", "council": "council_then", "council_code": "code_then"})
    coded = now[now["council_code"] != ""].merge(
        then[then["code_then"] != ""], left_on="council_code", right_on="code_then"
    )
    rest_now, rest_then = now[~now["now"].isin(coded["now"])], then[~then["then"].isin(coded["then"])]
    key_now, key_then = rest_now["council"].map(fold_name), rest_then["council_then"].map(fold_name)
    rest_now = rest_now.assign(key=key_now)[~key_now.duplicated(keep=False)]
    rest_then = rest_then.assign(key=key_then)[~key_then.duplicated(keep=False)]
    by_name = rest_now.merge(rest_then, on="key").drop(columns="key")
    both = pd.concat([coded.assign(matched=BY_CODE), by_name.assign(matched=BY_NAME)])
    now_only = now[~now["now"].isin(both["now"])].assign(matched=NOW_ONLY)
    then_only = then[~then["then"].isin(both["then"])].assign(matched=THEN_ONLY)
    out = pd.concat([both, now_only, then_only], ignore_index=True)
    out = out.reindex(columns=["council", "council_code", "council_then", "code_then", "matched", "now", "then"])
    out = out.fillna("")
    order = {BY_CODE: 0, BY_NAME: 1, NOW_ONLY: 2, THEN_ONLY: 3}
    name = out["council"].where(out["council"] != "", out["council_then"]).str.casefold()
    out = out.assign(_o=out["matched"].map(order), _n=name).sort_values(["_o", "_n"], kind="stable")
    return out.drop(columns=["_o", "_n"]).reset_index(drop=True)


@dataclass
class Comparison:
    """The tables of the movement between two rounds, ready for the summary's sheets (human headers)."""

    then_label: str
    now_label: str
    councils: pd.DataFrame  # each council of either round and how it was matched
    by_area: pd.DataFrame  # BOTH rows first (the chart plots them), then ALL
    by_code: pd.DataFrame
    movers: pd.DataFrame
    overview: list[tuple[str, object]]
    console: str


def _scored(responses: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    scored = responses[responses["score"].notna()]
    return pd.DataFrame(  # categories: grouping 59,000 rows by text is slow
        {
            "source_file": pd.Categorical(scored["source_file"]),
            "code_id": pd.Categorical(scored["code_id"]),
            "area": pd.Categorical(scored["code_id"].map(areas)),
            "score": scored["score"].astype(float).to_numpy(),
        }
    )


def code_stats(scored: pd.DataFrame, mature: int) -> pd.DataFrame:
    """Per value code: ``n`` scores, the ``share`` at ``mature`` or above, and their ``median``."""
    grouped = scored.assign(high=scored["score"] >= mature).groupby("code_id", observed=True)
    return grouped.agg(n=("score", "size"), share=("high", "mean"), median=("score", "median"))


def area_scores(scored: pd.DataFrame) -> pd.DataFrame:
    """Each council's score in each key area: the mean of its scores there (``source_file, area, mean``)."""
    return (
        scored.groupby(["source_file", "area"], as_index=False, observed=True)["score"]
        .mean()
        .rename(columns={"score": "mean"})
    )


def area_stats(scored: pd.DataFrame, mature: int) -> pd.DataFrame:
    """Per key area: ``n`` councils with a score there, the ``share`` of all its scores at ``mature`` or above,
    and the ``median`` of the councils' area scores (:func:`area_scores`)."""
    share = scored.assign(high=scored["score"] >= mature).groupby("area", observed=True)["high"].mean()
    per_council = area_scores(scored).groupby("area", observed=True)["mean"]
    return pd.DataFrame({"n": per_council.size(), "share": share, "median": per_council.median()})


def _movement(
    stats: dict[str, tuple[pd.DataFrame, pd.DataFrame]], index: list[str], key: list[str], extra: pd.DataFrame
) -> pd.DataFrame:
    """Then and now side by side for each group of councils (BOTH, then ALL), ``index`` in order."""
    frames = []
    for group, (then, now) in stats.items():
        then, now = then.reindex(index), now.reindex(index)
        frame = pd.DataFrame(
            {
                "Councils": group,
                "n previous": then["n"].fillna(0).astype(int),
                "n now": now["n"].fillna(0).astype(int),
                "Mature or above, previous": then["share"],
                "Mature or above, now": now["share"],
                "Change (points)": (now["share"] - then["share"]) * 100,
                "Median, previous": then["median"],
                "Median, now": now["median"],
                "Median change": now["median"] - then["median"],
            },
            index=index,
        )
        frames.append(pd.concat([extra.set_axis(index), frame], axis=1))
    out = pd.concat(frames).reset_index(drop=True)
    return out[[*key, *[c for c in out.columns if c not in key]]]


def movers(then: pd.DataFrame, now: pd.DataFrame, pairs: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per key area, the :data:`MOVERS` councils (in both rounds) whose area score (mean) rose most, and the
    :data:`MOVERS` whose fell most; a council whose score did not change is no mover."""
    both = pairs[pairs["matched"].isin([BY_CODE, BY_NAME])]
    scores = area_scores(now).merge(both[["now", "council", "council_code"]], left_on="source_file", right_on="now")
    scores = scores.merge(both[["now", "then"]], on="now").merge(
        area_scores(then), left_on=["then", "area"], right_on=["source_file", "area"], suffixes=("", "_then")
    )
    scores["change"] = (scores["mean"] - scores["mean_then"]).round(9)
    order = {area.name: i for i, area in enumerate(rubric.areas)}
    scores["_a"] = scores["area"].map(order)
    up = scores[scores["change"] > 0].sort_values(["_a", "change", "council"], ascending=[True, False, True])
    down = scores[scores["change"] < 0].sort_values(["_a", "change", "council"], ascending=[True, True, True])
    out = pd.concat(
        [
            up.groupby("_a").head(MOVERS).assign(direction="Up", _d=0),
            down.groupby("_a").head(MOVERS).assign(direction="Down", _d=1),
        ]
    )
    out = out.sort_values(["_a", "_d"], kind="stable")
    columns = {
        "area": "Key area",
        "direction": "Direction",
        "council": "Council",
        "council_code": "Council code",
        "mean_then": "Area score, previous",
        "mean": "Area score, now",
        "change": "Change",
    }
    return out[list(columns)].rename(columns=columns).reset_index(drop=True)


def compare(previous: PreviousRound, now: pd.DataFrame, rubric: Rubric, now_label: str) -> Comparison:
    """The movement from ``previous`` to this round's responses ``now`` (columns as ``previous.responses``)."""
    pairs = match_councils(councils_of(now), councils_of(previous.responses))
    mature = rubric.mature_level
    scored_now, scored_then = _scored(now, rubric), _scored(previous.responses, rubric)
    both = pairs[pairs["matched"].isin([BY_CODE, BY_NAME])]
    in_then, in_now = scored_then["source_file"].isin(both["then"]), scored_now["source_file"].isin(both["now"])
    groups = {BOTH: (scored_then[in_then], scored_now[in_now]), ALL: (scored_then, scored_now)}
    ids = [code.id for code in rubric.value_codes]
    names = pd.DataFrame(
        {
            "ID": ids,
            "Value code": [code.name for code in rubric.value_codes],
            "Key area": [rubric.area_of(i).name for i in ids],
        }
    )
    by_code = _movement(
        {g: (code_stats(t, mature), code_stats(n, mature)) for g, (t, n) in groups.items()},
        ids,
        ["ID", "Value code", "Key area", "Councils"],
        names,
    )
    areas = [area.name for area in rubric.areas]
    by_area = _movement(
        {g: (area_stats(t, mature), area_stats(n, mature)) for g, (t, n) in groups.items()},
        areas,
        ["Key area", "Councils"],
        pd.DataFrame({"Key area": areas}),
    )
    then_label = previous.label or "previous round"
    counts = pairs["matched"].value_counts()
    n = {k: int(counts.get(k, 0)) for k in (BY_CODE, BY_NAME, NOW_ONLY, THEN_ONLY)}
    in_both = n[BY_CODE] + n[BY_NAME]
    overview: list[tuple[str, object]] = [
        ("Previous round", f"{then_label} ({previous.path.name})"),
        ("Councils in the previous round", in_both + n[THEN_ONLY]),
        ("Councils in this round", in_both + n[NOW_ONLY]),
        ("  in both rounds", in_both),
        ("    matched by council code", n[BY_CODE]),
        ("    matched by name", n[BY_NAME]),
        ("  in this round only", n[NOW_ONLY]),
        ("  in the previous round only", n[THEN_ONLY]),
        *[("Note", note) for note in previous.notes],
    ]
    console = (
        f"Previous round {then_label}: {plural(in_both + n[THEN_ONLY], 'council')} then, {in_both + n[NOW_ONLY]:,} "
        f"now; {in_both:,} in both ({n[BY_CODE]:,} matched by code, {n[BY_NAME]:,} by name), {n[NOW_ONLY]:,} in "
        f'this round only, {n[THEN_ONLY]:,} in {then_label} only; see the sheets "Councils by round" and '
        '"Movement by key area".'
    )
    then = {"council_then": f"{HEADERS['council']}, previous", "code_then": f"{HEADERS['council_code']}, previous"}
    shown = pairs.rename(columns={**HEADERS, **then, "matched": "Matched by"}).drop(columns=["now", "then"])
    shown["Matched by"] = shown["Matched by"].map(
        {BY_CODE: "Council code", BY_NAME: "Name", NOW_ONLY: "This round only", THEN_ONLY: "Previous round only"}
    )
    return Comparison(
        then_label,
        now_label,
        shown,
        by_area,
        by_code,
        movers(scored_then, scored_now, pairs, rubric),
        overview,
        console,
    )
