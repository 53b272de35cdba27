"""Returns straight from saved emails: a report for each workbook attached to a message, read as a file's bytes are.

An entry of a returns folder that is a saved email (``.eml``, ``.mbox``, ``.msg``: see
:mod:`nps_xlsx.read.messages`) gives one report per workbook attachment of each of its messages, its path
naming the message and the attachment (``inbox.mbox#3/Dacorum return.xlsx``), its time the message's date;
a message with no workbook is one skipped report saying why, and one that cannot be read one rejected report.
Every other entry gives the one report :func:`~nps_xlsx.validate.check.read_return` makes, so reading a
folder of workbooks costs no more than it did.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from ..read.messages import Letter, MessageFacts, is_message_file
from ..read.own_outputs import recognise
from ..read.safety import Limits, skip_reason
from ..read.workbook import FileFacts, held_bytes
from ..rubric import Rubric
from ..text import display_path
from .check import FileReport, FileStatus, check_bytes, internal_error, read_return
from .issues import Location, make_issue


def read_returns(path: Path | str, rubric: Rubric, limits: Limits | None = None) -> list[FileReport]:
    """The reports of one entry: one for a workbook (or anything else that is not a saved email), and for a saved
    email one per workbook attachment, or one for a message that has none or cannot be read. Never raises for a
    problem in the entry."""
    path = Path(path)
    limits = limits or Limits()
    if not is_message_file(path) or skip_reason(path) or recognise(path) == "draft":
        return [read_return(path, rubric, limits)]  # a draft of ours is skipped there, as our other outputs are
    from ..read.emails import read_messages  # the email parser loads only when there is an email to read

    shown = display_path(path)
    reports: list[FileReport] = []
    try:
        for letter in read_messages(path, shown, limits):
            reports.extend(_reports(letter, rubric, limits))
    except Exception as exc:  # last resort, as read_return's: a fault of ours, never the sender's
        reports.append(FileReport(shown, FileStatus.REJECTED, issues=[internal_error(exc, shown, "reading")]))
    return reports


def sent_time(letter: Letter) -> float | None:
    """When the message was sent (its date), else when its file was last changed: a return's time."""
    return letter.facts.date.timestamp() if letter.facts.date else letter.modified


def check_attachment(
    about: MessageFacts, data: bytes, sent: float | None, rubric: Rubric, limits: Limits
) -> FileReport:
    """The report on one workbook attached to a message (``about`` names the attachment), read from its bytes with
    every guard a file's bytes meet; ``sent`` is the message's time (:func:`sent_time`)."""
    assert about.attachment is not None
    file_facts = FileFacts(modified=sent)
    load = partial(held_bytes, data, limits, file_facts)
    report = check_bytes(about.path, about.attachment, load, rubric, limits, file_facts)
    report.message = about
    return report


def _reports(letter: Letter, rubric: Rubric, limits: Limits) -> list[FileReport]:
    facts = letter.facts
    sent = sent_time(letter)
    if letter.failure is not None:
        issue = make_issue(letter.failure.code, Location(facts.place), letter.failure.detail, fix=letter.fix)
        message_facts = FileFacts(letter.size, sent, letter.sha256)
        return [FileReport(facts.place, FileStatus.REJECTED, issues=[issue], facts=message_facts, message=facts)]
    if letter.skip is not None:
        message_facts = FileFacts(letter.size, sent, letter.sha256)
        return [
            FileReport(facts.place, FileStatus.SKIPPED, skip_reason=letter.skip, facts=message_facts, message=facts)
        ]
    return [check_attachment(replace(facts, attachment=a.name), a.data, sent, rubric, limits) for a in letter.workbooks]
