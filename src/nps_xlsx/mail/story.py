"""What a mail run says on the console: a line per message as it is done, then the closing lines."""

from __future__ import annotations

from pathlib import Path

from ..text import display_path, plural
from .addresses import shown
from .letters import KIND_NOUNS, Kind
from .outbox import Outcome
from .run import MailRun
from .smtp import Server

_SAID = {
    "drafted": "Would send to",
    "sent": "Sent to",
    "already-sent": "Already sent (by an earlier run) to",
    "uncertain": "Not sent again to",
    "refused": "Refused by the server:",
    "failed": "Not sent to",
    "not-written": "Draft not written for",
}


def outcome_line(outcome: Outcome) -> str:
    """``Sent to a@x.gov.uk (Dacorum Borough Council): "…", with E07000096-….xlsx (70 KB)``, and the like."""
    letter = outcome.letter
    assert letter is not None, "a council left out is said in the closing lines"
    whom = f"{shown(letter.recipients())} ({letter.council.name or letter.returned})"
    line = f'{_SAID[outcome.status]} {whom}: "{letter.subject}"'
    if letter.attachment:
        line += f", with {letter.attachment.name} ({_size(len(letter.attachment.data))})"
    if outcome.draft:
        line += f"; draft {outcome.draft}"
    if outcome.detail and outcome.status != "already-sent":
        line += f"; {outcome.detail}"
    return line


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1024 else f"{round(n / 1024):,} KB"


def closing_lines(kind: Kind, run: MailRun, outbox: Path, server: Server | None) -> list[str]:
    """How many messages were drafted or sent, what needs the coordinator, and where the report is."""
    noun = KIND_NOUNS[kind]
    lines = []
    if server is None:
        lines.append(
            f"Wrote {plural(run.count('drafted'), noun + ' draft')} to {display_path(outbox)} "
            "(a dry run: nothing was sent; add --send to send them)."
        )
    else:
        lines.append(f"Sent {plural(run.count('sent'), noun)} through {server.where}.")
    counts = [(status, run.count(status)) for status in ("already-sent", "uncertain", "refused", "failed", "not-sent")]
    words = {"already-sent": "already sent by an earlier run", "uncertain": "perhaps sent by an interrupted run"}
    said = [f"{n:,} {words.get(status, status.replace('-', ' '))}" for status, n in counts if n]
    partly = sum(o.status == "sent" and bool(o.refused) for o in run.outcomes)
    if partly:
        said.append(f"{partly:,} sent with a recipient refused")
    if said:
        lines.append("Also: " + ", ".join(said) + ".")
    if run.stopped:
        lines.append(f"Stopped: {run.stopped}. Run the same command again to send the rest.")
    what = "council" if kind != "reply" else "returned file"
    for status, head in (("left-out", "Left out"), ("not-needed", "No message needed for")):
        left = [o for o in run.outcomes if o.status == status]
        if left:
            lines.append(f"{head} {plural(len(left), what)}:")
            lines += [f"  {_named(o)}: {o.detail}" for o in left]
    if run.report:
        lines.append(f"Every message, and everything left out, is listed in {display_path(run.report)}.")
    return lines


def _named(outcome: Outcome) -> str:
    council = f"{outcome.council.name} ({outcome.council.code})" if outcome.council else ""
    if outcome.returned:
        return f"{outcome.returned}" + (f", {council}" if council else "")
    return council
