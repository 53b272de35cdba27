"""Replies: for each rejected or held return in the ledger (``collect --ledger``), a message to its sender that lists
the problems in the council's words, each with its cell and how to fix it, with the council's own file attached.

The file is read again (found by its path, or by its SHA-256 under ``--returns``), so the reply lists every issue,
not only the ledger's first; a workbook that came attached to a saved email is read again from that email
(:mod:`~nps_xlsx.mail.saved`), and the reply names the email. The sender is the ledger's, where it records one (a
return read from a saved message), else the council's ``email`` column. No reply is made, and the reason is
reported, for a council whose return is used, a blank return (``mail chase`` sends that reminder), a file whose
only errors are not the council's to fix (a fault of nps-xlsx), and a second copy of a file already answered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from ..collect.chase import CouncilMatcher
from ..collect.ledger import USABLE
from ..councils import Council
from ..csv_table import Column, read_table, unneutralise
from ..errors import MailError
from ..read.safety import Limits
from ..rubric import Rubric
from ..text import display_path
from ..validate.check import FileReport, FileStatus, read_return
from ..validate.issues import HOLD_CODES, Issue, council_fix
from ..validate.mail import check_attachment
from ..validate.report import fold_blanks
from .addresses import council_addresses, usable
from .invite import draft_name
from .letters import Attachment, LeftOut, Letter
from .saved import InMessage, Saved, find_saved
from .wording import Wording, fill

OWN = ("file", "problems", "next_step")  # the placeholders a reply adds
ANSWERED = (FileStatus.REJECTED, FileStatus.HELD)
LIMITS = Limits()  # a file is read again with the guards validate and collect use by default
_LEDGER = (
    Column("path", "the file"),
    Column("status", "what became of the file"),
    Column("council_code", "the council code", required=False),
    Column("sha256", "the file's SHA-256", required=False),
    Column("size_bytes", "the file's size", required=False),
    Column("sender", "the sender", ("from", "sender_email", "sender_address", "message_from"), required=False),
    Column("message_id", "the message's id", ("message-id", "email_message_id"), required=False),
    Column("message_file", "the saved email it came in", required=False),
    Column("message_index", "the message's number in the mailbox", required=False),
    Column("attachment", "the attachment's name", required=False),
)
NEXT_STEPS = {
    "held": "Please reply to tell us which council these answers are for. Your workbook is attached as you sent it.",
    "attached": "Your workbook is attached: please correct it, save it, and send it back to us, attached to a reply "
    "to this email.",
    "not attached": "We could not open your file as the diagnostic workbook, so it is not attached: please send the "
    "workbook again, attached to a reply to this email.",
}


@dataclass(frozen=True)
class LedgerRow:
    """One file of the ledger, as the reply needs it."""

    line: int
    path: str
    status: FileStatus
    code: str = ""
    sha256: str = ""
    size: int | None = None
    sender: str = ""
    message_id: str = ""
    message: InMessage | None = None  # the saved email it came in, if any


def read_ledger(path: Path) -> list[LedgerRow]:
    """The ledger ``collect --ledger`` wrote (or Excel re-saved); errors name the file and line."""
    shown = display_path(path)
    table = read_table(path, shown, "ledger", _LEDGER, MailError)
    statuses = {status.value: status for status in FileStatus}
    rows = []
    for line, raw in table.rows:
        cell = {key: unneutralise(raw[at].strip()) if at < len(raw) else "" for key, at in table.at.items()}
        if cell["status"] not in statuses:
            raise MailError(f"{shown}:{line}: the status {cell['status']!r} is not one of {', '.join(statuses)}")
        size, index = cell.get("size_bytes", ""), cell.get("message_index", "")
        sha256 = cell.get("sha256", "").lower()
        saved = cell.get("message_file", "")
        number = int(index) if index.isdigit() else None
        message = InMessage(saved, number, cell.get("attachment", ""), sha256) if saved else None
        rows.append(
            LedgerRow(
                line,
                cell["path"],
                statuses[cell["status"]],
                cell.get("council_code", ""),
                sha256,
                int(size) if size.isdigit() else None,
                cell.get("sender", ""),
                cell.get("message_id", ""),
                message,
            )
        )
    return rows


def locate(row: LedgerRow, returns: Path | None) -> Path | None:
    """The file ``row`` names: at its path, else under ``returns`` by name or by content; ``None`` if not found.

    A file found must have the ledger's SHA-256 (where it gives one): it is the very file the ledger judged.
    """
    candidates = [Path(row.path)]
    if returns is not None:
        candidates += [returns / row.path, returns / PurePath(row.path).name]
    for candidate in candidates:
        if candidate.is_file() and _same(candidate, row):
            return candidate
    if returns is not None and row.sha256:
        return next((p for p in _files(returns) if _same(p, row)), None)
    return None


def _files(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.rglob("*")) if p.is_file())


def _same(path: Path, row: LedgerRow) -> bool:
    if not row.sha256:
        return True
    if row.size is not None and path.stat().st_size != row.size:
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256


def problems_text(report: FileReport) -> str | None:
    """The problems the council can fix, numbered, then what else is worth a look; ``None`` when none is theirs."""
    theirs = [i for i in report.issues if council_fix(i)]
    must = [i for i in theirs if i.severity == "error" or i.code in HOLD_CODES]
    if not must:
        return None
    lines = [f"{n}. {said(issue)}" for n, issue in enumerate(must, 1)]
    also = [i for i in theirs if i not in must]
    blanks = [i for i in also if i.code == "score-blank"]
    more = [f"- {said(i)}" for i in also if i.code != "score-blank"] + ([f"- {fold_blanks(blanks)}."] if blanks else [])
    if more:
        lines += ["", "Also worth a look (these alone would not stop us using it):", *more]
    return "\n".join(lines)


def said(issue: Issue) -> str:
    """One problem as the council reads it: ``Engaging Councillors!I7 (EC3): 'seven' is not a level; choose …``."""
    where = issue.location.in_file() or ""
    if issue.value_code:
        where = f"{where} ({issue.value_code})" if where else issue.value_code
    fix = council_fix(issue)
    text = issue.detail + (f"; {fix}" if fix else "")
    text = text if text.endswith(".") else text + "."
    return f"{where}: {text}" if where else text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Replying:
    """What every reply of a run needs: the council list, the rubric, where the returns are, the wording."""

    councils: list[Council]
    rubric: Rubric
    returns: Path | None
    wording: Wording
    shared: Mapping[str, str | None]


def replies(rows: list[LedgerRow], replying: Replying) -> tuple[list[Letter], list[LeftOut]]:
    """A reply for each rejected or held file of the ledger, and the files left out with the reason."""
    matcher = CouncilMatcher(replying.councils)
    used = {row.code.casefold() for row in rows if row.status in USABLE and row.code}
    letters: list[Letter] = []
    left_out: list[LeftOut] = []
    answered: dict[tuple[str, str], str] = {}  # (council code, SHA-256) -> the file already answered
    wanted = {row.line: row.message for row in rows if row.status in ANSWERED and row.message}
    saved = find_saved({line: m for line, m in wanted.items() if m.attachment}, replying.returns, LIMITS)
    for row in rows:
        if row.status not in ANSWERED:
            continue
        made = _reply(row, replying, matcher, used, saved.get(row.line))
        if isinstance(made, Letter):
            first = answered.setdefault((made.council.code, made.about), row.path)
            if first != row.path:
                made = LeftOut(
                    "reply", made.council, f"the same file as {first}: one reply answers both", row.path, False
                )
        if isinstance(made, Letter):
            names = {letter.draft for letter in letters}
            n = 2
            while made.draft in names:  # two returns of one council
                made = _renamed(made, n)
                n += 1
            letters.append(made)
        else:
            left_out.append(made)
    return letters, left_out


def _renamed(letter: Letter, n: int) -> Letter:
    return replace(letter, draft=draft_name(letter.council, "reply", f"-{n}"))


@dataclass(frozen=True)
class _Again:
    """A returned file read again: the report, its name and bytes, and how the reply names it (``{file}``)."""

    report: FileReport
    name: str
    data: bytes
    described: str


def _read_again(row: LedgerRow, replying: Replying, saved: Saved | str | None) -> _Again | LeftOut:
    """``row``'s file read again, from its saved email or found as a file; or why it cannot be."""
    if row.message is not None and not row.message.attachment:
        why = "the saved email could not be read, so no workbook came of it (the ledger says why): nothing to reply"
        return LeftOut("reply", None, why, row.path, False)
    if row.message is not None:
        if not isinstance(saved, Saved):
            return LeftOut("reply", None, saved or "the saved email is not found", row.path)
        report = check_attachment(saved.facts, saved.data, saved.sent, replying.rubric, LIMITS)
        return _Again(report, saved.name, saved.data, saved.described())
    path = locate(row, replying.returns)
    if path is None:
        how = " with the SHA-256 the ledger gives" if row.sha256 else ""
        where = "" if replying.returns else "; give --returns, the folder that holds the returns"
        return LeftOut("reply", None, f"the file is not found{how}{where}", row.path)
    name = PurePath(row.path).name
    return _Again(read_return(path, replying.rubric, LIMITS), name, path.read_bytes(), name)


def _reply(
    row: LedgerRow, replying: Replying, matcher: CouncilMatcher, used: set[str], saved: Saved | str | None
) -> Letter | LeftOut:
    """The reply about ``row``'s file (``saved``: found again in its saved email, or why not), or why there is
    none."""
    again = _read_again(row, replying, saved)
    if isinstance(again, LeftOut):
        return again
    report, name, data = again.report, again.name, again.data
    response = report.response
    issued = matcher.code(row.code) or matcher.code(response.council_code if response else None)
    typed = matcher.name(response.council_name) if response else None
    council = issued or typed or matcher.file_name(name)
    if council and council.code.casefold() in used:
        return LeftOut("reply", council, "a return from this council is used: no reply is needed", row.path, False)
    if report.status not in ANSWERED:
        return LeftOut(
            "reply", council, f"read again, the file is {report.status}: nothing to reply about", row.path, False
        )
    if any(issue.code == "nothing-answered" for issue in report.issues):
        return LeftOut("reply", council, "returned blank: mail chase sends the reminder", row.path, False)
    problems = problems_text(report)
    if problems is None:
        first = report.errors[0].message if report.errors else report.status
        return LeftOut("reply", council, f"nothing in it is the council's to fix: {first}", row.path, False)
    sender = row.sender or (saved.facts.sender or "" if isinstance(saved, Saved) else "")
    to, cc, problem = _recipients(replace(row, sender=sender), council, typed if typed != issued else None)
    if problem:
        return LeftOut("reply", council, problem, row.path)
    attached = response is not None
    step = "held" if report.status == FileStatus.HELD else "attached" if attached else "not attached"
    who = council or Council("", response.council_name if response and response.council_name else PurePath(name).stem)
    own = {"file": again.described, "problems": problems, "next_step": NEXT_STEPS[step]}
    subject, body = fill(replying.wording, who, replying.shared, own)
    about = row.sha256 or hashlib.sha256(data).hexdigest()
    attachment = Attachment(name, data) if attached else None
    draft = draft_name(who, "reply")
    return Letter("reply", who, to, subject, body, attachment, about, draft, cc, row.message_id or None, row.path)


def _recipients(
    row: LedgerRow, council: Council | None, named: Council | None
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """To the sender the ledger records, else the council; a held return's reply copies the council named on it."""
    cc = council_addresses(named)[0] if named else ()
    sender = usable(row.sender) if row.sender else None
    if sender:
        return (sender,), tuple(a for a in cc if a != sender), None
    if council is None:
        return (), (), "cannot tell which council sent it (no sender in the ledger, no council of the list matches)"
    to, problem = council_addresses(council)
    return to, tuple(a for a in cc if a not in to), problem
