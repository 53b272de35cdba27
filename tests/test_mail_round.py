"""``nps-xlsx mail chase`` and ``mail replies`` on a round collected by ``collect``: who is reminded, who gets a
reply, what the reply says (every problem with its cell and the fix in the council's words) and what it attaches."""

from __future__ import annotations

import csv
import shutil
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect.chase import LABELS
from nps_xlsx.councils import Council, workbook_filename
from nps_xlsx.errors import MailError
from nps_xlsx.mail.chase import read_chase
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions
from nps_xlsx.template.personalise import Personaliser
from nps_xlsx.testing import Typed
from nps_xlsx.validate.check import read_return
from nps_xlsx.validate.issues import council_fix

from .conftest import FIXED_TIME, fill_copy
from .mailing import (
    BROXBOURNE,
    DACORUM,
    HERTSMERE,
    NORTH_HERTS,
    ST_ALBANS,
    THREE_RIVERS,
    WATFORD,
    YNYS_MON,
    address,
    attachments,
    body,
    header_block,
    parse,
    report_rows,
    run,
    write_councils,
    write_workbooks,
)

COUNCILS = [DACORUM, WATFORD, HERTSMERE, BROXBOURNE, THREE_RIVERS, ST_ALBANS, YNYS_MON, NORTH_HERTS]
ANSWERS = {"EC1": Typed("3 - Mature", "fine"), "EC2": Typed("Unscored")}
WELSH_FILE = "Ynys Môn – ein hymateb.xlsx"  # a council's own file name, not ASCII
SENDER = "Gwen Jones <gwen.jones@ynysmon.example>"


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    """A round collected with a chase list and a ledger: every status, and each kind of file a reply answers."""
    root = tmp_path_factory.mktemp("round")
    councils = write_councils(root / "councils.csv", {c: address(c) for c in COUNCILS})
    workbooks = write_workbooks(root / "workbooks", rubric, COUNCILS)
    copies = Personaliser(rubric, BuildOptions(FIXED_TIME))
    returns = root / "returns"
    returns.mkdir()

    filled = partial(fill_copy, copies)

    files = {
        # Dacorum sent a return with a typed score, then a good one: no reply needed
        "dacorum-first.xlsx": filled(DACORUM, {**ANSWERS, "EC3": Typed("seven")}),
        "E07000096-dacorum-borough-council.xlsx": filled(DACORUM, ANSWERS),
        # Watford's has two scores that are not levels, and came twice, byte for byte
        "watford.xlsx": filled(WATFORD, {**ANSWERS, "EC3": Typed("seven"), "SM1": Typed(3.5)}),
        "watford2.xlsx": filled(WATFORD, {**ANSWERS, "EC3": Typed("seven"), "SM1": Typed(3.5)}),
        # Hertsmere sent its copy back untouched: blank, a reminder's business
        "E07000098-hertsmere-borough-council.xlsx": copies.build(HERTSMERE),
        # Three Rivers' copy with St Albans' name typed on it: held
        "three-rivers-renamed.xlsx": filled(THREE_RIVERS, ANSWERS, ST_ALBANS.name),
        # Ynys Môn's, under a Welsh file name, with a comment too long for a cell
        WELSH_FILE: filled(YNYS_MON, {**ANSWERS, "EC3": Typed("9")}),
        # North Herts' copy, cut short: unreadable, matched by its file name
        "E07000099-north-hertfordshire-district-council.xlsx": workbooks[NORTH_HERTS][:5000],
    }
    for name, data in files.items():
        (returns / name).write_bytes(data)
    out = root / "out"
    args = ["collect", str(returns), "--out", str(out / "summary.xlsx"), "--ledger", str(out / "files.csv")]
    args += ["--expected", str(councils), "--chase", str(out / "chase.csv"), "--workers", "1"]
    collected = CliRunner().invoke(main, args, catch_exceptions=False)
    assert collected.exit_code == 0, collected.output
    return {"root": root, "councils": councils, "workbooks": workbooks, "returns": returns, "out": out, "files": files}


def draft_path(outbox: Path, council: Council, kind: str) -> Path:
    return outbox / workbook_filename(council).replace(".xlsx", f"-{kind}.eml")


def test_reminders_go_to_the_councils_not_returned_or_blank(round_: dict, tmp_path: Path) -> None:
    chase_csv = round_["out"] / "chase.csv"
    with chase_csv.open(encoding="utf-8-sig", newline="") as stream:
        statuses = {row["council_code"]: row["status"] for row in csv.DictReader(stream)}
    chased = {code for code, status in statuses.items() if status in ("blank", "not-returned")}
    assert chased == {HERTSMERE.code, BROXBOURNE.code}
    outbox = tmp_path / "outbox"
    args = ["--chase", str(chase_csv), "--workbooks", str(round_["root"] / "workbooks"), "--outbox", str(outbox)]
    result = run("chase", *args, "--deadline", "14 February 2026", "--contact", "Jo Bloggs, 01234 567890")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in outbox.glob("*.eml")) == sorted(
        draft_path(outbox, c, "chase").name for c in (HERTSMERE, BROXBOURNE)
    )
    for council, reason in (
        (HERTSMERE, "the workbook you sent back (" + str(round_["returns"] / workbook_filename(HERTSMERE))),
        (BROXBOURNE, f"we have not received the completed workbook for {BROXBOURNE.name} yet."),
    ):
        message = parse(draft_path(outbox, council, "chase").read_bytes())
        assert [a.addr_spec for a in message["To"].addresses] == [address(council)]
        assert message["Subject"].startswith("Reminder: ") and message["Subject"].endswith("due 14 February 2026")
        assert reason in body(message) and "Jo Bloggs, 01234 567890" in body(message)
        assert attachments(message) == {workbook_filename(council): round_["workbooks"][council]}
    others = {s for c, s in statuses.items() if c not in chased}
    counts = ", ".join(f"{sum(s == status for s in statuses.values())} {LABELS[status].lower()}" for status in
                       ("rejected", "held", "returned") if status in others)  # fmt: skip
    assert f"Not chased: {counts} (mail replies writes to the rejected and held)." in result.output
    rows = report_rows(outbox / "chase-report.csv")
    assert [(r["council_code"], r["status"]) for r in rows] == [
        (HERTSMERE.code, "drafted"),
        (BROXBOURNE.code, "drafted"),
    ]


def test_a_chase_list_saved_by_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "chase.csv"
    header = "council_code;council;status;files;first_error;action;note;email\r\n"
    text = header + "E1;Caerdydd Café;blank;a.xlsx;;;;x@y.example\r\n"
    path.write_bytes(text.encode("cp1252"))
    [entry] = read_chase(path)
    assert (entry.council, entry.status, entry.files) == (
        Council("E1", "Caerdydd Café", (("email", "x@y.example"),)),
        "blank",
        "a.xlsx",
    )
    path.write_text("council_code,council,status\nE1,A,chased\n", encoding="utf-8")
    with pytest.raises(MailError, match=r"chase.csv:2: the status 'chased' is not one of rejected, blank"):
        read_chase(path)


@pytest.fixture(scope="module")
def replied(round_: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Replies drafted from the ledger, with a sender recorded for Ynys Môn's file (as a return read from a saved
    message has)."""
    root = tmp_path_factory.mktemp("replies")
    ledger = root / "files.csv"
    with (round_["out"] / "files.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        row["sender"] = SENDER if row["path"].endswith(WELSH_FILE) else ""
    with ledger.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.DictWriter(stream, [*rows[0]])
        writer.writeheader()
        writer.writerows(rows)
    outbox = root / "outbox"
    args = ["--ledger", str(ledger), "--councils", str(round_["councils"]), "--outbox", str(outbox)]
    result = run("replies", *args, "--contact", "Jo Bloggs")
    return {"ledger": ledger, "outbox": outbox, "result": result, "args": args}


def test_each_rejected_or_held_return_gets_one_reply(round_: dict, replied: dict) -> None:
    result, outbox = replied["result"], replied["outbox"]
    assert result.exit_code == 0, result.output
    returns = round_["returns"]
    rows = {Path(r["returned_file"]).name: r for r in report_rows(outbox / "reply-report.csv")}
    assert {name: (r["status"], r["council_code"]) for name, r in rows.items()} == {
        "dacorum-first.xlsx": ("not-needed", DACORUM.code),
        "watford.xlsx": ("drafted", WATFORD.code),
        "watford2.xlsx": ("not-needed", WATFORD.code),
        "E07000098-hertsmere-borough-council.xlsx": ("not-needed", HERTSMERE.code),
        "three-rivers-renamed.xlsx": ("drafted", THREE_RIVERS.code),
        WELSH_FILE: ("drafted", YNYS_MON.code),
        "E07000099-north-hertfordshire-district-council.xlsx": ("drafted", NORTH_HERTS.code),
    }
    assert rows["dacorum-first.xlsx"]["detail"] == "a return from this council is used: no reply is needed"
    assert rows["watford2.xlsx"]["detail"] == f"the same file as {returns / 'watford.xlsx'}: one reply answers both"
    assert rows["E07000098-hertsmere-borough-council.xlsx"]["detail"] == (
        "returned blank: mail chase sends the reminder"
    )
    assert "Wrote 4 reply drafts" in result.output and "No message needed for 3 returned files:" in result.output


def test_a_reply_lists_every_problem_with_its_cell_and_fix_and_attaches_the_file(
    round_: dict, replied: dict, rubric: Rubric
) -> None:
    message = parse(draft_path(replied["outbox"], WATFORD, "reply").read_bytes())
    assert [a.addr_spec for a in message["To"].addresses] == [address(WATFORD)]
    assert message["Subject"] == f"{rubric.short_title}: about the workbook you sent for {WATFORD.name}"
    text = body(message)
    report = read_return(round_["returns"] / "watford.xlsx", rubric)
    assert len(report.errors) == 2
    for n, issue in enumerate(report.errors, 1):
        where = f"{issue.location.sheet}!{issue.location.cell} ({issue.value_code})"
        assert f"{n}. {where}: {issue.detail}; {council_fix(issue)}." in text
    blanks = [i for i in report.warnings if i.code == "score-blank"]
    assert f"- {len(blanks)} value codes not answered: " in text
    assert "Your workbook is attached: please correct it" in text and "please contact Jo Bloggs." in text
    assert str(round_["returns"]) not in text  # our folders are no business of the council's
    assert attachments(message) == {"watford.xlsx": round_["files"]["watford.xlsx"]}


def test_a_held_return_asks_which_council_and_copies_the_council_named(replied: dict) -> None:
    message = parse(draft_path(replied["outbox"], THREE_RIVERS, "reply").read_bytes())
    assert [a.addr_spec for a in message["To"].addresses] == [address(THREE_RIVERS)]
    assert [a.addr_spec for a in message["Cc"].addresses] == [address(ST_ALBANS)]
    text = body(message)
    assert f"the council name typed is '{ST_ALBANS.name}', but this copy was issued to" in text
    assert "please tell us which council these answers are for." in text
    assert "Please reply to tell us which council these answers are for." in text


def test_a_reply_goes_to_the_sender_the_ledger_records_with_a_non_ascii_file_name(round_: dict, replied: dict) -> None:
    data = draft_path(replied["outbox"], YNYS_MON, "reply").read_bytes()
    message = parse(data)
    assert [a.addr_spec for a in message["To"].addresses] == ["gwen.jones@ynysmon.example"]
    assert attachments(message) == {WELSH_FILE: round_["files"][WELSH_FILE]}
    raw = data.split(b"Content-Disposition: attachment;", 1)[1][:200]
    assert b"filename*=utf-8''Ynys%20M%C3%B4n%20%E2%80%93%20ein%20hymateb.xlsx" in raw.replace(b"\r\n ", b"")
    assert header_block(data).isascii() and "Ynys Môn" in message["Subject"]


def test_an_unreadable_return_is_answered_without_its_file(round_: dict, replied: dict, rubric: Rubric) -> None:
    message = parse(draft_path(replied["outbox"], NORTH_HERTS, "reply").read_bytes())
    assert attachments(message) == {}
    text = body(message)
    [error] = read_return(round_["returns"] / workbook_filename(NORTH_HERTS), rubric).errors
    assert error.code == "corrupt-file" and error.location.sheet is None
    detail = error.detail[:1].upper() + error.detail[1:]
    assert f"\n1. {detail}; please open the workbook, save it again and resend it.\n" in text
    assert "so it is not attached: please send the workbook again" in text


def test_returns_moved_since_collect_are_found_by_their_content(round_: dict, replied: dict, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere"
    shutil.copytree(round_["returns"], moved / "deep")
    ledger = tmp_path / "files.csv"
    text = replied["ledger"].read_text(encoding="utf-8-sig").replace(str(round_["returns"]), "gone")
    ledger.write_text(text, encoding="utf-8-sig")
    args = ["--ledger", str(ledger), "--councils", str(round_["councils"]), "--contact", "Jo"]
    lost = run("replies", *args, "--outbox", str(tmp_path / "lost"))
    assert lost.exit_code == 1
    assert "the file is not found with the SHA-256 the ledger gives; give --returns" in lost.output
    found = run("replies", *args, "--outbox", str(tmp_path / "found"), "--returns", str(moved))
    assert found.exit_code == 0, found.output
    message = parse(draft_path(tmp_path / "found", WATFORD, "reply").read_bytes())
    assert attachments(message) == {"watford.xlsx": round_["files"]["watford.xlsx"]}
    # a file changed since the ledger was written is not the file the ledger judged
    (moved / "deep" / "watford.xlsx").write_bytes(b"changed")
    (moved / "deep" / "watford2.xlsx").unlink()
    changed = run("replies", *args, "--outbox", str(tmp_path / "changed"), "--returns", str(moved))
    assert changed.exit_code == 1 and "gone/watford.xlsx: the file is not found" in changed.output
