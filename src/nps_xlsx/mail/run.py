"""A mail run: the letters of one kind become drafts in the outbox (the dry run, by default) or messages sent over
SMTP (``--send``), with the sent log consulted first, and a report of what became of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MailError
from ..output import Guard, OutputRefused
from .letters import Kind, LeftOut, Letter
from .outbox import Outcome, report_name, write_draft, write_report
from .sent_log import SENT_LOG, SentLog
from .smtp import Pace, Sent, Server, send_all

UNCERTAIN = (
    f"an earlier run was stopped while the server had it, so it may have gone: check the Sent folder; to send it "
    f"again, delete its last line (status sending) from {SENT_LOG}"
)


@dataclass(frozen=True)
class Delivery:
    """How a run delivers: into ``outbox`` as drafts, or over SMTP with ``server`` (at ``rate`` a minute)."""

    outbox: Path
    sender: str | None = None
    server: Server | None = None  # None: a dry run (drafts)
    rate: float = 20.0
    mailing: str = ""  # a name for this mailing, part of each message's key: a new one sends again
    guard: Guard = field(default_factory=Guard)


@dataclass
class MailRun:
    """What became of every letter and council left out, in order; why sending stopped, if it did; the report."""

    outcomes: list[Outcome]
    stopped: str | None = None
    report: Path | None = None
    refused: list[OutputRefused] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problem]


def run_mail(
    kind: Kind,
    letters: list[Letter],
    left_out: list[LeftOut],
    delivery: Delivery,
    say: Callable[[Outcome], None],
    pace: Pace | None = None,
) -> MailRun:
    """Deliver ``letters`` (``say`` hears of each as it is done), then write the report into the outbox."""
    log = SentLog(delivery.outbox)
    done: dict[int, Outcome] = {}
    todo: list[Letter] = []
    for letter in letters:
        state = log.state(letter, delivery.mailing)
        if state == "sent":
            done[id(letter)] = Outcome.of(letter, "already-sent", f"sent by an earlier run (see {SENT_LOG})")
        elif state == "sending":
            done[id(letter)] = Outcome.of(letter, "uncertain", UNCERTAIN)
        else:
            todo.append(letter)
            continue
        say(done[id(letter)])
    run = MailRun([])
    if delivery.server is None:
        for letter in todo:
            done[id(letter)] = _draft(letter, delivery, run.refused)
            say(done[id(letter)])
    else:
        run.stopped = _send(todo, delivery, delivery.server, log, pace, done, say)
    log.close()
    stop = f"not sent: the run stopped ({run.stopped}); run the same command again to send it"
    run.outcomes = [done.get(id(letter)) or Outcome.of(letter, "not-sent", stop) for letter in letters]
    run.outcomes += [Outcome.left_out(item) for item in left_out]
    path = delivery.outbox / report_name(kind)
    try:
        write_report(path, run.outcomes, delivery.guard)
        run.report = path
    except OutputRefused as problem:
        run.refused.append(problem)
    return run


def _draft(letter: Letter, delivery: Delivery, refused: list[OutputRefused]) -> Outcome:
    try:
        path = write_draft(letter, delivery.outbox, delivery.sender, delivery.guard)
    except OutputRefused as problem:
        refused.append(problem)
        return Outcome.of(letter, "not-written", problem.reason)
    return Outcome.of(letter, "drafted", draft=path.name)


def _send(
    todo: list[Letter],
    delivery: Delivery,
    server: Server,
    log: SentLog,
    pace: Pace | None,
    done: dict[int, Outcome],
    say: Callable[[Outcome], None],
) -> str | None:
    """Send ``todo``; why the run stopped early, if it did."""
    if not todo:
        return None
    assert delivery.sender, "sending needs a sender (--from)"

    def told(letter: Letter, sent: Sent) -> None:
        done[id(letter)] = Outcome.of(letter, sent.status, sent.detail, refused=sent.refused)
        say(done[id(letter)])

    try:
        send_all(todo, server, delivery.sender, log, delivery.mailing, pace or Pace(delivery.rate), told)
    except MailError as exc:
        return str(exc)
    return None
