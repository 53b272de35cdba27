"""An earlier round's answers for pre-filled copies (``generate --prefill``).

The earlier round is its responses CSV (:func:`~nps_xlsx.collect.rounds.read_responses`). Each council of the list
is matched to it as rounds are (:func:`~nps_xlsx.collect.rounds.match_councils`: by code, else by name); its
answers become the text its copy's inputs will hold, by defined name. Nothing is guessed: an answer this rubric
cannot hold (a value code it does not have, a score or target that is not one of its levels, a level text or
choice that is not offered, a comment longer than a cell) is left out, and said.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .. import layout
from ..columns import AMBITION_COLUMNS, level_choice
from ..councils import Council
from ..rubric import Rubric
from ..text import EXCEL_CELL_LIMIT, clean_text, utf16_len
from .rounds import BY_CODE, BY_NAME, ResponsesCsv, councils_of, match_councils

CHOICES = {"priority": layout.PRIORITY_CHOICES, "support": layout.SUPPORT_CHOICES}
FIELDS = ["source_file", "code_id", "score", "level", "comment", "priority", "support", "target"]
# the responses CSV's columns that pre-filling reads (read_responses' ``keep``; the others are never kept)
PREFILL_COLUMNS = ("source_file", "council", "council_code", "code_id", "score", "level", "comment", *AMBITION_COLUMNS)


@dataclass
class EarlierAnswers:
    """The earlier round's answers for each council of a list.

    ``answers[i]`` is council ``i``'s: each input's text by defined name (``score_EC1``: ``"3 - Mature"``), or
    ``None`` for a council not in that round (a blank copy). ``dropped[i]`` says, per answer left out, its value
    code (or key area) and why.
    """

    round: str
    answers: list[dict[str, str] | None]
    dropped: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def missing(self) -> list[int]:
        """The councils not in the earlier round, by index."""
        return [i for i, answers in enumerate(self.answers) if answers is None]


def earlier_answers(previous: ResponsesCsv, councils: list[Council], rubric: Rubric) -> EarlierAnswers:
    """Each council's answers from ``previous`` (see :class:`EarlierAnswers`).

    A council listed more than once (one line per respondent) gets the same answers each time; what was left out
    is said at its first line only.
    """
    unique = list(dict.fromkeys(councils))
    if len(unique) < len(councils):
        once = earlier_answers(previous, unique, rubric)
        at = {council: i for i, council in enumerate(unique)}
        first = {council: councils.index(council) for council in unique}
        dropped = [once.dropped[at[c]] if first[c] == i else [] for i, c in enumerate(councils)]
        return EarlierAnswers(once.round, [once.answers[at[c]] for c in councils], dropped)
    now = pd.DataFrame(
        {
            "source_file": [str(i) for i in range(len(councils))],
            "council": [council.name for council in councils],
            "council_code": [council.code for council in councils],
        },
        dtype=object,
    )
    pairs = match_councils(now, councils_of(previous.responses))
    both = pairs[pairs["matched"].isin([BY_CODE, BY_NAME])]
    rows: dict[str, list[dict[str, str]]] = {}
    for row in _as_text(previous.responses):
        rows.setdefault(row["source_file"], []).append(row)
    label = previous.label or "the previous round"
    earlier = EarlierAnswers(label, [None] * len(councils), [[] for _ in councils])
    for now_file, then_file in zip(both["now"], both["then"], strict=True):
        index = int(now_file)
        earlier.answers[index] = council_answers(rows[then_file], rubric, earlier.dropped[index])
    return earlier


def _as_text(responses: pd.DataFrame) -> list[dict[str, str]]:
    """The rows of a responses CSV as read, each field as text (empty when missing, or when the CSV has no such
    column: one written before issue 15 has no priority, support or target)."""
    frame = responses.reindex(columns=FIELDS).astype("string").fillna("")
    return [dict(zip(FIELDS, values, strict=True)) for values in zip(*(frame[c].tolist() for c in FIELDS), strict=True)]


def council_answers(
    rows: Sequence[Mapping[str, str]], rubric: Rubric, dropped: list[tuple[str, str]]
) -> dict[str, str]:
    """One council's rows of a responses CSV (each field as text) as its copy's inputs; each answer left out is
    added to ``dropped``."""
    area_of = {code.id: area.id for area in rubric.areas for code in area.value_codes}
    answers: dict[str, str] = {}
    targets: dict[str, set[str]] = {}
    for row in rows:
        code_id = row["code_id"]
        given = {which: row.get(which, "").strip() for which in ("score", "level", "comment", "priority", "support")}
        target = row.get("target", "").strip()
        if code_id not in area_of:
            if any(given.values()) or target:
                dropped.append((code_id, "a value code this rubric does not have"))
            continue
        if target:
            targets.setdefault(area_of[code_id], set()).add(target)
        for which, (text, why) in _inputs(given, rubric).items():
            if why:
                dropped.append((code_id, why))
            elif text:
                answers[f"{which}_{code_id}"] = text
    for area_id, given_targets in targets.items():
        if len(given_targets) > 1:
            dropped.append((area_id, f"the target level is given as {' and '.join(sorted(given_targets))}"))
            continue
        (target,) = given_targets
        level, why = _level(target, rubric, "target level")
        if why:
            dropped.append((area_id, why))
        else:
            answers[layout.target_name(area_id)] = level
    return answers


def _inputs(given: dict[str, str], rubric: Rubric) -> dict[str, tuple[str, str]]:
    """A value code's row as its inputs: input -> (text, why it is left out: empty if it is not)."""
    score, level = given["score"], given["level"]
    if score:
        out = {"score": _level(score, rubric, "score")}
    elif not level:
        out = {"score": ("", "")}
    elif level == rubric.unscored:
        out = {"score": (rubric.unscored, "")}
    else:
        out = {"score": ("", f"the level {level!r} has no score and is not {rubric.unscored!r}")}
    for which, choices in CHOICES.items():
        text = given[which]
        offered = not text or text in choices
        out[which] = (text, "") if offered else ("", f"{which} {text!r} is not one of {', '.join(choices)}")
    comment = clean_text(given["comment"])[0] if given["comment"] else ""
    length = utf16_len(comment) if len(comment) > EXCEL_CELL_LIMIT // 2 else len(comment)
    too_long = f"the comment is {length:,} characters long, more than a cell holds ({EXCEL_CELL_LIMIT:,})"
    out["comment"] = (comment, "") if length <= EXCEL_CELL_LIMIT else ("", too_long)
    return out


def _level(text: str, rubric: Rubric, what: str) -> tuple[str, str]:
    """A score or target level (``"3"``) as its drop-down text, and why not if it is not one of ``rubric``'s."""
    n = len(rubric.levels)
    if text.isascii() and text.isdigit() and 1 <= int(text) <= n:
        return level_choice(int(text), rubric.levels[int(text) - 1]), ""
    return "", f"{what} {text!r} is not a level of this rubric (1 to {n})"
