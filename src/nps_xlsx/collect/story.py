"""The lines ``collect`` ends with: what became of the files, who to chase, and what needs a look."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..text import named, plural
from .agreement import DISAGREEMENT, Agreement
from .collection import Collection

WIDEST = 3  # the widest disagreements named on the console

CHASE_WORDS = {  # in the order the line gives them
    "returned": "returned",
    "rejected": "rejected",
    "blank": "blank",
    "held": "held for review",
    "not-returned": "not returned",
}


def closing_lines(
    collection: Collection, written: Sequence[Path], summary: Path | None, chase_csv: Path | None
) -> list[str]:
    """The story of a run, for stdout: ``written`` are the outputs written, ``summary`` the summary if it was."""
    counts = collection.counts()
    held = f", {counts['held']:,} held for review" if counts["held"] else ""
    lines = [
        f"{plural(len(collection.entries), 'file')}: {counts['accepted']:,} accepted, "
        f"{counts['accepted-with-warnings']:,} accepted with warnings, {counts['rejected']:,} rejected, "
        f"{counts['superseded']:,} superseded, {counts['skipped']:,} skipped{held}; "
        f"summary written to {', '.join(map(str, written)) or 'nothing'}"
    ]
    rejected = [
        e.report.path + (" (a fault in nps-xlsx, not the council's)" if e.internal_error else "")
        for e in collection.entries
        if e.status == "rejected"
    ]
    if rejected:
        lines.append(f'Rejected: {named(rejected)} (first errors on the sheet "Ledger").')
    lines.extend(_emails(collection))
    if collection.expected is not None:
        chase = collection.chase_counts()
        parts = [f"{chase[s]:,} {CHASE_WORDS[s]}" for s in CHASE_WORDS if chase[s] or s in ("returned", "not-returned")]
        where = 'the sheet "Chase list"' + (f" and {chase_csv}" if chase_csv in written else "")
        mode = collection.respondent_mode
        if mode is not None and mode.listed is not None:
            expected = f"{plural(len(collection.chase), 'expected respondent')} of {len(collection.expected):,}"
            expected += " councils" if len(collection.expected) != 1 else " council"
        else:
            expected = plural(len(collection.expected), "expected council")
        lines.append(f"{expected}: {', '.join(parts)}; see {where}.")
        unexpected = list(
            dict.fromkeys(e.report.response.council_name or "" for e in collection.unexpected if e.report.response)
        )
        if unexpected:
            lines.append(f"{plural(len(unexpected), 'council')} not on the expected list: {named(unexpected)}.")
        strangers = [
            f"{e.report.path} from {e.report.message.sender}"
            for e in collection.entries
            if e.report.message and any(i.code == "sender-mismatch" for i in e.report.issues)
        ]
        if strangers:
            lines.append(
                f"{plural(len(strangers), 'return')} sent from an address the council list does not give for its "
                f'council (see the sheet "Issues"): {named(strangers, sep="; ")}.'
            )
    if counts["held"]:
        where = f" in {summary}" if summary else ""
        lines.append(f'{counts["held"]:,} held for review: see the sheet "Needs review"{where}.')
    return lines


def respondent_lines(collection: Collection, agreed: Agreement) -> list[str]:
    """Respondent mode's lines: why the mode, the disagreement found, and returns without a respondent's identity
    or of respondents not on the list."""
    mode = collection.respondent_mode
    assert mode is not None
    table = agreed.table
    councils = table["council"].nunique() if len(table) else 0
    lines = [
        f"Respondent mode: {mode.reason}. Each respondent's latest return is used; every table of councils' answers "
        f"gives each council's consensus of its respondents ({agreed.rule}, --consensus)."
    ]
    flagged = table[table["disagreement"]].sort_values("spread", ascending=False, kind="stable")
    widest = [
        f"{r.code_id}{f' at {r.council}' if councils > 1 else ''} ({r.spread:.0f})"
        for r in flagged.head(WIDEST).itertuples()
    ]
    lines.append(
        f"{plural(len(collection.respondents), 'respondent')} of {plural(councils, 'council')}: disagreement (a "
        f"spread of {DISAGREEMENT} levels or more) on {len(flagged):,} of {len(table):,} value codes"
        + (" (each council's counted)" if councils > 1 else "")
        + (f"; the widest: {', '.join(widest)}" if widest else "")
        + '; see the sheet "Agreement".'
    )
    alone = [e.report.path for e in collection.without_respondent if not e.set_aside]
    aside = [e.report.path for e in collection.without_respondent if e.set_aside]
    if alone or aside:
        parts = [f"used alone, as its council's one response: {named(alone)}" if alone else ""]
        parts.append(f"set aside, as its council's respondents' returns are used: {named(aside)}" if aside else "")
        lines.append(
            f"Mixed folder: {plural(len(alone) + len(aside), 'return')} without a respondent's identity, never "
            f"merged with respondents' answers; {'; '.join(p for p in parts if p)} (see the ledger's notes)."
        )
    if unlisted := collection.unlisted:
        lines.append(
            f"{plural(len(unlisted), 'return')} from respondents not on the respondent list (used): "
            f"{named([e.report.path for e in unlisted])}."
        )
    return lines


def _emails(collection: Collection) -> list[str]:
    """``3 messages in 1 saved email file: 3 workbook attachments; 1 message without one (skipped).``"""
    messages = [(e.report.message, e.status) for e in collection.entries if e.report.message]
    if not messages:
        return []
    places = {m.place for m, _status in messages}
    files = {m.file for m, _status in messages}
    attachments = sum(m.attachment is not None for m, _status in messages)
    without = sum(m.attachment is None and status == "skipped" for m, status in messages)
    text = (
        f"{plural(len(places), 'message')} in {plural(len(files), 'saved email file')}: "
        f"{plural(attachments, 'workbook attachment')}"
    )
    return [text + (f"; {plural(without, 'message')} without one (skipped)." if without else ".")]
