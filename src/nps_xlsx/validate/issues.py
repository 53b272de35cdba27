"""The catalogue of problems a return can have, and the Issue record.

Problems in a council's return are data, never exceptions. Each issue has a code
from :data:`CATALOGUE` (which fixes its severity, title and usual fix), a location, the value
code it concerns, the offending value, what is wrong (``detail``) and how to fix it (``fix``);
its message is rendered from these: ``file › sheet!cell (ID): detail; fix``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

from ..text import clean_text
from .records import ByConstructor, slot_init

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class IssueCode:
    """One kind of problem: its code, severity, one-line title and usual fix (``None`` when there is nothing to do).

    ``holds``: the finding holds the return for the coordinator's review (neither used nor rejected).
    ``to_council``: the fix in the council's own words, for a reply to the council (``nps-xlsx mail replies``), where
    ``fix`` is written for the coordinator and is not ``ask the council to …`` (said to the council as ``please …``).
    ``ours``: nothing the council can do (a fault or a setting on the coordinator's side); a reply leaves it out.
    """

    code: str
    severity: Severity
    title: str
    fix: str | None = None
    holds: bool = False
    to_council: str | None = None
    ours: bool = False


_ASK = "ask the council to "  # a fix for the coordinator that a reply says to the council as "please ..."
_RESEND = _ASK + "send the workbook again"
_NOT_NORMAL = "the file is not a normal workbook; do not open it, and ask for the workbook again"
_AS_SENT = _ASK + "use the workbook as sent"
_OURS_INSTEAD = "please fill in the workbook we sent you and send that back"
# Fixes that name the rubric's levels read as for the bundled rubric here; validate fills in the rubric's own.
_LEVELS = 'choose 1 to 5 or "Unscored" from the drop-down'

# Tests assert on codes, not on message text. The README's list of codes is checked against this.
_CODES = (
    # the file itself
    IssueCode(
        "file-unreadable", "error", "the file cannot be opened", "check the file is in place and readable", ours=True
    ),
    IssueCode("file-empty", "error", "the file is empty", _RESEND),
    IssueCode(
        "file-too-large",
        "error",
        "the file is larger than the configured limit",
        "ask the council to send the workbook again without extra content",
    ),
    IssueCode(
        "not-a-spreadsheet",
        "error",
        "the content is not a spreadsheet",
        "ask the council to send the completed workbook itself",
    ),
    IssueCode(
        "corrupt-file",
        "error",
        "the spreadsheet is damaged or truncated",
        "ask the council to open the workbook, save it again and resend it",
    ),
    IssueCode(
        "encrypted",
        "error",
        "the workbook is password-protected (encrypted)",
        "ask the council to remove the password and send it again",
    ),
    IssueCode(
        "unsupported-format",
        "error",
        "the workbook is in a format or compression this tool cannot read (e.g. .xlsb)",
        "ask the council to open it in their spreadsheet program, save it as an Excel Workbook (.xlsx) and send "
        "that file",
        to_council="please open it in your spreadsheet program, save it as an Excel Workbook (.xlsx) and send that "
        "file",
    ),
    IssueCode(
        "zip-bomb",
        "error",
        "the archive's sizes, ratio or member count exceed the limits",
        _NOT_NORMAL,
        to_council=_OURS_INSTEAD,
    ),
    IssueCode(
        "xml-entities",
        "error",
        "the XML declares a DTD or entities (a known attack)",
        _NOT_NORMAL,
        to_council=_OURS_INSTEAD,
    ),
    IssueCode(
        "too-many-cells",
        "error",
        "a sheet has more cells than the configured limit",
        "ask the council to delete the extra content and send it again",
    ),
    IssueCode(
        "too-many-names",
        "error",
        "the workbook defines more names than the configured limit",
        "names pile up when sheets are copied in from other workbooks; ask the council to copy their answers into "
        "the workbook they were sent and send that",
        to_council="please copy your answers into the workbook we sent you and send that back",
    ),
    IssueCode(
        "extension-mismatch",
        "warning",
        "the content does not match the file extension; read by content",
        "ask the council to keep the original format",
    ),
    IssueCode("macros-ignored", "warning", "the workbook contains macros; they were ignored, never run"),
    # saved emails (.eml, .mbox, .msg), whose attachments are the returns
    IssueCode(
        "message-unreadable",
        "error",
        "a saved email (.eml, .mbox or .msg) cannot be read",
        "save the message again from the mail program, or save its workbook attachment and collect that",
        ours=True,  # the coordinator's saved copy of the message
    ),
    IssueCode(
        "too-many-messages",
        "error",
        "a mailbox holds more messages than the configured limit",
        "move the returns into a mail folder of their own, export that as the mailbox, and run again",
        ours=True,
    ),
    # which workbook it is
    IssueCode(
        "not-nps-workbook",
        "error",
        "the workbook is not an NPS diagnostic workbook",
        "send the council the workbook generated by nps-xlsx",
        to_council=_OURS_INSTEAD,
    ),
    IssueCode(
        "template-too-new",
        "error",
        "the workbook was made by a newer nps-xlsx, in a template layout this one cannot read",
        "upgrade nps-xlsx (pip install --upgrade nps-xlsx) and run it again",
        ours=True,
    ),
    IssueCode(
        "wrong-rubric",
        "error",
        "the workbook is for another diagnostic",
        "check you are collecting the right diagnostic (or pass its rubric with --rubric)",
        to_council="please send back the workbook we sent you for this diagnostic",
    ),
    IssueCode(
        "wrong-rubric-version",
        "error",
        "the workbook is for another version of the diagnostic",
        "ask the council to copy its answers into the current workbook",
        to_council="please copy your answers into the current workbook, the one we sent you, and send that back",
    ),
    IssueCode(
        "rubric-fingerprint-mismatch",
        "error",
        "the workbook's rubric text differs from the expected rubric",
        "send the council the current workbook",
        to_council="please copy your answers into the workbook we sent you for this round and send that back",
    ),
    IssueCode("identity-missing", "warning", "the workbook's identity record is missing; recognised by its layout"),
    IssueCode(
        "respondent-identity-invalid",
        "error",
        "the identity record names a respondent but not their id, or not the council's code",
        "send the respondent their own copy again (generate --respondents) and ask them to copy their answers into it",
        to_council="please copy your answers into your own copy of the workbook, the one we sent you, and send that",
    ),
    IssueCode(
        "council-name-missing",
        "error",
        "the council name on the cover is blank",
        "type the council's name on the cover",
    ),
    IssueCode(
        "council-name-changed",
        "warning",
        "the council name typed on the cover is not the council the copy was issued to; held for review",
        "check which council it is from, then list the file and that council's code in an assignments file for "
        "collect --assign",
        holds=True,
        to_council="please tell us which council these answers are for",
    ),
    # the answers
    IssueCode(
        "value-code-missing",
        "error",
        "a value code's row cannot be found",
        f"{_AS_SENT}, without deleting rows",
    ),
    IssueCode("value-code-duplicated", "error", "a value code appears in more than one row", "delete the copied row"),
    IssueCode(
        "name-mismatch",
        "warning",
        "a defined name points away from its value code's row",
        f"{_AS_SENT}, without moving cells",
    ),
    IssueCode(
        "score-blank",
        "warning",
        "a value code has not been answered",
        'choose a level from the drop-down, or "Unscored" to leave it unscored',
    ),
    IssueCode(
        "nothing-answered",
        "error",
        "no value code has a score or a comment: the workbook came back unfilled",
        "ask the council to fill in the workbook and send it again",
    ),
    IssueCode("score-invalid", "error", "a score is not one of the levels", _LEVELS),
    IssueCode(
        "target-invalid",
        "error",
        "a key area's target level is not one of the levels",
        "choose a level from the drop-down, or leave the target blank",
    ),
    IssueCode(
        "choice-invalid",
        "error",
        "a priority or support-wanted answer is not one of the drop-down's choices",
        "choose from the drop-down (High, Medium or Low; Yes or No), or leave it blank",
    ),
    IssueCode("score-formula-error", "error", "a score cell holds a formula error such as #REF!", _LEVELS),
    IssueCode(
        "formula-without-value",
        "error",
        "an input holds a formula with no calculated value",
        "type the value itself, or choose it from the drop-down",
    ),
    IssueCode(
        "comment-too-long",
        "error",
        "a comment is longer than a spreadsheet cell can hold",
        "ask the council to shorten the comment and send the workbook again",
    ),
    IssueCode("control-characters-removed", "warning", "characters no output can hold were removed from a cell's text"),
    IssueCode(
        "completion-date-in-future",
        "warning",
        "the completion date is in the future; not used to order resubmissions",
        "ask the council to correct the date",
    ),
    # across returns (collect)
    IssueCode(
        "unexpected-council",
        "warning",
        "the return is from a council not on the expected list",
        "check the name, or add the council to the list",
        ours=True,
    ),
    IssueCode(
        "sender-mismatch",
        "warning",
        "the email's sender is not an address the council list gives for the council named on the cover",
        "check that the return is the council's own; if the address is right, add it to the council list's email "
        "column",
        ours=True,  # a check for the coordinator; the return is used
    ),
    # ours, not the sender's
    IssueCode(
        "internal-error",
        "error",
        "a fault in nps-xlsx stopped it reading the file; the file itself may be fine",
        "do not ask the council to resend it; report the fault to the nps-xlsx maintainers with this message and, "
        "if you can, the file",
        ours=True,
    ),
)
CATALOGUE: dict[str, IssueCode] = {entry.code: entry for entry in _CODES}
HOLD_CODES = frozenset(entry.code for entry in _CODES if entry.holds)


def council_fix(issue: Issue) -> str | None:
    """How the council fixes ``issue``, in its own words (for a reply to it); ``None`` when it has nothing to do.

    A fix made for this one issue (the rubric's own levels, say) speaks to the council already; a catalogue fix
    written for the coordinator is said as the entry's ``to_council``, or ``ask the council to x`` as ``please x``.
    """
    entry = CATALOGUE[issue.code]
    if entry.ours or not issue.fix:
        return None
    if issue.fix != entry.fix:
        return issue.fix
    return entry.to_council or ("please " + issue.fix.removeprefix(_ASK) if issue.fix.startswith(_ASK) else issue.fix)


@slot_init
@dataclass(frozen=True, slots=True)
class Location(ByConstructor):
    """Where a problem is: the file, and, when known, the sheet and cell (A1 style)."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.file
        return f"{self.file} › {self.sheet}" + (f"!{self.cell}" if self.cell else "")

    def in_file(self) -> str | None:
        """Where in the file: ``Engaging Councillors!I6``, or the sheet; ``None`` for the whole file."""
        return None if self.sheet is None else self.sheet + (f"!{self.cell}" if self.cell else "")


@slot_init
@dataclass(frozen=True, slots=True)
class Issue(ByConstructor):
    """One problem in one return: where it is, what is wrong (``detail``) and how to fix it (``fix``)."""

    code: str
    severity: Severity
    location: Location
    value_code: str | None
    value: str | None
    detail: str
    fix: str | None = None

    @property
    def where(self) -> str:
        """``file › sheet!cell (ID)``: the location, and the value code when there is one."""
        return str(self.location) + (f" ({self.value_code})" if self.value_code else "")

    @property
    def message(self) -> str:
        """The whole message: ``file › sheet!cell (ID): detail; fix``."""
        return f"{self.where}: {self.detail}" + (f"; {self.fix}" if self.fix else "")

    def to_dict(self) -> dict[str, str | None]:
        """Plain data for JSON output (``message`` is ``detail`` and ``fix`` rendered with the location)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.location.file,
            "sheet": self.location.sheet,
            "cell": self.location.cell,
            "value_code": self.value_code,
            "value": self.value,
            "message": self.message,
            "detail": self.detail,
            "fix": self.fix,
        }


def make_issue(
    code: str,
    location: Location,
    detail: str,
    value_code: str | None = None,
    value: object = None,
    fix: str | None = None,
) -> Issue:
    """An issue with the catalogue's severity and, unless ``fix`` is given, the catalogue's fix for ``code``."""
    entry = CATALOGUE[code]
    # Safe by construction: whatever a return held, an issue holds only text every output can write.
    return Issue(
        code=code,
        severity=entry.severity,
        location=Location(_safe(location.file), _safe(location.sheet), _safe(location.cell)),
        value_code=_safe(value_code),
        value=_safe(None if value is None else str(value)),
        detail=_safe(detail) or "",
        fix=_safe(fix or entry.fix),
    )


@overload
def _safe(text: str) -> str: ...
@overload
def _safe(text: None) -> None: ...
@overload
def _safe(text: str | None) -> str | None: ...
def _safe(text: str | None) -> str | None:
    return None if text is None else clean_text(text)[0]
