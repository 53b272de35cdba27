"""``nps-xlsx mail invite`` and the drafts: what the standard library reads back from each ``.eml``, the wording and
its placeholders, the councils left out, and the outbox's files as outputs of ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from nps_xlsx.councils import Council, council_email, workbook_filename
from nps_xlsx.errors import MailError
from nps_xlsx.mail.addresses import parse_addresses
from nps_xlsx.mail.wording import INVITE, Wording, check_wording, load_wording, run_values
from nps_xlsx.read.own_outputs import not_a_return, recognise
from nps_xlsx.rubric import Rubric
from nps_xlsx.validate.issues import CATALOGUE, Location, council_fix, make_issue
from nps_xlsx.validate.report import validate_paths

from .mailing import (
    BROXBOURNE,
    DACORUM,
    HERTSMERE,
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

DEADLINE = "31 January 2026"
SENDER = "NPS team <nps@hub.example>"


@pytest.fixture(scope="module")
def invited(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    """An invitation run: Dacorum and Ynys Môn as they should be, Watford with two addresses, Hertsmere with no
    address, Broxbourne with an address that is not one; Broxbourne and a council without a workbook left out."""
    root = tmp_path_factory.mktemp("invite")
    no_workbook = Council("E07000099", "North Hertfordshire District Council")
    emails = {
        DACORUM: address(DACORUM),
        YNYS_MON: address(YNYS_MON),
        WATFORD: f"{address(WATFORD)}; Jo Smith <jo.smith@watford.example>",
        HERTSMERE: "",
        BROXBOURNE: "procurement at broxbourne",
        no_workbook: address(no_workbook),
    }
    councils = write_councils(root / "councils.csv", emails)
    workbooks = write_workbooks(root / "workbooks", rubric, [DACORUM, YNYS_MON, WATFORD, HERTSMERE, BROXBOURNE])
    outbox = root / "outbox"
    args = ["--councils", str(councils), "--workbooks", str(root / "workbooks"), "--outbox", str(outbox)]
    result = run("invite", *args, "--deadline", DEADLINE, "--from", SENDER)
    return {"root": root, "result": result, "outbox": outbox, "workbooks": workbooks, "no_workbook": no_workbook}


def draft(outbox: Path, council: Council, kind: str = "invite") -> Path:
    return outbox / workbook_filename(council).replace(".xlsx", f"-{kind}.eml")


def test_each_draft_parses_back_to_its_recipients_subject_body_and_workbook(invited: dict, rubric: Rubric) -> None:
    outbox, workbooks = invited["outbox"], invited["workbooks"]
    expected_to = {
        DACORUM: [address(DACORUM)],
        YNYS_MON: [address(YNYS_MON)],
        WATFORD: [address(WATFORD), "jo.smith@watford.example"],
    }
    for council, to in expected_to.items():
        data = draft(outbox, council).read_bytes()
        message = parse(data)
        assert [a.addr_spec for a in message["To"].addresses] == to
        assert {a.display_name for a in message["To"].addresses} == {council.name}
        assert message["Subject"] == f"{rubric.short_title}: the workbook for {council.name}"
        assert message["From"] == SENDER and message["X-Unsent"] == "1" and message["X-Nps-Xlsx"] == "invite"
        assert message["Date"] is None  # the mail program dates it when it is sent
        text = body(message)
        assert f"the workbook for {council.name} ({workbook_filename(council)})" in text
        assert f"by {DEADLINE}." in text and f"please contact {SENDER}." in text
        assert attachments(message) == {workbook_filename(council): workbooks[council]}
        part = next(message.iter_attachments())
        assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF, as mail programs save
        assert max(len(line) for line in data.split(b"\r\n")) <= 998  # RFC 5322's limit


def test_non_ascii_names_are_encoded_in_the_headers(invited: dict) -> None:
    data = draft(invited["outbox"], YNYS_MON).read_bytes()
    headers = header_block(data)
    assert headers.isascii() and b"=?utf-8?" in headers  # RFC 2047 encoded words, in To and Subject
    message = parse(data)
    assert message["To"].addresses[0].display_name == YNYS_MON.name
    assert message["Subject"].endswith(YNYS_MON.name)
    assert data.isascii()  # the body is quoted-printable: seven-bit safe for any server
    assert "Ynys Môn – Isle of Anglesey" in body(message)


def test_councils_without_an_address_or_a_workbook_are_listed(invited: dict) -> None:
    result, outbox = invited["result"], invited["outbox"]
    assert result.exit_code == 1, result.output  # three councils need the coordinator
    rows = {row["council_code"]: row for row in report_rows(outbox / "invite-report.csv")}
    assert {code: row["status"] for code, row in rows.items()} == {
        DACORUM.code: "drafted",
        YNYS_MON.code: "drafted",
        WATFORD.code: "drafted",
        HERTSMERE.code: "left-out",
        BROXBOURNE.code: "left-out",
        invited["no_workbook"].code: "left-out",
    }
    assert rows[HERTSMERE.code]["detail"] == "no email address in the council list"
    assert "'procurement at broxbourne'" in rows[BROXBOURNE.code]["detail"]
    assert rows[invited["no_workbook"].code]["detail"].startswith("no workbook:")
    assert rows[WATFORD.code]["to"] == f"{address(WATFORD)}; jo.smith@watford.example"
    assert rows[DACORUM.code]["draft"] == draft(outbox, DACORUM).name
    assert "Left out 3 councils:" in result.output
    assert f"  {HERTSMERE.name} ({HERTSMERE.code}): no email address in the council list" in result.output
    assert "Wrote 3 invitation drafts" in result.output and "nothing was sent" in result.output
    assert f'Would send to {address(DACORUM)} ({DACORUM.name}): "' in result.output
    drafts = sorted(p.name for p in outbox.glob("*.eml"))
    assert drafts == sorted(draft(outbox, c).name for c in (DACORUM, YNYS_MON, WATFORD))


def test_the_outbox_files_are_known_as_ours(invited: dict, tmp_path: Path, rubric: Rubric) -> None:
    outbox = invited["outbox"]
    assert recognise(draft(outbox, DACORUM)) == "draft"
    assert recognise(outbox / "invite-report.csv") == "mail-report"
    data = draft(outbox, DACORUM).read_bytes()
    assert not_a_return(data) == "a mail draft written by nps-xlsx, not a return"
    # a draft found among returns is skipped, saying what it is
    (tmp_path / "draft.eml").write_bytes(data)
    report = validate_paths([tmp_path], rubric)
    assert [(f.status, f.skip_reason) for f in report.files] == [
        ("skipped", "a mail draft written by nps-xlsx, not a return")
    ]


def test_a_second_run_replaces_its_drafts_and_keeps_other_files(invited: dict, tmp_path: Path) -> None:
    root = invited["root"]
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    mine = draft(outbox, DACORUM)
    mine.write_bytes(b"my own notes")
    args = ["--councils", str(root / "councils.csv"), "--workbooks", str(root / "workbooks"), "--outbox", str(outbox)]
    first = run("invite", *args, "--deadline", DEADLINE, "--contact", "Jo")
    assert first.exit_code == 1
    assert mine.read_bytes() == b"my own notes"
    assert f"Not written: {mine}: it is not a file nps-xlsx wrote, not a mail draft" in first.output
    ynys = draft(outbox, YNYS_MON)
    before = ynys.read_bytes()
    again = run("invite", *args, "--deadline", "7 February 2026", "--contact", "Jo", "--force")
    assert "7 February 2026" in body(parse(ynys.read_bytes())) and ynys.read_bytes() != before
    assert parse(mine.read_bytes())["X-Nps-Xlsx"] == "invite"  # --force replaced the file that was not ours
    assert again.exit_code == 1  # still the councils left out


def test_a_template_with_a_subject_and_the_council_lists_columns(invited: dict, tmp_path: Path) -> None:
    root = invited["root"]
    template = tmp_path / "body.txt"
    template.write_text(
        "Subject: {{NPS}} {code}: {council}\n\nHello {council} in {region},\r\nreturn {workbook} by {deadline}.\n",
        encoding="utf-8",
    )
    outbox = tmp_path / "outbox"
    args = ["--councils", str(root / "councils.csv"), "--workbooks", str(root / "workbooks"), "--outbox", str(outbox)]
    result = run("invite", *args, "--template", str(template), "--deadline", DEADLINE)
    assert result.exit_code == 1, result.output  # the councils left out, as before
    message = parse(draft(outbox, YNYS_MON).read_bytes())
    assert message["Subject"] == f"{{NPS}} {YNYS_MON.code}: {YNYS_MON.name}"
    expected = f"Hello {YNYS_MON.name} in East of England,\nreturn {workbook_filename(YNYS_MON)} by {DEADLINE}.\n"
    assert body(message) == expected
    subject = run("invite", *args, "--template", str(template), "--deadline", DEADLINE, "--subject", "Hi {code}")
    assert subject.exit_code == 1
    assert parse(draft(outbox, DACORUM).read_bytes())["Subject"] == f"Hi {DACORUM.code}"


@pytest.mark.parametrize(
    ("text", "extra", "error"),
    [
        ("Dear {councill},", [], "unknown placeholder {councill}; the placeholders are {region}, {email}, {council}"),
        ("Return it by {deadline}.", [], "uses {deadline}: give --deadline"),
        ("Ask {contact}.", ["--deadline", "x"], "uses {contact}: give --contact"),
        ("A { brace", [], "write a brace that is not a placeholder twice"),
        ("Dear {council!r}", [], "{council!r} is not a placeholder"),
        ("Dear {council.name}", [], "{council.name} is not a placeholder"),
    ],
)
def test_a_placeholder_that_cannot_be_filled_is_an_error_naming_it(
    invited: dict, tmp_path: Path, text: str, extra: list[str], error: str
) -> None:
    root = invited["root"]
    template = tmp_path / "body.txt"
    template.write_text(text, encoding="utf-8")
    outbox = tmp_path / "outbox"
    args = ["--councils", str(root / "councils.csv"), "--workbooks", str(root / "workbooks"), "--outbox", str(outbox)]
    result = run("invite", *args, "--template", str(template), *extra)
    assert result.exit_code == 1
    assert f"Error: {template}" in result.output and error in result.output, result.output
    assert not outbox.exists()  # checked before any message is made


def test_the_default_wordings_use_only_their_placeholders(rubric: Rubric) -> None:
    from nps_xlsx.mail import chase, invite, replies
    from nps_xlsx.mail.wording import CHASE, REPLY

    shared = run_values(rubric, "soon", "me")
    for wording, own in ((INVITE, invite.OWN), (CHASE, chase.OWN), (REPLY, replies.OWN)):
        check_wording(wording, shared, own, DACORUM)
    assert "deadline" in INVITE.placeholders() and "deadline" not in REPLY.placeholders()
    with pytest.raises(MailError, match=r"uses \{deadline\}"):
        check_wording(INVITE, run_values(rubric, None, "me"), invite.OWN, DACORUM)


def test_load_wording_keeps_the_default_subject_without_a_subject_line(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffSubject:   Hello {council}  \n\nBody\n".encode())
    assert load_wording(path, None, INVITE) == Wording("Hello {council}", "Body\n", str(path))
    path.write_text("No subject line\n", encoding="utf-8")
    assert load_wording(path, None, INVITE).subject == INVITE.subject
    path.write_bytes(b"caf\xe9")
    with pytest.raises(MailError, match="not UTF-8"):
        load_wording(path, None, INVITE)


@pytest.mark.parametrize(
    ("cell", "good", "bad"),
    [
        ("a@b.example", ["a@b.example"], []),
        ("Jo Smith <jo@x.gov.uk>; b@c.example, b@c.example", ["jo@x.gov.uk", "b@c.example"], []),
        ("jo@dacorum", [], ["jo@dacorum"]),
        ("jö@x.example; ok@x.example", ["ok@x.example"], ["jö@x.example"]),
        ("a@b@c.example", [], ["a@b@c.example"]),
        ("", [], []),
    ],
)
def test_addresses_in_a_council_list_cell(cell: str, good: list[str], bad: list[str]) -> None:
    assert parse_addresses(cell) == (good, bad)


def test_the_email_column_is_found_by_its_aliases() -> None:
    assert council_email(Council("E1", "A", (("region", "x"), ("E-mail address", "a@b.example")))) == "a@b.example"
    assert council_email(Council("E1", "A", (("Contact email", "c@d.example"), ("email", "e@f.example")))) == (
        "e@f.example"
    )
    assert council_email(Council("E1", "A", (("region", "x"),))) == ""


def test_a_reply_speaks_to_the_council_not_the_coordinator() -> None:
    """Every fix a reply gives is said to the council: never 'ask the council', nps-xlsx's options or ours."""
    for code, entry in CATALOGUE.items():
        fix = council_fix(make_issue(code, Location("r.xlsx"), "x"))
        if entry.ours:
            assert fix is None, code
            continue
        if entry.fix is None:
            assert fix is None, code
            continue
        assert fix, code
        lowered = fix.lower()
        for words in ("ask the council", "send the council", "the council to", " their ", " its ", "nps-xlsx", "--"):
            assert words not in lowered, (code, fix)
    assert council_fix(make_issue("score-invalid", Location("r"), "x", fix="choose 1 to 4")) == "choose 1 to 4"
    assert council_fix(make_issue("nothing-answered", Location("r"), "x")) == (
        "please fill in the workbook and send it again"
    )


def test_the_readme_documents_the_report_and_the_sent_log(invited: dict, tmp_path: Path, rubric: Rubric) -> None:
    from nps_xlsx.columns import MAIL_REPORT_COLUMNS, SENT_LOG_COLUMNS
    from nps_xlsx.mail.invite import invitations
    from nps_xlsx.mail.outbox import STATUSES
    from nps_xlsx.mail.sent_log import SentLog

    from .test_contracts import CONTRACT, documented

    assert documented("invite-report.csv") == MAIL_REPORT_COLUMNS
    with (invited["outbox"] / "invite-report.csv").open(encoding="utf-8-sig") as stream:
        assert stream.readline().rstrip("\r\n").split(",") == MAIL_REPORT_COLUMNS
    [status] = [f for f in CONTRACT["invite-report.csv"] if f.name == "status"]
    assert [v for v in status.values() if v in STATUSES] == list(STATUSES)
    assert documented("sent-log.csv") == SENT_LOG_COLUMNS
    from nps_xlsx.councils import load_councils

    councils = load_councils(invited["root"] / "councils.csv")
    letters, _ = invitations(councils, invited["root"] / "workbooks", INVITE, run_values(rubric, "x", "y"))
    log = SentLog(tmp_path)
    log.record(letters[0], "", "sending")
    log.close()
    assert recognise(tmp_path / "sent-log.csv") == "sent-log"
    with (tmp_path / "sent-log.csv").open(encoding="utf-8-sig") as stream:
        assert stream.readline().rstrip("\r\n").split(",") == SENT_LOG_COLUMNS
    assert SentLog(tmp_path).state(letters[0], "") == "sending"
    assert letters[0].key() == f"invite:{letters[0].council.code}:{letters[0].attachment.sha256}"  # type: ignore[union-attr]
