"""What a message says: a subject and a body with placeholders (``{council}``, ``{deadline}``, …), from a plain-text
template file or the default for the kind of message.

A template file is the body; a first line ``Subject: …`` (then a blank line) gives the subject too. ``{{`` and ``}}``
are literal braces. Every placeholder is checked before any message is made: one that is not known, or one whose
value was not given (``{deadline}`` without ``--deadline``), is an error naming it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..councils import Council
from ..errors import MailError
from ..rubric import Rubric
from ..text import display_path

_SUBJECT_LINE = re.compile(r"subject:[ \t]*(.*)\n(?:[ \t]*\n)?", re.IGNORECASE)


@dataclass(frozen=True)
class Wording:
    """A subject and a body, each with placeholders; ``source`` names where they come from, for errors."""

    subject: str
    body: str
    source: str

    def placeholders(self) -> list[str]:
        """Every placeholder used, in order of first use (subject, then body)."""
        return list(dict.fromkeys([*_fields(self.subject, self.source), *_fields(self.body, self.source)]))

    def check(self, known: Mapping[str, str | None], how: Mapping[str, str]) -> None:
        """An error naming the first placeholder that is not in ``known``, or whose value there is ``None`` (not
        given: ``how`` says what gives it, e.g. ``give --deadline``)."""
        for name in self.placeholders():
            if name not in known:
                listed = ", ".join(f"{{{k}}}" for k in known)
                raise MailError(f"{self.source}: unknown placeholder {{{name}}}; the placeholders are {listed}")
            if known[name] is None:
                raise MailError(f"{self.source} uses {{{name}}}: {how[name]}")

    def render(self, values: Mapping[str, str]) -> tuple[str, str]:
        """The subject (one line) and the body, placeholders filled in."""
        subject = " ".join(self.subject.format_map(values).split())
        return subject, self.body.format_map(values)


def _fields(text: str, source: str) -> list[str]:
    """The placeholders of ``text``: plain names only, no conversion or format (``{council!r}``, ``{code:>5}``)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise MailError(f"{source}: {exc}; write a brace that is not a placeholder twice ({{{{ or }}}})") from exc
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            whole = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise MailError(f"{source}: {{{whole}}} is not a placeholder; a placeholder is a name in braces, "
                            "such as {council}")  # fmt: skip
        names.append(name)
    return names


def load_wording(path: Path | None, subject: str | None, default: Wording) -> Wording:
    """The wording of a run: the template file's (or the default's), its subject replaced by ``subject`` if given."""
    wording = default
    if path is not None:
        shown = display_path(path)
        try:
            text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            why = "it is not UTF-8 text; save it as UTF-8" if isinstance(exc, UnicodeDecodeError) else exc.strerror
            raise MailError(f"{shown}: cannot read the template: {why}") from exc
        match = _SUBJECT_LINE.match(text)
        wording = Wording(match[1].strip() if match else default.subject, text[match.end() :] if match else text, shown)
    if subject is not None:
        wording = Wording(subject, wording.body, wording.source)
    wording.placeholders()  # the syntax, checked now
    return wording


def placeholder_name(header: str) -> str:
    """A council list's column as a placeholder: ``Contact name`` -> ``contact_name``."""
    return re.sub(r"\W+", "_", header.strip().casefold()).strip("_")


# What gives a placeholder whose value is an option of the run, when the option was not given.
HOW = {
    "deadline": 'give --deadline, e.g. --deadline "31 January 2026"',
    "contact": "give --contact (whom to ask: a name, an email address or a telephone number), or --from",
}


def run_values(rubric: Rubric, deadline: str | None, contact: str | None) -> dict[str, str | None]:
    """The placeholders every message of a run shares: the rubric's title and short title (``{diagnostic}``,
    ``{short_title}``), ``{deadline}`` and ``{contact}`` (``None`` for an option not given)."""
    return {"diagnostic": rubric.title, "short_title": rubric.short_title, "deadline": deadline, "contact": contact}


def council_values(council: Council) -> dict[str, str]:
    """``{council}``, ``{code}`` and the council list's other columns (``{region}``, ``{contact_name}``)."""
    columns = {placeholder_name(header): value for header, value in council.extra}
    return {**{k: v for k, v in columns.items() if k}, "council": council.name, "code": council.code}


def check_wording(wording: Wording, shared: Mapping[str, str | None], own: Sequence[str], sample: Council) -> None:
    """Check the wording's placeholders before any message is made: the run's (``shared``), the kind of message's
    (``own``) and a council's (``sample``: the council list's columns are every council's)."""
    known: dict[str, str | None] = {**council_values(sample), **dict.fromkeys(own, ""), **shared}
    wording.check(known, HOW)


def fill(
    wording: Wording, council: Council, shared: Mapping[str, str | None], own: Mapping[str, str]
) -> tuple[str, str]:
    """The subject and body for ``council``, after :func:`check_wording`."""
    values = {**council_values(council), **{k: v or "" for k, v in shared.items()}, **own}
    return wording.render(values)


def _paragraphs(*texts: str) -> str:
    """A body of paragraphs, each one line (the reader's mail program wraps it), ending with a line break."""
    return "\n\n".join(texts) + "\n"


INVITE = Wording(
    "{short_title}: the workbook for {council}",
    _paragraphs(
        "Dear colleague,",
        "Please find attached the workbook for {council} ({workbook}) for the {diagnostic}.",
        "Open it in Excel or LibreOffice. On each key-area sheet, choose a level for every value code from the "
        'drop-down under "Your score", add your comments, and save the workbook. Please keep it as it is: do not '
        "rename its sheets, move cells or copy the answers into another workbook.",
        "Please send the completed workbook back to us, attached to a reply to this email, by {deadline}.",
        "If you have any questions, please contact {contact}.",
        "Thank you.",
    ),
    "the default invitation",
)
CHASE = Wording(
    "Reminder: {short_title} for {council}, due {deadline}",
    _paragraphs(
        "Dear colleague,",
        "This is a reminder about the {diagnostic}: {reason}.",
        "The workbook for {council} is attached again ({workbook}). Please complete it and send it back to us, "
        "attached to a reply to this email, by {deadline}.",
        "If you have any questions, please contact {contact}.",
        "Thank you.",
    ),
    "the default reminder",
)
REPLY = Wording(
    "{short_title}: about the workbook you sent for {council}",
    _paragraphs(
        "Dear colleague,",
        "Thank you for sending back the {diagnostic} workbook for {council} ({file}). We cannot use it yet:",
        "{problems}",
        "{next_step}",
        "If you have any questions, please contact {contact}.",
        "Thank you.",
    ),
    "the default reply",
)
