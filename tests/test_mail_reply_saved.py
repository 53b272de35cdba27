"""``mail replies`` about returns read straight from saved emails (``.mbox``, ``.eml``, ``.msg``): the workbook is
found again in its message, checked against the ledger's SHA-256, read again from its bytes, and sent back to the
message's sender under its own name, the reply naming the email it came in."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.councils import Council
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions
from nps_xlsx.template.personalise import Personaliser
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.check import read_return
from nps_xlsx.validate.issues import council_fix

from .conftest import FIXED_TIME
from .mail_files import Mail, write_eml, write_mbox, write_msg
from .mailing import (
    BROXBOURNE,
    DACORUM,
    HERTSMERE,
    THREE_RIVERS,
    WATFORD,
    address,
    attachments,
    body,
    parse,
    report_rows,
    run,
    write_councils,
)

COUNCILS = [DACORUM, WATFORD, HERTSMERE, THREE_RIVERS, BROXBOURNE]
ANSWERS = {"EC1": Typed("3 - Mature", "fine"), "EC2": Typed("Unscored")}
SENT = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
BOTH = "Returns from Hertsmere and Three Rivers"
SENDERS = {
    HERTSMERE: "Pat Jones <pat.jones@hertsmere.example>",
    WATFORD: "Sam Lee <sam.lee@watford.example>",
    BROXBOURNE: "Ann Cole <ann.cole@broxbourne.example>",
}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    """Returns saved as emails, collected with a ledger: a mailbox whose first message carries a rejected return and
    a good one, then a good one; an ``.eml`` and an Outlook ``.msg``, each with a rejected return."""
    root = tmp_path_factory.mktemp("inbox")
    councils = write_councils(root / "councils.csv", {c: address(c) for c in COUNCILS})
    copies = Personaliser(rubric, BuildOptions(FIXED_TIME))

    def filled(council: Council, answers: dict) -> bytes:
        return fill_bytes(copies.build(council), {**ANSWERS, **answers}, {"completion_date": date(2026, 11, 1)})

    files = {
        "hertsmere.xlsx": filled(HERTSMERE, {"EC3": Typed("seven")}),
        "three-rivers.xlsx": filled(THREE_RIVERS, {}),
        "Dacorum return.xlsx": filled(DACORUM, {}),
        "watford.xlsx": filled(WATFORD, {"SM1": Typed(3.5)}),
        "Broxbourne NPS.xlsx": filled(BROXBOURNE, {"EC3": Typed("9")}),
    }
    returns = root / "returns"
    returns.mkdir()
    pair = [(name, files[name]) for name in ("hertsmere.xlsx", "three-rivers.xlsx")]
    dacorum = Mail(address(DACORUM), "Our return", SENT, [("Dacorum return.xlsx", files["Dacorum return.xlsx"])])
    write_mbox(returns / "inbox.mbox", [Mail(SENDERS[HERTSMERE], BOTH, SENT, pair), dacorum])
    write_eml(
        returns / "watford.eml", Mail(SENDERS[WATFORD], "NPS return", SENT, [("watford.xlsx", files["watford.xlsx"])])
    )
    broxbourne = [("Broxbourne NPS.xlsx", files["Broxbourne NPS.xlsx"])]
    write_msg(returns / "broxbourne.msg", Mail(SENDERS[BROXBOURNE], "Broxbourne's return", SENT, broxbourne))
    ledger = root / "files.csv"
    args = ["collect", str(returns), "--out", str(root / "summary.xlsx"), "--ledger", str(ledger)]
    collected = CliRunner().invoke(main, [*args, "--expected", str(councils), "--workers", "1"], catch_exceptions=False)
    assert collected.exit_code == 0, collected.output
    outbox = root / "outbox"
    result = run(
        "replies", "--ledger", str(ledger), "--councils", str(councils), "--outbox", str(outbox), "--contact", "Jo"
    )
    return {"root": root, "returns": returns, "ledger": ledger, "councils": councils, "files": files,
            "outbox": outbox, "result": result}  # fmt: skip


def draft(outbox: Path, council: Council) -> Path:
    [path] = outbox.glob(f"{council.code}-*-reply.eml")
    return path


@pytest.mark.parametrize(
    ("council", "name", "subject"),
    [
        (HERTSMERE, "hertsmere.xlsx", BOTH),
        (WATFORD, "watford.xlsx", "NPS return"),
        (BROXBOURNE, "Broxbourne NPS.xlsx", "Broxbourne's return"),
    ],
)
def test_a_return_in_a_saved_email_is_answered_to_its_sender_with_its_own_attachment(
    inbox: dict, rubric: Rubric, tmp_path: Path, council: Council, name: str, subject: str
) -> None:
    assert inbox["result"].exit_code == 0, inbox["result"].output
    message = parse(draft(inbox["outbox"], council).read_bytes())
    sender = SENDERS[council].partition("<")[2].rstrip(">")
    assert [a.addr_spec for a in message["To"].addresses] == [sender]  # the message's sender, not the council list's
    assert message["Subject"] == f"{rubric.short_title}: about the workbook you sent for {council.name}"
    text = body(message)
    assert f"for {council.name} ({name}, attached to your email of 2026-11-21, '{subject}'). We cannot use it" in text
    (tmp_path / name).write_bytes(inbox["files"][name])  # the workbook as a file, read independently
    errors = read_return(tmp_path / name, rubric).errors
    assert errors
    for n, issue in enumerate(errors, 1):
        where = f"{issue.location.sheet}!{issue.location.cell} ({issue.value_code})"
        assert f"\n{n}. {where}: {issue.detail}; {council_fix(issue)}.\n" in text
    assert "Your workbook is attached: please correct it" in text
    assert str(inbox["returns"]) not in text and "inbox.mbox" not in text
    assert attachments(message) == {name: inbox["files"][name]}


def test_only_the_rejected_returns_of_the_saved_emails_are_answered(inbox: dict) -> None:
    result = inbox["result"]
    assert sorted(p.name for p in inbox["outbox"].glob("*.eml")) == sorted(
        draft(inbox["outbox"], c).name for c in (HERTSMERE, WATFORD, BROXBOURNE)
    )
    rows = report_rows(inbox["outbox"] / "reply-report.csv")
    box, returns = inbox["returns"] / "inbox.mbox", inbox["returns"]
    assert sorted((r["returned_file"], r["status"], r["council_code"]) for r in rows) == sorted([
        (f"{box}#1/hertsmere.xlsx", "drafted", HERTSMERE.code),
        (f"{returns / 'watford.eml'}/watford.xlsx", "drafted", WATFORD.code),
        (f"{returns / 'broxbourne.msg'}/Broxbourne NPS.xlsx", "drafted", BROXBOURNE.code),
    ])  # fmt: skip
    assert "Wrote 3 reply drafts" in result.output and "not found" not in result.output


def _ledger_moved(inbox: dict, tmp_path: Path) -> Path:
    """The ledger, its paths naming a folder that is gone."""
    ledger = tmp_path / "files.csv"
    text = inbox["ledger"].read_text(encoding="utf-8-sig").replace(str(inbox["returns"]), "gone")
    ledger.write_text(text, encoding="utf-8-sig")
    return ledger


def test_saved_emails_moved_are_found_under_returns_and_changed_ones_are_reported(inbox: dict, tmp_path: Path) -> None:
    args = ["--ledger", str(_ledger_moved(inbox, tmp_path)), "--councils", str(inbox["councils"]), "--contact", "Jo"]
    lost = run("replies", *args, "--outbox", str(tmp_path / "lost"))
    assert lost.exit_code == 1
    assert "gone/inbox.mbox#1/hertsmere.xlsx: the saved email gone/inbox.mbox is not found; give --returns" in (
        lost.output
    )
    moved = tmp_path / "elsewhere"
    shutil.copytree(inbox["returns"], moved / "deep")
    found = run("replies", *args, "--outbox", str(tmp_path / "found"), "--returns", str(moved))
    assert found.exit_code == 0, found.output
    message = parse(draft(tmp_path / "found", HERTSMERE).read_bytes())
    assert attachments(message) == {"hertsmere.xlsx": inbox["files"]["hertsmere.xlsx"]}
    # the mailbox exported again, its messages in another order: found by content; a changed attachment is reported
    files = inbox["files"]
    pair = [("hertsmere.xlsx", files["hertsmere.xlsx"]), ("three-rivers.xlsx", files["three-rivers.xlsx"])]
    write_mbox(
        moved / "deep" / "inbox.mbox",
        [Mail(address(DACORUM), "Our return", SENT), Mail(SENDERS[HERTSMERE], BOTH, SENT, pair)],
    )
    (moved / "deep" / "watford.eml").write_bytes(
        (moved / "deep" / "watford.eml").read_bytes().replace(b"Sam Lee", b"Sam Lea")  # headers only: still found
    )
    write_eml(
        moved / "deep" / "broxbourne.msg", Mail(SENDERS[BROXBOURNE], "x", SENT, [("Broxbourne NPS.xlsx", b"changed")])
    )
    again = run("replies", *args, "--outbox", str(tmp_path / "again"), "--returns", str(moved))
    assert again.exit_code == 1
    assert attachments(parse(draft(tmp_path / "again", HERTSMERE).read_bytes())) == {
        "hertsmere.xlsx": files["hertsmere.xlsx"]
    }
    assert attachments(parse(draft(tmp_path / "again", WATFORD).read_bytes())) == {
        "watford.xlsx": files["watford.xlsx"]
    }
    assert (
        "gone/broxbourne.msg/Broxbourne NPS.xlsx: the attachment 'Broxbourne NPS.xlsx' of the saved email has "
        "changed since the ledger was written"
    ) in again.output
    assert not list((tmp_path / "again").glob(f"{BROXBOURNE.code}-*"))


def test_a_saved_email_that_could_not_be_read_gets_no_reply(inbox: dict, tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    shutil.copytree(inbox["returns"], returns)
    (returns / "broken.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # an OLE file, broken
    ledger = tmp_path / "files.csv"
    args = ["collect", str(returns), "--out", str(tmp_path / "s.xlsx"), "--ledger", str(ledger), "--workers", "1"]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    with ledger.open(encoding="utf-8-sig", newline="") as stream:
        [row] = [r for r in csv.DictReader(stream) if r["message_file"].endswith("broken.msg")]
    assert row["status"] == "rejected" and row["attachment"] == ""
    outbox = tmp_path / "outbox"
    result = run(
        "replies",
        "--ledger",
        str(ledger),
        "--councils",
        str(inbox["councils"]),
        "--outbox",
        str(outbox),
        "--contact",
        "Jo",
    )
    assert result.exit_code == 0, result.output
    [left] = [r for r in report_rows(outbox / "reply-report.csv") if r["returned_file"].endswith("broken.msg")]
    assert left["status"] == "not-needed"
    assert left["detail"].startswith("the saved email could not be read, so no workbook came of it")
