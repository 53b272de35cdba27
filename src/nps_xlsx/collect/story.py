"""The lines ``collect`` ends with: what became of the files, who to chase, and what needs a look."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..text import named, plural
from .collection import Collection

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
        lines.append(f"{plural(len(collection.expected), 'expected council')}: {', '.join(parts)}; see {where}.")
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
