"""Returns straight from saved emails: ``validate`` and ``collect`` read the workbooks attached to ``.eml`` files,
``.mbox`` mailboxes and Outlook ``.msg`` files (issue 17).

Every message is built here (tests/mail_files.py), but for one real Outlook file (tests/data/outlook/). An
attachment must read exactly as the same bytes read from a file: the same status, issues and answers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import struct
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.read import emails
from nps_xlsx.read.messages import MessageFacts
from nps_xlsx.read.safety import Limits
from nps_xlsx.rubric import Rubric, load_rubric
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.check import FileReport, FileStatus, read_return
from nps_xlsx.validate.mail import read_returns
from nps_xlsx.validate.report import validate_paths

from . import hostile
from .conftest import REPO
from .mail_files import SENT, Mail, email_message, outlook_message, write_eml, write_mbox, write_msg

SAMPLES = REPO / "samples" / "returns"
DACORUM = SAMPLES / "E07000096-dacorum-borough-council.xlsx"
HERTSMERE = SAMPLES / "E07000098-hertsmere-borough-council.xlsx"
THREE_RIVERS = SAMPLES / "E07000102-three-rivers-district-council.xlsx"
WATFORD_TYPED = SAMPLES / "E07000103-watford-borough-council-typed.xlsx"
REAL_OUTLOOK = REPO / "tests" / "data" / "outlook" / "message.msg"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
COUNCILS = (
    "code,name,E-mail address\n"
    "E07000096,Dacorum Borough Council,procurement@dacorum.gov.uk\n"
    "E07000098,Hertsmere Borough Council,Contracts Team <contracts@hertsmere.gov.uk>\n"
    "E07000102,Three Rivers District Council,\n"
    "E07000103,Watford Borough Council,procurement@watford.gov.uk; finance@watford.gov.uk\n"
)


def reading(report: FileReport) -> tuple[object, ...]:
    """What a report says of its workbook, wherever the workbook came from: not its path."""
    issues = [
        (i.code, i.severity, i.location.sheet, i.location.cell, i.value_code, i.value, i.detail, i.fix)
        for i in report.issues
    ]
    return report.status, report.format, report.skip_reason, report.response, issues, report.facts.sha256


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout


def ledger_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


# --- the three kinds of saved email --------------------------------------------------------------------------


def test_an_eml_attachment_reads_as_the_file_does(rubric: Rubric, tmp_path: Path) -> None:
    path = write_eml(tmp_path / "reply.eml", Mail(attachments=[("Dacorum return.xlsx", DACORUM.read_bytes())]))
    (report,) = read_returns(path, rubric)
    assert report.path == f"{path}/Dacorum return.xlsx"
    assert reading(report) == reading(read_return(DACORUM, rubric))
    assert report.facts.sha256 == hashlib.sha256(DACORUM.read_bytes()).hexdigest()
    assert report.facts.modified == SENT.timestamp()  # the message's date stands for the file's time
    assert report.message == MessageFacts(
        str(path), None, "jsmith@dacorum.gov.uk", SENT, "NPS diagnostic return", "Dacorum return.xlsx"
    )


def test_an_outlook_message_reads_with_and_without_its_internet_headers(rubric: Rubric, tmp_path: Path) -> None:
    mail = Mail(
        sender="Émilie Dubois <edubois@dacorum.gov.uk>",
        subject="Réponse : diagnostic NPS ✓",
        attachments=[("Dacorum – return.xlsx", DACORUM.read_bytes()), ("logo.png", PNG)],
    )
    for headers in (True, False):
        path = write_msg(tmp_path / f"reply-{headers}.msg", mail, headers)
        (report,) = read_returns(path, rubric)
        assert reading(report) == reading(read_return(DACORUM, rubric))
        assert report.message == MessageFacts(
            str(path), None, "edubois@dacorum.gov.uk", SENT, mail.subject, "Dacorum – return.xlsx", ("logo.png",)
        )


def test_a_real_outlook_file_without_a_workbook_is_skipped_naming_what_it_carries(rubric: Rubric) -> None:
    """python-oxmsg's own test message (saved by Outlook; see tests/data/README.md): one JPEG attached."""
    (report,) = read_returns(REAL_OUTLOOK, rubric)
    assert report.status == FileStatus.SKIPPED and report.path == str(REAL_OUTLOOK)
    assert report.skip_reason == "no workbook attached; its other attachments were ignored: serveimage.jpg"
    assert report.message is not None
    assert (report.message.sender, report.message.subject) == ("bedfortest@tutanota.de", "Re: test internal")
    assert report.message.date == datetime(2020, 10, 6, 9, 57, 46, tzinfo=timezone.utc)


def test_a_mailbox_gives_a_return_per_workbook_and_a_line_per_message_without_one(
    rubric: Rubric, tmp_path: Path
) -> None:
    """Two workbooks in one message are two returns; other attachments are ignored but named; a message with no
    workbook is skipped, saying why."""
    mails = [
        Mail(attachments=[("Dacorum return.xlsx", DACORUM.read_bytes())]),
        Mail(
            "contracts@hertsmere.gov.uk",
            "Two returns",
            attachments=[
                ("hertsmere.xlsx", HERTSMERE.read_bytes()),
                ("terms.pdf", b"%PDF-1.4"),
                ("signature.png", PNG),
                ("three rivers.xlsx", THREE_RIVERS.read_bytes()),
            ],
        ),
        Mail("someone@example.org", "We will send it next week"),
        Mail("someone@example.org", "Our logo", attachments=[("logo.png", PNG), ("terms.pdf", b"%PDF-1.4")]),
    ]
    path = write_mbox(tmp_path / "inbox.mbox", mails)
    reports = read_returns(path, rubric)
    assert [r.path for r in reports] == [
        f"{path}#1/Dacorum return.xlsx",
        f"{path}#2/hertsmere.xlsx",
        f"{path}#2/three rivers.xlsx",
        f"{path}#3",
        f"{path}#4",
    ]
    for report, source in zip(reports, (DACORUM, HERTSMERE, THREE_RIVERS), strict=False):
        assert reading(report) == reading(read_return(source, rubric))
    assert reports[1].message.others == reports[2].message.others == ("terms.pdf", "signature.png")
    assert [r.status for r in reports[3:]] == [FileStatus.SKIPPED] * 2
    assert reports[3].skip_reason == "no workbook attached; the message has no attachments"
    assert reports[4].skip_reason == "no workbook attached; its other attachments were ignored: logo.png, terms.pdf"
    assert reports[4].message.subject == "Our logo" and reports[4].message.index == 4


def test_a_workbook_is_known_by_its_extension_or_its_content_type(rubric: Rubric, tmp_path: Path) -> None:
    """Named .xlsx but sent as octet-stream; unnamed but typed as a workbook (named from its type); an .ods; and two
    attachments of one name, each a return of its own with a name made unique."""
    data, ods = DACORUM.read_bytes(), (SAMPLES / "E10000015-hertfordshire-county-council.ods").read_bytes()
    mail = Mail(
        attachments=[
            ("return.xlsx", data, "application/octet-stream"),
            ("", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("herts.ods", ods, "application/octet-stream"),
            ("RETURN.xlsx", data),
            ("notes.txt", b"not a workbook", "text/plain"),
        ]
    )
    reports = read_returns(write_eml(tmp_path / "m.eml", mail), rubric)
    names = [r.message.attachment for r in reports]
    assert names == ["return.xlsx", "attachment 2.xlsx", "herts.ods", "RETURN (2).xlsx"]
    assert [r.format for r in reports] == ["xlsx", "xlsx", "ods", "xlsx"]
    assert reports[0].message.others == ("notes.txt",)


def test_outlook_s_winmail_dat_is_explained(rubric: Rubric, tmp_path: Path) -> None:
    mail = Mail(attachments=[("winmail.dat", b"\x78\x9f\x3e\x22", "application/ms-tnef")])
    (report,) = read_returns(write_eml(tmp_path / "rtf.eml", mail), rubric)
    assert report.status == FileStatus.SKIPPED and "Outlook's rich-text wrapper" in (report.skip_reason or "")


# --- every attachment meets the guards a file meets ------------------------------------------------------------


HOSTILE = {
    "zip bomb": lambda d, _template: hostile.make_zip_bomb(d, size=60 * 2**20),
    "billion laughs": lambda d, template: hostile.make_billion_laughs(d, template),
    "external entity": lambda d, template: hostile.make_external_entity(d, template),
    "a PDF named .xlsx": lambda d, _template: hostile.make_renamed_pdf(d),
    "truncated": lambda d, template: hostile.make_truncated_zip(d, template),
    "empty": lambda d, _template: hostile.make_empty(d),
}
CONTAINERS = {
    "eml": lambda path, mail: write_eml(path.with_suffix(".eml"), mail),
    "mbox": lambda path, mail: write_mbox(path.with_suffix(".mbox"), [mail]),
    "msg": lambda path, mail: write_msg(path.with_suffix(".msg"), mail),
}


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_attachment_is_rejected_as_the_file_itself_is(
    rubric: Rubric, template_path: Path, tmp_path: Path, kind: str, container: str
) -> None:
    (tmp_path / "file").mkdir()
    workbook = HOSTILE[kind](tmp_path / "file", template_path)
    mail = Mail(attachments=[(workbook.name, workbook.read_bytes())])
    (report,) = read_returns(CONTAINERS[container](tmp_path / "message", mail), rubric)
    alone = read_return(workbook, rubric)
    assert alone.status == FileStatus.REJECTED
    assert reading(report) == reading(alone)
    assert report.issues[0].location.file == report.path and report.path.endswith(f"/{workbook.name}")


def test_an_attachment_is_held_to_the_size_limit_with_its_message(rubric: Rubric, tmp_path: Path) -> None:
    """A message is no bigger than the file size limit, so neither is what it decodes to; a message over it is
    refused before it is parsed, and the next message of the mailbox is still read."""
    big = Mail(attachments=[("big.xlsx", DACORUM.read_bytes() * 3)])
    path = write_mbox(tmp_path / "box.mbox", [big, Mail(attachments=[("d.xlsx", DACORUM.read_bytes())])])
    limits = Limits(max_file_bytes=150_000)
    reports = read_returns(path, rubric, limits)
    assert [(r.path, r.status) for r in reports] == [
        (f"{path}#1", FileStatus.REJECTED),
        (f"{path}#2/d.xlsx", FileStatus.ACCEPTED),
    ]
    assert reports[0].issues[0].code == "file-too-large" and reports[0].facts.size > 150_000
    eml = write_eml(tmp_path / "big.eml", big)
    (report,) = read_returns(eml, rubric, limits)
    assert (report.path, report.issues[0].code) == (str(eml), "file-too-large")


# --- hostile and broken messages ---------------------------------------------------------------------------


def _nested(depth: int) -> bytes:
    head = b"From: a@example.org\r\nSubject: nested\r\n"
    opened = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth))
    closed = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return head + opened + b"Content-Type: text/plain\r\n\r\nhello" + closed


def _many_parts(count: int) -> bytes:
    head = b'From: a@example.org\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
    return head + b"--B\r\n\r\nx\r\n" * count + b"--B--\r\n"


@pytest.mark.parametrize(
    ("name", "data", "code", "detail"),
    [
        ("odd.eml", _nested(60), "message-unreadable", "multipart parts and attached messages"),
        (  # counted whatever the case of the header and its type, as mail programs read them
            "odd.eml",
            _nested(60).replace(b"Content-Type: multipart/mixed", b"CONTENT-TYPE: MultiPart/Mixed"),
            "message-unreadable",
            "has 60 multipart parts and attached messages",
        ),
        ("odd.eml", _many_parts(5_000), "message-unreadable", "more than 1,000 parts"),
        ("odd.eml", b"\x00\x01\x02 not an email at all", "message-unreadable", "no headers"),
        ("inbox.mbox", b"", "file-empty", "empty"),
        (
            "inbox.mbox",
            b"Return-Path: <x@example.org>\nFrom: x@example.org\n\nhi\n",
            "message-unreadable",
            "not an mbox",
        ),
    ],
)
def test_a_message_too_complex_or_not_a_message_is_rejected_unparsed(
    rubric: Rubric, tmp_path: Path, name: str, data: bytes, code: str, detail: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    (report,) = read_returns(path, rubric)
    assert report.status == FileStatus.REJECTED and [i.code for i in report.issues] == [code]
    assert detail in report.issues[0].detail and report.issues[0].location.file == report.path == str(path)


def test_the_larger_a_message_the_less_it_may_nest(rubric: Rubric, tmp_path: Path) -> None:
    """15 multipart parts: read in a small message; refused in one at the file size limit, which may have 10."""
    path = tmp_path / "nested.eml"
    path.write_bytes(_nested(15))
    (small,) = read_returns(path, rubric)
    (large,) = read_returns(path, rubric, Limits(max_file_bytes=path.stat().st_size))
    assert small.status == FileStatus.SKIPPED  # read: it has no attachment
    assert large.status == FileStatus.REJECTED and "may have 10 " in large.issues[0].detail


def test_a_message_nested_as_deep_as_mail_programs_nest_is_read(rubric: Rubric, tmp_path: Path) -> None:
    """A forwarded message attached to a message (message/rfc822): its workbook is found."""
    inner = email_message(Mail(attachments=[("dacorum.xlsx", DACORUM.read_bytes())]))
    outer = email_message(Mail("colleague@dacorum.gov.uk", "Fwd: NPS diagnostic return"))
    outer.add_attachment(inner)
    path = tmp_path / "fwd.eml"
    path.write_bytes(outer.as_bytes())
    (report,) = read_returns(path, rubric)
    assert report.path == f"{path}/dacorum.xlsx" and report.status == FileStatus.ACCEPTED
    assert report.message.sender == "colleague@dacorum.gov.uk"


def test_damaged_headers_are_read_as_far_as_they_go(rubric: Rubric, tmp_path: Path) -> None:
    """Undecodable encoded words, an unknown charset, raw UTF-8, a date that is no date, a header 100,000
    characters long: the message is still read, and a missing date falls back to the file's time."""
    message = email_message(Mail(attachments=[("d.xlsx", DACORUM.read_bytes())]))
    del message["From"], message["Subject"], message["Date"]
    head = (
        "From: =?utf-8?B?!!!?= <x@example.org>\r\nSubject: Caf\xe9 =?bogus?Q?h=E9?= \x01\r\nDate: not a date\r\n"
        f"X-Long: {'a' * 100_000}\r\n"
    ).encode()
    path = tmp_path / "damaged.eml"
    path.write_bytes(head + message.as_bytes())
    (report,) = read_returns(path, rubric)
    assert report.status == FileStatus.ACCEPTED
    assert report.message.sender == "x@example.org" and report.message.date is None
    assert report.message.subject == "Café =?bogus?Q?h=E9?="
    assert report.facts.modified == path.stat().st_mtime


def _lying_msg(data: bytes) -> bytes:
    """An Outlook file whose attachment's data stream declares ten times the file's size (its sectors say less)."""
    entry = data.index("__substg1.0_37010102".encode("utf-16-le"))
    return data[: entry + 120] + struct.pack("<I", 10 * len(data)) + data[entry + 124 :]


@pytest.mark.parametrize(
    ("make", "code", "detail"),
    [
        (lambda data: b"", "file-empty", "empty"),
        (lambda data: b"%PDF-1.4 not outlook", "message-unreadable", "not an Outlook message"),
        (lambda data: data[:1536], "message-unreadable", "damaged"),
        (_lying_msg, "message-unreadable", "its streams declare"),
        (lambda data: data[:8] + b"\xff" * 504 + data[512:], "message-unreadable", "damaged"),
    ],
)
def test_a_broken_outlook_file_is_rejected_in_plain_words(
    rubric: Rubric, tmp_path: Path, make, code: str, detail: str
) -> None:
    good = outlook_message(Mail(attachments=[("d.xlsx", DACORUM.read_bytes())]))
    path = tmp_path / "broken.msg"
    path.write_bytes(make(good))
    (report,) = read_returns(path, rubric)
    assert report.status == FileStatus.REJECTED and [i.code for i in report.issues] == [code]
    assert detail in report.issues[0].detail


def test_an_outlook_file_named_eml_and_an_email_named_msg_are_read_by_content(rubric: Rubric, tmp_path: Path) -> None:
    mail = Mail(attachments=[("d.xlsx", DACORUM.read_bytes())])
    as_eml, as_msg = tmp_path / "outlook.eml", tmp_path / "internet.msg"
    as_eml.write_bytes(outlook_message(mail))
    as_msg.write_bytes(email_message(mail).as_bytes())
    for path in (as_eml, as_msg):
        (report,) = read_returns(path, rubric)
        assert report.status == FileStatus.ACCEPTED and report.message.sender == "jsmith@dacorum.gov.uk"


def test_a_mailbox_with_too_many_messages_is_read_up_to_the_limit(rubric: Rubric, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "many.mbox", [Mail(subject=f"message {n}") for n in range(1, 6)])
    reports = read_returns(path, rubric, Limits(max_messages=3))
    assert [r.path for r in reports] == [f"{path}#1", f"{path}#2", f"{path}#3", str(path)]
    assert [r.message.subject for r in reports[:3]] == ["message 1", "message 2", "message 3"]
    assert reports[3].status == FileStatus.REJECTED and reports[3].issues[0].code == "too-many-messages"
    assert "more than 3 messages" in reports[3].issues[0].detail


def test_a_mailbox_over_its_limit_is_refused_before_it_is_read(rubric: Rubric, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "inbox.mbox", [Mail(attachments=[("d.xlsx", DACORUM.read_bytes())])])
    (report,) = read_returns(path, rubric, Limits(max_mailbox_bytes=50_000))
    assert report.issues[0].code == "file-too-large" and "mail folder of their own" in (report.issues[0].fix or "")


def test_long_lines_and_thunderbird_s_deleted_messages(rubric: Rubric, tmp_path: Path) -> None:
    """A line far longer than the pieces a mailbox is read in splits no message; a message Thunderbird deleted
    but kept (X-Mozilla-Status 0x0008) is skipped, saying so."""
    long = Mail(text="x" * 300_000 + "\nFrom the council", attachments=[("d.xlsx", DACORUM.read_bytes())])
    deleted = email_message(Mail(attachments=[("h.xlsx", HERTSMERE.read_bytes())]))
    deleted["X-Mozilla-Status"] = "0009"
    path = write_mbox(tmp_path / "Inbox.mbox", [long, deleted.as_bytes()])
    first, second = read_returns(path, rubric)
    assert (first.path, first.status) == (f"{path}#1/d.xlsx", FileStatus.ACCEPTED)
    assert second.status == FileStatus.SKIPPED and "deleted in Thunderbird" in (second.skip_reason or "")


def test_an_apple_mail_export_is_read_and_its_index_skipped(rubric: Rubric, tmp_path: Path) -> None:
    folder = tmp_path / "Returns.mbox"
    folder.mkdir()
    write_mbox(folder / "mbox", [Mail(attachments=[("d.xlsx", DACORUM.read_bytes())])])
    (folder / "table_of_contents").write_bytes(b"\x00\x01binary index")
    report = validate_paths([folder], rubric)
    assert [(f.path, f.status) for f in report.files] == [
        (f"{folder / 'mbox'}#1/d.xlsx", FileStatus.ACCEPTED),
        (str(folder / "table_of_contents"), FileStatus.SKIPPED),
    ]


def test_a_plain_workbook_never_meets_the_message_reader(
    rubric: Rubric, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Only the message suffixes go to the message reader, so a folder of workbooks reads as it did."""

    def refuse(*_args: object) -> None:
        raise AssertionError("a workbook was handed to the message reader")

    monkeypatch.setattr(emails, "read_messages", refuse)
    (report,) = read_returns(DACORUM, rubric)
    assert reading(report) == reading(read_return(DACORUM, rubric)) and report.message is None


# --- the command line -----------------------------------------------------------------------------------------


def test_validate_prints_and_jsons_a_report_per_attachment(tmp_path: Path) -> None:
    mails = [
        Mail(attachments=[("Dacorum return.xlsx", DACORUM.read_bytes())]),
        Mail("someone@example.org", "Later", date=None),
    ]
    path = write_mbox(tmp_path / "inbox.mbox", mails)
    code, out = run("validate", path)
    assert code == 0
    assert out.splitlines() == [
        f"{path}#1/Dacorum return.xlsx: accepted (59 of 59 answered); from jsmith@dacorum.gov.uk on 2026-11-20 "
        '10:15 UTC, "NPS diagnostic return"',
        f'{path}#2: skipped (no workbook attached; the message has no attachments); from someone@example.org, "Later"',
        "2 files: 1 accepted, 0 accepted with warnings, 0 rejected, 1 skipped",
    ]
    code, out = run("validate", "--json", path, DACORUM)
    files = json.loads(out)["files"]
    assert files[0]["message"] == {
        "file": str(path),
        "index": 1,
        "from": "jsmith@dacorum.gov.uk",
        "date": "2026-11-20T10:15:00Z",
        "subject": "NPS diagnostic return",
        "attachment": "Dacorum return.xlsx",
        "other_attachments": [],
    }
    assert files[1]["message"]["attachment"] is None and files[1]["message"]["date"] is None
    assert files[2]["message"] is None  # a workbook given as a file


def _mailbox_round(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with a mailbox of three messages and a workbook beside it, and a council list with emails."""
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "watford.xlsx").write_bytes(WATFORD_TYPED.read_bytes())
    write_mbox(
        folder / "inbox.mbox",
        [
            Mail(attachments=[("Dacorum return.xlsx", DACORUM.read_bytes())]),  # a colleague: the same domain
            Mail(
                "Pat Jones <procurement@watford.gov.uk>",  # Watford's address, Hertsmere's return
                "Returns",
                datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc),
                [("hertsmere.xlsx", HERTSMERE.read_bytes()), ("three-rivers.xlsx", THREE_RIVERS.read_bytes())],
            ),
            Mail("nobody@example.org", "Out of office"),
        ],
    )
    councils = tmp_path / "councils.csv"
    councils.write_text(COUNCILS, encoding="utf-8")
    return folder, councils


def test_collect_reads_a_folder_of_mailboxes_and_workbooks(tmp_path: Path) -> None:
    folder, councils = _mailbox_round(tmp_path)
    ledger = tmp_path / "files.csv"
    code, out = run("collect", folder, "--expected", councils, "--out", tmp_path / "s.xlsx", "--ledger", ledger)
    assert code == 0
    box = folder / "inbox.mbox"
    rows = ledger_rows(ledger)
    assert [(r["path"], r["status"]) for r in rows] == [
        (f"{box}#1/Dacorum return.xlsx", "accepted"),
        (f"{box}#2/hertsmere.xlsx", "accepted-with-warnings"),
        (f"{box}#2/three-rivers.xlsx", "accepted-with-warnings"),
        (f"{box}#3", "skipped"),
        (str(folder / "watford.xlsx"), "rejected"),
    ]
    assert [[r[c] for c in ("message_file", "message_index", "message_from", "message_date", "attachment")]
            for r in rows] == [
        [str(box), "1", "jsmith@dacorum.gov.uk", "2026-11-20 10:15:00", "Dacorum return.xlsx"],
        [str(box), "2", "procurement@watford.gov.uk", "2026-11-21 09:00:00", "hertsmere.xlsx"],
        [str(box), "2", "procurement@watford.gov.uk", "2026-11-21 09:00:00", "three-rivers.xlsx"],
        [str(box), "3", "nobody@example.org", "2026-11-20 10:15:00", ""],
        ["", "", "", "", ""],
    ]  # fmt: skip
    assert [r["message_subject"] for r in rows] == ["NPS diagnostic return", "Returns", "Returns", "Out of office", ""]
    assert rows[0]["modified_utc"] == rows[0]["message_date"]  # the message's date stands for a file's time
    assert rows[3]["first_error"] == "no workbook attached; the message has no attachments"
    # the sender: Hertsmere's return came from Watford's address (warned); Three Rivers has no address to compare
    assert (
        "sent from procurement@watford.gov.uk, not the council's address but Watford Borough Council's"
        in (rows[1]["note"])
    )
    hertsmere_alone = read_return(HERTSMERE, load_rubric())
    assert int(rows[1]["warnings"]) == len(hertsmere_alone.warnings) + 1
    assert "sent from" not in rows[0]["note"] + rows[2]["note"]
    lines = out.splitlines()
    assert "3 messages in 1 saved email file: 3 workbook attachments; 1 message without one (skipped)." in lines
    assert (
        '1 return sent from an address the council list does not give for its council (see the sheet "Issues"): '
        f"{box}#2/hertsmere.xlsx from procurement@watford.gov.uk."
    ) in lines


def test_a_sender_that_is_not_the_council_s_is_a_warning_naming_whose_it_is(rubric: Rubric, tmp_path: Path) -> None:
    from nps_xlsx.collect.collection import collect
    from nps_xlsx.councils import load_councils

    folder, councils = _mailbox_round(tmp_path)
    reports = validate_paths([folder], rubric).files
    collection = collect(reports, load_councils(councils))
    warned = {e.report.path: [i for i in e.report.issues if i.code == "sender-mismatch"] for e in collection.entries}
    box = folder / "inbox.mbox"
    assert {path: len(issues) for path, issues in warned.items() if issues} == {f"{box}#2/hertsmere.xlsx": 1}
    (issue,) = warned[f"{box}#2/hertsmere.xlsx"]
    assert issue.severity == "warning" and issue.value == "procurement@watford.gov.uk"
    assert issue.detail == (
        "the email came from procurement@watford.gov.uk, which is not Hertsmere Borough Council's address on the "
        "council list (contracts@hertsmere.gov.uk); it is the address of Watford Borough Council (E07000103)"
    )
    hertsmere = next(e for e in collection.entries if e.report.path == f"{box}#2/hertsmere.xlsx")
    assert hertsmere.status == FileStatus.ACCEPTED_WITH_WARNINGS  # used all the same


def test_without_an_email_column_no_sender_is_checked(rubric: Rubric, tmp_path: Path) -> None:
    from nps_xlsx.collect.collection import collect
    from nps_xlsx.councils import load_councils

    folder, councils = _mailbox_round(tmp_path)
    councils.write_text("code,name\nE07000096,Dacorum Borough Council\nE07000098,Hertsmere Borough Council\n")
    collection = collect(validate_paths([folder], rubric).files, load_councils(councils))
    assert not any(i.code == "sender-mismatch" for i in collection.issues)


def test_duplicates_in_messages_are_settled_by_the_message_date(
    rubric: Rubric, personalised_path: Path, tmp_path: Path
) -> None:
    """Two returns of one council with the same completion date: the later message wins, wherever it is in the
    mailbox; a byte-identical copy in a third message is named as such."""
    cover = {"completion_date": datetime(2026, 11, 1).date()}
    first = fill_bytes(personalised_path.read_bytes(), {"EC1": Typed("2 - Developing")}, cover)
    second = fill_bytes(personalised_path.read_bytes(), {"EC1": Typed("4 - Leader")}, cover)
    later, earlier = datetime(2026, 11, 25, tzinfo=timezone.utc), datetime(2026, 11, 10, tzinfo=timezone.utc)
    box = write_mbox(
        tmp_path / "in.mbox",
        [
            Mail(date=later, attachments=[("second.xlsx", second)]),
            Mail(date=earlier, attachments=[("first.xlsx", first)]),
            Mail(date=earlier, attachments=[("second again.xlsx", second)]),
        ],
    )
    ledger = tmp_path / "files.csv"
    code, _out = run("collect", box, "--out", tmp_path / "s.xlsx", "--ledger", ledger)
    assert code == 0
    status = {r["attachment"]: (r["status"], r["note"]) for r in ledger_rows(ledger)}
    assert status["second.xlsx"] == ("accepted-with-warnings", "used; 2 other return(s) from this council superseded")
    assert status["first.xlsx"] == (
        "superseded",
        f"superseded by {box}#1/second.xlsx (later completion date, then file time)",
    )
    assert status["second again.xlsx"] == ("superseded", f"identical copy of {box}#1/second.xlsx")


def test_many_entries_read_in_parallel_give_the_same_ledger(tmp_path: Path) -> None:
    folder, councils = _mailbox_round(tmp_path)
    for n in range(8):
        (folder / f"copy-{n}.xlsx").write_bytes(DACORUM.read_bytes())
    ledgers = []
    for workers in ("1", "2"):
        ledger = tmp_path / f"files-{workers}.csv"
        args = ("--out", tmp_path / f"s{workers}.xlsx", "--ledger", ledger, "--workers", workers)
        code, _out = run("collect", folder, "--expected", councils, *args)
        assert code == 0
        ledgers.append(ledger.read_bytes())
    assert ledgers[0] == ledgers[1] and len(ledger_rows(ledger)) == 5 + 8
