"""The names of the columns we write: the CSV files' columns (contracts scripts depend on: see the README's
"Output contracts"; columns are added at the end, never renamed or removed), and the labels the template's
"Your summary" sheet and the collect summary share."""

from __future__ import annotations

from collections.abc import Sequence

KEY_AREA = "Key area"
VALUE_CODE = "Value code"
LEVEL = "Level"
NOT_ANSWERED = "Not answered"  # the distribution column of blank answers, after the levels and Unscored

# Fixed columns of the summary tables in which rubric text becomes a column name: the score matrix
# (then one column per value-code ID) and the distribution tables (then one column per drop-down
# choice). Excel table column names must differ, ignoring case.
MATRIX_COLUMNS = ("Council", "Code")
COUNT_COLUMNS = ("Scope", KEY_AREA, "ID", VALUE_CODE, NOT_ANSWERED, "Total")


def level_choice(score: int, label: str) -> str:
    """The drop-down text for a level, e.g. ``3 - Mature``."""
    return f"{score} - {label}"


def score_choices_of(levels: Sequence[str], unscored: str) -> list[str]:
    """The drop-down entries for these level labels and unscored label: each level, then the unscored choice."""
    return [level_choice(i, label) for i, label in enumerate(levels, 1)] + [unscored]


def categories_of(levels: Sequence[str], unscored: str) -> list[str]:
    """The distribution columns: each level as in the drop-down, then Unscored, then Not answered."""
    return [*score_choices_of(levels, unscored), NOT_ANSWERED]


# The summary's Comments and Needs review sheets.
COMMENT_COLUMNS = ["Council", "ID", VALUE_CODE, "Score", LEVEL, "Comment"]
REVIEW_COLUMNS = ["File", "SHA-256", "Issued to", "Issued code", "Name typed", "Reason", "What to do"]
# The CSV files: responses (``--csv``), the ledger (``--ledger``) and the chase list (``--chase``).
ROW_COLUMNS = [  # a response's own columns: the responses frame's, and the CSV's first (how it is recognised)
    "source_file",
    "council",
    "council_code",
    "area",
    "code_id",
    "value_code",
    "score",
    "level",
    "comment",
]
# The ambition answers a responses CSV row carries: the value code's "Priority for us" and "Support wanted", and
# its key area's target level (the same on every row of the area); each empty when none (always in layout 1).
AMBITION_COLUMNS = ["priority", "support", "target"]
# The responses CSV: which round (``--round``) and which rubric (its fingerprint) follow the response's own columns,
# for comparing rounds (collect/rounds.py); then the ambition answers.
RESPONSE_COLUMNS = [*ROW_COLUMNS, "round", "rubric_fingerprint", *AMBITION_COLUMNS]
# The respondent a row's answer is from (collect in respondent mode: one row per respondent and answer): they follow
# the ambition columns, before any --group-by columns; as in the respondent list (nps_xlsx.respondents).
RESPONDENT_COLUMNS = ["respondent_id", "respondent_name", "department", "role"]
# The ledger's columns about the saved email a return came in (read/messages.py), empty for a file.
MESSAGE_COLUMNS = ["message_file", "message_index", "message_from", "message_date", "message_subject", "attachment"]
LEDGER_COLUMNS = [
    "path",
    "status",
    "council",
    "council_code",
    "format",
    "template_version",
    "errors",
    "warnings",
    "first_error",
    "note",
    "sha256",
    "size_bytes",
    "modified_utc",
    "layout_version",
    "all_unchanged",  # a pre-filled return (generate --prefill): yes if every answer is as issued, else no
    *RESPONDENT_COLUMNS,  # the respondent a copy was issued to (generate --respondents); empty for any other file
    *MESSAGE_COLUMNS,
]
# The chase CSV's first columns; the council list's other columns (e.g. email, contact) follow, as named there.
CHASE_COLUMNS = ["council_code", "council", "status", "files", "first_error", "action", "note"]
# The mail commands' files in the outbox: the run's report (``invite-report.csv``: one row per message or council
# left out) and the sent log (``sent-log.csv``: appended as each message goes, so an interrupted run resumes).
MAIL_REPORT_COLUMNS = [
    "kind",
    "council_code",
    "council",
    "to",
    "cc",
    "subject",
    "attachment",
    "status",
    "detail",
    "draft",
    "returned_file",
]
SENT_LOG_COLUMNS = [
    "key",
    "kind",
    "council_code",
    "council",
    "to",
    "subject",
    "attachment",
    "status",
    "detail",
    "time_utc",
]
# The examples-of-excellence CSV (``--excellence``), and the headers of its sheet.
EXCELLENCE_COLUMNS = [
    "code_id",
    "value_code",
    "area",
    "council",
    "council_code",
    "score",
    "level",
    "statement",
    "comment",
    "evidence_missing",
]
EXCELLENCE_HEADERS = [
    "ID",
    VALUE_CODE,
    KEY_AREA,
    "Council",
    "Council code",
    "Score",
    LEVEL,
    "Statement",
    "Comment",
    "Top level without evidence",
]
# The targets CSV (``--targets``): one row per used return x key area, the target level (empty: none).
TARGET_COLUMNS = ["council", "council_code", "area", "target"]
# The priorities CSV (``--priorities``): per scope (all councils, then each segment) and value code.
PRIORITY_COLUMNS = [
    "grouping",
    "segment",
    "code_id",
    "value_code",
    "area",
    "returns",
    "high",
    "medium",
    "low",
    "support_yes",
    "support_no",
    "high_rank",
    "support_rank",
    "support_councils",
]
PRIORITY_HEADERS = dict(
    zip(
        PRIORITY_COLUMNS,
        [
            *("Grouping", "Segment", "ID", VALUE_CODE, KEY_AREA, "Returns", "High", "Medium", "Low", "Support: yes"),
            *("Support: no", "Rank by High", "Rank by support", "Councils asking for support"),
        ],
        strict=True,
    )
)
# What people read on the summary's sheets, for the machine names the CSV files keep (see :func:`for_people`).
HEADERS = {
    "path": "File",
    "status": "Status",
    "council": "Council",
    "council_code": "Council code",
    "format": "Format",
    "template_version": "Template version",
    "errors": "Errors",
    "warnings": "Warnings",
    "first_error": "First error",
    "note": "Note",
    "sha256": "SHA-256",
    "size_bytes": "Size (bytes)",
    "modified_utc": "Modified (UTC)",
    "layout_version": "Layout version",
    "all_unchanged": "Every answer unchanged",
    "message_file": "Message file",
    "message_index": "Message number",
    "message_from": "From",
    "message_date": "Sent (UTC)",
    "message_subject": "Subject",
    "attachment": "Attachment",
    "files": "File(s)",
    "action": "What to do",
    "respondent_id": "Respondent ID",
    "respondent_name": "Respondent",
    "department": "Department",
    "role": "Role",
}
