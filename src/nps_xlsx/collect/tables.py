"""The ``collect`` job's second half: turn the chosen returns into tidy tables (pandas DataFrames)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import columns, layout
from ..columns import (
    CHASE_COLUMNS,
    HEADERS,
    LEDGER_COLUMNS,
    RESPONDENT_COLUMNS,
    RESPONSE_COLUMNS,
    REVIEW_COLUMNS,
    ROW_COLUMNS,
)
from ..csv_table import neutralise, write_csv, write_csv_groups
from ..read.messages import MessageFacts
from ..respondents import Respondent
from ..rubric import Rubric
from ..validate.check import FileStatus
from ..validate.response import Answer
from . import chase
from .ambition import Ambition, answer_ambition, build_ambition
from .cohort import Cohort, build_cohort, group_fields
from .collection import Collection
from .excellence import excellence_rows, first_excellent
from .ledger import USABLE
from .rows import is_blank
from .sheet_prefilled import all_unchanged

if TYPE_CHECKING:
    from .agreement import Agreement
    from .rounds import Comparison

LEDGER_STATUSES: dict[str, str] = {
    FileStatus.ACCEPTED: "Accepted",
    FileStatus.ACCEPTED_WITH_WARNINGS: "Accepted with warnings",
    FileStatus.HELD: "Held for review",
    FileStatus.REJECTED: "Rejected",
    FileStatus.SUPERSEDED: "Superseded",
    FileStatus.SKIPPED: "Skipped",
}


@dataclass
class Tables:
    """Every table the summary workbook and the CSV files are made from."""

    responses: pd.DataFrame
    overall: pd.DataFrame
    by_area: pd.DataFrame
    by_code: pd.DataFrame
    matrix: pd.DataFrame
    averages: pd.DataFrame
    issues: pd.DataFrame
    ledger: pd.DataFrame
    chase: pd.DataFrame  # CHASE_COLUMNS, then the council list's other columns
    overview: list[tuple[str, object]]
    needs_review: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVIEW_COLUMNS))
    cohort: Cohort | None = None  # statistics per value code, and per segment with --group-by
    excellence: Callable[[], Iterator[tuple[object, ...]]] = lambda: iter(())  # the Excellence rows (excellence.py)
    rounds: Comparison | None = None  # the movement since the previous round (--previous; rounds.py)
    ambition: Ambition | None = None  # targets, priorities and support wanted (ambition.py)
    prefilled: pd.DataFrame | None = None  # pre-filled returns' unchanged answers (sheet_prefilled.py)
    agreement: Agreement | None = None  # respondent mode: agreement among each council's respondents (agreement.py)


@dataclass(frozen=True)
class LargeRows:
    """The rows of the summary's two largest tables, generated when written and made from the returns (not from
    the frames of :class:`Tables`), so they can be written while the frames are built."""

    comments: Callable[[], Iterator[tuple[object, ...]]]  # the Comments table (comment_rows)
    excellence: Callable[[], Iterator[tuple[object, ...]]]  # the Excellence table (excellence.py)


def large_rows(collection: Collection, rubric: Rubric) -> LargeRows:
    """The Comments and Excellence tables' rows of ``collection``'s used returns."""
    return LargeRows(
        lambda: comment_rows(collection, rubric),
        lambda: excellence_rows(response_rows(collection, rubric, at_least=first_excellent(rubric)), rubric),
    )


def response_rows(
    collection: Collection, rubric: Rubric, with_comments: bool = True, at_least: int | None = None
) -> Iterator[tuple[object, ...]]:
    """One tuple of :data:`ROW_COLUMNS` per (used return x value code), in input then rubric order; with
    ``at_least``, only those scored that level or higher.

    Generated, not stored: comments may be on disk (see :mod:`nps_xlsx.collect.spool`) and come back one return at
    a time. Without comments, the ``comment`` field is ``""``.
    """
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    names = {code.id: code.name for code in rubric.value_codes}
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        council = response.council_name or ""
        code = entry.code or ""  # from the copy's identity, an assignment or the expected list (see collect)
        if at_least is not None and not any(a.score is not None and a.score >= at_least for a in response.answers):
            continue  # its comments are not read
        comments = collection.comments(entry) if with_comments else ("",) * len(response.answers)
        for answer, comment in zip(response.answers, comments, strict=True):
            if at_least is not None and (answer.score is None or answer.score < at_least):
                continue
            yield (
                entry.report.path,
                council,
                code,
                areas[answer.code_id],
                answer.code_id,
                names[answer.code_id],
                answer.score,
                _level(answer, rubric),
                comment,
            )


def _level(answer: Answer, rubric: Rubric) -> str:
    """The answer's level as the tables name it: the scored level's, the rubric's Unscored, or ``""``."""
    if answer.score is not None:  # a score exactly when the status is "scored"
        return rubric.levels[answer.score - 1]
    return rubric.unscored if answer.status == "unscored" else ""


def respondent_fields(collection: Collection) -> Iterator[tuple[str | None, ...]]:
    """Per row of :func:`response_rows`: its return's respondent (:data:`~nps_xlsx.columns.RESPONDENT_COLUMNS`),
    each ``None`` when blank, all ``None`` for a return without a respondent's identity."""
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        fields = _respondent(entry.respondent)
        for _answer in response.answers:
            yield fields


def tidy_rows(
    collection: Collection, rubric: Rubric, round_label: str, respondents: bool = False
) -> Iterator[tuple[object, ...]]:
    """The responses CSV's rows without grouping columns: :data:`RESPONSE_COLUMNS`, and with ``respondents``
    (respondent mode) the respondent's :data:`~nps_xlsx.columns.RESPONDENT_COLUMNS`."""
    groups = _grouped_rows(collection, rubric, round_label, respondents, None)
    return (tuple(chain.from_iterable(row)) for row in groups)


def comment_rows(collection: Collection, rubric: Rubric) -> Iterator[tuple[object, ...]]:
    """The Comments table's rows: council, ID, value code, score, level, comment (non-empty comments only), in
    :func:`response_rows` order; made only for the answers with a comment."""
    names = {code.id: code.name for code in rubric.value_codes}
    for entry in collection.used:
        response = entry.report.response
        assert response is not None
        council = response.council_name or ""
        for answer, comment in zip(response.answers, collection.comments(entry), strict=True):
            if comment:
                yield (council, answer.code_id, names[answer.code_id], answer.score, _level(answer, rubric), comment)


def write_responses_csv(
    collection: Collection,
    rubric: Rubric,
    path: Path,
    raw: bool = False,
    bom: bool = True,
    round_label: str = "",
    segments: pd.DataFrame | None = None,
    respondents: bool = False,
) -> None:
    """The tidy CSV, one row per (used return x value code); empty for no score. See :func:`write_csv`.

    Each row goes on with ``round_label``, the rubric's fingerprint and the ambition answers
    (:func:`~nps_xlsx.collect.ambition.answer_ambition`); with ``respondents`` (respondent mode), then with the
    return's respondent; with ``segments`` (:func:`nps_xlsx.collect.cohort.segments_frame`), then with the
    council's values of its columns, named as in the council list (one named like ours gets `` (council list)``
    added).
    """
    columns = [*RESPONSE_COLUMNS, *(RESPONDENT_COLUMNS if respondents else ())]
    by_code = None
    if segments is not None and len(segments.columns):
        codes = pd.Series([entry.code or "" for entry in collection.used], dtype=object)
        fields = group_fields(segments, codes).astype(object)
        fields = fields.where(fields != "", None)
        by_code = dict(zip(codes.str.casefold(), fields.itertuples(index=False, name=None), strict=True))
        taken = {c.casefold() for c in columns}
        extra = [f"{h} (council list)" if h.casefold() in taken else h for h in segments.columns]
        columns = [*columns, *(h if raw else str(neutralise(h)) for h in extra)]
    rows = _grouped_rows(collection, rubric, round_label, respondents, by_code)
    cached = [True, True, False, True, *([True] if respondents else []), *([True] if by_code is not None else [])]
    write_csv_groups(path, columns, rows, cached, raw, bom)


def _grouped_rows(
    collection: Collection,
    rubric: Rubric,
    round_label: str,
    respondents: bool,
    by_code: dict[str, tuple[object, ...]] | None,
) -> Iterator[tuple[tuple[object, ...], ...]]:
    """The responses CSV's rows, with the segment fields of ``by_code`` (by council code, casefolded), in groups for
    :func:`~nps_xlsx.csv_table.write_csv_groups`: the return's, the answer's, the comment, the answer's choices,
    then with ``respondents`` the respondent, then with ``by_code`` the segments."""
    tail = (round_label, rubric.fingerprint)
    rows = zip(response_rows(collection, rubric), answer_ambition(collection, rubric), strict=True)
    if not respondents and by_code is None:  # the usual case
        for row, more in rows:
            yield row[:3], row[3:8], row[8:], tail + more
        return
    people: Iterable[tuple[object, ...]] = respondent_fields(collection) if respondents else repeat(())
    for (row, more), person in zip(rows, people, strict=respondents):  # people: as many, or repeat(())
        groups = (row[:3], row[3:8], row[8:], tail + more, *((person,) if respondents else ()))
        yield (*groups, by_code[str(row[2]).casefold()]) if by_code is not None else groups


def for_people(frame: pd.DataFrame, statuses: dict[str, str]) -> pd.DataFrame:
    """``frame`` as a sheet shows it: :data:`HEADERS` for machine column names, ``statuses`` for its status values."""
    shown = frame.assign(status=frame["status"].map(lambda s: statuses.get(s, s))) if "status" in frame else frame
    return shown.rename(columns=HEADERS)


def write_chase_csv(chase: pd.DataFrame, path: Path, raw: bool = False, bom: bool = True) -> None:
    """The chase list as CSV: :data:`CHASE_COLUMNS` and the council list's own headers. See :func:`write_csv`."""
    rows = chase.astype(object).itertuples(index=False, name=None)
    columns = [str(c) if raw else str(neutralise(str(c))) for c in chase.columns]  # a council list's headers too
    write_csv(path, columns, ([None if is_blank(v) else v for v in row] for row in rows), raw, bom)


def write_ledger_csv(ledger: pd.DataFrame, path: Path, raw: bool = False, bom: bool = True) -> None:
    """The ledger of every file received, as CSV. See :func:`write_csv`."""
    rows = ledger.astype(object).itertuples(index=False, name=None)
    write_csv(path, list(ledger.columns), ([None if is_blank(v) else v for v in row] for row in rows), raw, bom)


def responses_frame(collection: Collection, rubric: Rubric) -> pd.DataFrame:
    """The responses without their comments (:func:`response_rows`' rows, comments ``""``), plus ``category``, the
    distribution column each counts in.

    Made column by column: a return's own fields repeated for each of its answers, and no row of Python objects
    (there are sixty a return)."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    names = {code.id: code.name for code in rubric.value_codes}
    used = collection.used
    responses = [entry.report.response for entry in used if entry.report.response is not None]
    assert len(responses) == len(used)
    sizes = [len(response.answers) for response in responses]
    answers = [answer for response in responses for answer in response.answers]
    ids = [answer.code_id for answer in answers]
    scores = [answer.score for answer in answers]
    levels = [_level(answer, rubric) for answer in answers]
    if not answers:  # no rows: the columns' types as pandas makes them for a frame of no rows
        frame = pd.DataFrame([], columns=ROW_COLUMNS)
        frame["category"] = layout.answer_categories(rubric, [], [])
        return frame.astype({"score": "Int64"})

    def each_answer(values: list[str]) -> np.ndarray:
        return np.repeat(np.array(values, dtype=object), sizes)

    data = {
        "source_file": each_answer([entry.report.path for entry in used]),
        "council": each_answer([response.council_name or "" for response in responses]),
        "council_code": each_answer([entry.code or "" for entry in used]),
        "area": [areas[code] for code in ids],
        "code_id": ids,
        "value_code": [names[code] for code in ids],
        "score": pd.array(scores, dtype="Int64"),
        "level": levels,
        "comment": np.full(len(answers), "", dtype=object),
        "category": layout.answer_categories(rubric, scores, levels),
    }
    assert list(data)[: len(ROW_COLUMNS)] == ROW_COLUMNS
    return pd.DataFrame(data)


def _counts(frame: pd.DataFrame, rubric: Rubric, by: list[str], index: list[str]) -> pd.DataFrame:
    labels = layout.categories(rubric)
    if frame.empty:
        counts = pd.DataFrame(0, index=pd.Index(index), columns=labels)
    else:
        counts = frame.groupby([*by, "category"]).size().unstack("category", fill_value=0)
        counts = counts.reindex(index=index, columns=labels, fill_value=0)
    counts = counts.astype(int)
    counts["Total"] = counts.sum(axis=1)
    return counts


def build_tables(
    collection: Collection,
    rubric: Rubric,
    produced: datetime | None = None,
    segments: pd.DataFrame | None = None,
    answers: Collection | None = None,
) -> Tables:
    """All the tables, computed from the chosen returns; the segment tables with ``segments`` (see
    :func:`nps_xlsx.collect.cohort.segments_frame`).

    ``answers`` (respondent mode: one consensus return per council, :mod:`nps_xlsx.collect.consensus`) are the
    answers the tables of councils' answers are made from, instead of ``collection``'s returns; the ledger, the
    chase list, the issues and the counts of files are ``collection``'s.
    """
    files, collection = collection, answers or collection
    responses = responses_frame(collection, rubric)
    overall = _counts(responses[["category"]].assign(all="All value codes"), rubric, ["all"], ["All value codes"])
    by_area = _counts(responses, rubric, ["area"], [a.name for a in rubric.areas])
    by_area.index.name = "Key area"
    by_code = _counts(responses, rubric, ["code_id"], [c.id for c in rubric.value_codes])
    by_code.insert(0, "Value code", [c.name for c in rubric.value_codes])
    by_code.insert(1, "Key area", [rubric.area_of(c.id).name for c in rubric.value_codes])
    by_code.index.name = "ID"

    councils = responses[["council", "council_code", "source_file"]].drop_duplicates("source_file")
    matrix = _matrix(responses, councils, rubric)

    scored = responses.loc[responses["score"].notna(), ["source_file", "area", "score"]]  # not a copy of every column
    scored = scored.assign(score=scored["score"].astype(float))
    averages = (
        scored.groupby(["source_file", "area"], sort=False)["score"].agg(["mean", "median", "count"]).reset_index()
        if not scored.empty
        else pd.DataFrame(columns=["source_file", "area", "mean", "median", "count"])
    )
    grid = councils.merge(pd.DataFrame({"area": [a.name for a in rubric.areas]}), how="cross")
    averages = grid.merge(averages, on=["source_file", "area"], how="left")
    averages["count"] = averages["count"].fillna(0).astype(int)
    averages = averages.rename(
        columns={
            "council": "Council",
            "council_code": "Code",
            "area": "Key area",
            "mean": "Mean",
            "median": "Median",
            "count": "n",
        }
    )
    averages = averages[["Council", "Code", "Key area", "Mean", "Median", "n"]]

    issues = pd.DataFrame(
        [
            (i.location.file, i.severity, i.code, i.location.sheet, i.location.cell, i.value_code, i.value, i.message)
            for i in files.issues
        ],
        columns=["File", "Severity", "Code", "Sheet", "Cell", "Value code", "Value", "Message"],
    )
    ledger = _ledger(files)
    chase_frame = _chase(files)
    answered = int((responses["level"] != "").sum())
    possible = len(collection.used) * len(rubric.value_codes)
    counts = files.counts()
    produced = produced or datetime.now(timezone.utc)
    overview: list[tuple[str, object]] = [
        ("Files received", len(files.entries)),
        *_used_overview(files, collection),
        ("  of which accepted with warnings", counts["accepted-with-warnings"]),
        ("Held for review (see Needs review)", counts["held"]),
        ("Rejected", counts["rejected"]),
        ("Superseded (duplicates)", counts["superseded"]),
        ("Skipped (not workbooks)", counts["skipped"]),
        ("Expected councils", len(files.expected) if files.expected is not None else "not given"),
        *_chase_overview(files),
        ("Completeness (value codes answered)", answered / possible if possible else 0.0),
        ("Rubric", f"{rubric.title}, version {rubric.version}"),
        ("Rubric fingerprint", rubric.fingerprint),
        ("Produced", produced.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    return Tables(
        responses,
        overall,
        by_area,
        by_code,
        matrix,
        averages,
        issues,
        ledger,
        chase_frame,
        overview,
        _needs_review(files),
        build_cohort(responses, rubric, segments, chase_frame),
        large_rows(collection, rubric).excellence,
        ambition=build_ambition(collection, responses, rubric, segments),
    )


def _used_overview(files: Collection, answers: Collection) -> list[tuple[str, object]]:
    """The Overview's lines on the returns used: one per council, or in respondent mode per respondent, with the
    councils whose consensus the tables give and the returns without a respondent's identity."""
    if files.respondent_mode is None:
        return [("Returns used (one per council)", len(files.used))]
    alone = sum(e.status in USABLE for e in files.without_respondent)
    return [
        ("Returns used (one per respondent)", len(files.used)),
        ("Councils (each its respondents' consensus)", len(answers.used)),
        ("  Returns without a respondent: used alone", alone),
        ("  Returns without a respondent: set aside", len(files.without_respondent) - alone),
    ]


def _matrix(responses: pd.DataFrame, councils: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Council x value code: the score, ``U`` for unscored, blank for not answered."""
    ids = [c.id for c in rubric.value_codes]
    cells = responses["score"].astype(object)
    cells = cells.where(responses["score"].notna(), (responses["level"] == rubric.unscored).map({True: "U", False: ""}))
    matrix = (
        responses[["source_file", "code_id"]]
        .assign(cell=cells)
        .pivot(index="source_file", columns="code_id", values="cell")
    )
    matrix = matrix.reindex(index=councils["source_file"], columns=ids)
    council, code = columns.MATRIX_COLUMNS  # rubric.py keeps value-code IDs from being these
    matrix.insert(0, council, councils["council"].to_numpy())
    matrix.insert(1, code, councils["council_code"].to_numpy())
    return matrix.reset_index(drop=True)


def _ledger(collection: Collection) -> pd.DataFrame:
    rows = []
    for entry in collection.entries:
        report, response = entry.report, entry.report.response
        identity = response.identity if response else {}
        modified = report.facts.modified
        rows.append(
            (
                report.path,
                entry.status.value,
                response.council_name if response else None,
                # a held return counts for no council until it is assigned (see the note)
                entry.code or (response.council_code if response and entry.status != FileStatus.HELD else None),
                report.format,
                f"{identity.get('rubric_id', '')} {identity.get('rubric_version', '')}".strip() or None,
                len(report.errors),
                len(report.warnings),
                report.errors[0].message if report.errors else (report.skip_reason or None),
                entry.note or None,
                report.facts.sha256,
                report.facts.size,
                datetime.fromtimestamp(modified, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if modified else None,
                identity.get("layout_version") or None,
                all_unchanged(response),
                *_respondent(entry.respondent),
                *_message_cells(report.message),
            )
        )
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS).astype({"size_bytes": "Int64", "message_index": "Int64"})


def _message_cells(message: MessageFacts | None) -> tuple[object, ...]:
    """The ledger's message columns (``columns.MESSAGE_COLUMNS``): the saved email a return came in, if any."""
    if message is None:
        return (None,) * len(columns.MESSAGE_COLUMNS)
    return message.file, message.index, message.sender, message.date_text(), message.subject, message.attachment


def _respondent(who: Respondent | None) -> tuple[str | None, ...]:
    """A respondent's :data:`~nps_xlsx.columns.RESPONDENT_COLUMNS` (``None`` for a blank), all ``None`` for none."""
    return (who.id, who.name or None, who.department or None, who.role or None) if who else (None,) * 4


def _chase(collection: Collection) -> pd.DataFrame:
    """The chase list: :data:`CHASE_COLUMNS`, per respondent then :data:`RESPONDENT_COLUMNS`, then the council list's
    other columns (for a mail merge)."""
    extras: list[str] = []
    for council in collection.expected or []:
        extras.extend(h for h, _ in council.extra if h not in extras)
    mode = collection.respondent_mode
    ours = [*CHASE_COLUMNS, *(RESPONDENT_COLUMNS if mode is not None and mode.listed is not None else ())]
    taken = {c.casefold() for c in (*ours, *(HEADERS.get(c, c) for c in ours))}
    shown = {}
    for header in extras:  # a list column named like one of ours (say "status") keeps its data, renamed
        name = header if header.casefold() not in taken else f"{header} (council list)"
        while name.casefold() in taken:
            name += "'"
        taken.add(name.casefold())
        shown[header] = name
    rows = []
    for row in collection.chase:
        extra = dict(row.council.extra)
        files = "; ".join(row.files) or None
        base = (row.council.code, row.council.name, row.status, files, row.first_error, row.action, row.note or None)
        who = _respondent(row.respondent) if len(ours) > len(CHASE_COLUMNS) else ()
        rows.append((*base, *who, *(extra.get(h) or None for h in extras)))
    return pd.DataFrame(rows, columns=[*ours, *shown.values()], dtype=object)


def _chase_overview(collection: Collection) -> list[tuple[str, object]]:
    """The Overview's lines on the expected councils: how many have each chase status."""
    if collection.expected is None:
        return [("Not yet returned", "not known")]
    counts = collection.chase_counts()
    return [(f"  {chase.LABELS[status]}", counts[status]) for status in chase.PRECEDENCE]


def _needs_review(collection: Collection) -> pd.DataFrame:
    """Held returns (both names, the reason, what to do) and files a fault of ours stopped."""
    rows = []
    for entry in collection.needs_review:
        report, response = entry.report, entry.report.response
        fault = entry.internal_error
        if fault is not None:
            reason, todo = (
                fault.message,
                (
                    "A fault in nps-xlsx, not the council's: do not ask the council to resend. Report the fault to "
                    "the nps-xlsx maintainers; the file may be fine once it is fixed."
                ),
            )
        else:
            held = next((i for i in report.issues if i.code == "council-name-changed"), None)
            reason = held.message if held else entry.note
            todo = (
                "Find out which council sent it. Then add a line with this file's SHA-256 (or path) and that "
                "council's code to an assignments file (columns file,council_code) and run collect again with "
                "--assign. Until then it counts for neither council."
            )
        identity = response.identity if response else {}
        rows.append(
            (
                report.path,
                report.facts.sha256,
                identity.get("council_name"),
                identity.get("council_code"),
                response.council_name if response else None,
                reason,
                todo,
            )
        )
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)
