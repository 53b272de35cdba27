"""``--send``: the same messages over SMTP, to a real server (aiosmtpd) started here on 127.0.0.1, and what it
received: envelope, headers, attachment bytes, non-ASCII names; the sent log that makes a stopped run resumable; a
recipient the server refuses; STARTTLS, implicit TLS and a login."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from nps_xlsx.cli import mail as mail_group
from nps_xlsx.councils import Council, load_councils, workbook_filename
from nps_xlsx.mail.invite import invitations
from nps_xlsx.mail.sent_log import SENT_LOG, SentLog
from nps_xlsx.mail.smtp import Pace
from nps_xlsx.mail.wording import INVITE, run_values
from nps_xlsx.rubric import Rubric

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

COUNCILS = [DACORUM, YNYS_MON, WATFORD, HERTSMERE, BROXBOURNE]
SENDER = "NPS team <nps@hub.example>"
DEADLINE = "31 January 2026"


class Recorder:
    """An SMTP handler that keeps what it receives; it refuses the addresses in ``refuse`` (550) and, once it has
    taken ``stop_after`` messages, answers 421 (shutting down) to the next one."""

    def __init__(self, refuse: tuple[str, ...] = (), stop_after: int | None = None) -> None:
        self.refuse, self.stop_after = set(refuse), stop_after
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stop_after is not None and len(self.received) >= self.stop_after:
            return "421 4.3.2 Service shutting down"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for _sender, recipients, data in self.received:
            for recipient in recipients:
                assert recipient not in found, f"{recipient} received two messages"
                found[recipient] = data
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(handler: Recorder, **options: Any) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 for the length of the block; its port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    root = tmp_path_factory.mktemp("smtp")
    councils = write_councils(root / "councils.csv", {c: address(c) for c in COUNCILS})
    workbooks = write_workbooks(root / "workbooks", rubric, COUNCILS)
    return {"root": root, "councils": councils, "workbooks": workbooks}


def send(setting: dict, outbox: Path, port: int, *extra: str, env: dict[str, str] | None = None, stdin: str = ""):
    args = ["--councils", str(setting["councils"]), "--workbooks", str(setting["root"] / "workbooks")]
    args += ["--outbox", str(outbox), "--deadline", DEADLINE, "--from", SENDER, "--send"]
    args += ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--rate", "6000"]
    return run("invite", *args, *extra, env=env, stdin=stdin)


PLAIN = ("--smtp-security", "none")


def test_the_server_receives_each_message_as_drafted(setting: dict, tmp_path: Path, rubric: Rubric) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = send(setting, tmp_path / "outbox", port, *PLAIN)
    assert result.exit_code == 0, result.output
    assert all(envelope_from == "nps@hub.example" for envelope_from, _to, _data in recorder.received)
    received = recorder.by_recipient()
    assert set(received) == {address(c) for c in COUNCILS}
    for council in COUNCILS:
        data = received[address(council)]
        message = parse(data)
        assert message["Subject"] == f"{rubric.short_title}: the workbook for {council.name}"
        assert message["To"].addresses[0].display_name == council.name
        assert message["From"] == SENDER and message["X-Nps-Xlsx"] == "invite"
        assert message["X-Unsent"] is None and message["Date"] and message["Message-ID"].endswith("@hub.example>")
        assert f"by {DEADLINE}." in body(message)
        assert attachments(message) == {workbook_filename(council): setting["workbooks"][council]}
    raw = header_block(received[address(YNYS_MON)])
    assert raw.isascii() and b"=?utf-8?" in raw  # RFC 2047 on the wire, decoded back above
    assert "Sent 5 invitations through 127.0.0.1:" in result.output
    assert f"Sent to {address(DACORUM)} ({DACORUM.name})" in result.output
    assert {r["status"] for r in report_rows(tmp_path / "outbox" / "invite-report.csv")} == {"sent"}
    log = report_rows(tmp_path / "outbox" / SENT_LOG)
    assert [r["status"] for r in log] == ["sending", "sent"] * 5
    assert not list((tmp_path / "outbox").glob("*.eml"))  # sent instead of drafted


def test_a_run_stopped_half_way_resumes_without_sending_anyone_twice(setting: dict, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    first = Recorder(stop_after=2)  # takes two, answers 421 to the third and closes
    with smtp_server(first) as port:
        stopped = send(setting, outbox, port, *PLAIN)
    assert stopped.exit_code == 1
    assert len(first.received) == 2 and "Stopped: 127.0.0.1:" in stopped.output
    statuses = [r["status"] for r in report_rows(outbox / "invite-report.csv")]
    assert statuses == ["sent", "sent", "failed", "not-sent", "not-sent"]
    second = Recorder()
    with smtp_server(second) as port:
        resumed = send(setting, outbox, port, *PLAIN)
        again = send(setting, outbox, port, *PLAIN)
    assert resumed.exit_code == 0, resumed.output
    assert len(second.received) == 3  # the third run sent nothing
    both = {**first.by_recipient(), **second.by_recipient()}
    assert len(both) == len(first.received) + len(second.received) == len(COUNCILS)  # each council exactly once
    assert "Sent 3 invitations" in resumed.output and "2 already sent by an earlier run" in resumed.output
    assert "Sent 0 invitations" in again.output and "5 already sent by an earlier run" in again.output
    # a new mailing name sends again, on purpose
    with smtp_server(third := Recorder()) as port:
        anew = send(setting, outbox, port, *PLAIN, "--mailing", "second reminder")
    assert anew.exit_code == 0 and len(third.received) == len(COUNCILS)


def test_a_message_the_server_may_have_taken_is_not_sent_again(setting: dict, tmp_path: Path, rubric: Rubric) -> None:
    """A run killed while the server had a message leaves it at 'sending': uncertain, never sent twice."""
    outbox = tmp_path / "outbox"
    councils = load_councils(setting["councils"])
    shared = run_values(rubric, DEADLINE, SENDER)
    letters, _left_out = invitations(councils, setting["root"] / "workbooks", INVITE, shared)
    log = SentLog(outbox)
    log.record(letters[1], "", "sending")  # as a run killed there leaves it
    log.close()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = send(setting, outbox, port, *PLAIN)
    assert result.exit_code == 1
    assert set(recorder.by_recipient()) == {address(c) for c in COUNCILS} - {address(YNYS_MON)}
    rows = {r["council_code"]: r for r in report_rows(outbox / "invite-report.csv")}
    assert rows[YNYS_MON.code]["status"] == "uncertain"
    assert "check the Sent folder" in rows[YNYS_MON.code]["detail"]
    assert "1 perhaps sent by an interrupted run" in result.output


def test_a_refused_recipient_is_reported_and_the_run_goes_on(setting: dict, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    recorder = Recorder(refuse=(address(WATFORD),))
    with smtp_server(recorder) as port:
        result = send(setting, outbox, port, *PLAIN)
    assert result.exit_code == 1
    assert set(recorder.by_recipient()) == {address(c) for c in COUNCILS} - {address(WATFORD)}
    rows = {r["council_code"]: r for r in report_rows(outbox / "invite-report.csv")}
    assert rows[WATFORD.code]["status"] == "refused"
    assert rows[WATFORD.code]["detail"] == f"{address(WATFORD)}: 550 5.1.1 No such user here"
    assert f"Refused by the server: {address(WATFORD)} ({WATFORD.name})" in result.output
    assert "Sent 4 invitations" in result.output and "1 refused" in result.output
    # refused is not sent: once the address is put right, the next run sends it, and only it
    with smtp_server(fixed := Recorder()) as port:
        retried = send(setting, outbox, port, *PLAIN)
    assert retried.exit_code == 0 and list(fixed.by_recipient()) == [address(WATFORD)]


def test_one_of_two_recipients_refused(rubric: Rubric, tmp_path: Path) -> None:
    council = Council("E1", "Two Addresses Council")
    councils = write_councils(tmp_path / "councils.csv", {council: "a@two.example; b@two.example"})
    write_workbooks(tmp_path / "workbooks", rubric, [council])
    setting = {"root": tmp_path, "councils": councils}
    recorder = Recorder(refuse=("b@two.example",))
    with smtp_server(recorder) as port:
        result = send(setting, tmp_path / "outbox", port, *PLAIN)
    assert result.exit_code == 1  # the coordinator must look at the refused address
    assert list(recorder.by_recipient()) == ["a@two.example"]
    [row] = report_rows(tmp_path / "outbox" / "invite-report.csv")
    assert (row["status"], row["detail"]) == ("sent", "refused: b@two.example: 550 5.1.1 No such user here")
    assert "1 sent with a recipient refused" in result.output


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (folder / "key.pem").write_bytes(pem)
    return folder / "cert.pem", folder / "key.pem"


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def checker(user: str, password: str) -> Any:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

    return authenticator


def test_starttls_and_a_login_with_the_password_from_the_environment(
    setting: dict, tmp_path: Path, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test's own certificate
    recorder = Recorder()
    options = {"tls_context": server_context(certificate), "require_starttls": True, "auth_required": True}
    with smtp_server(recorder, authenticator=checker("hub", "s3cret"), **options) as port:
        env = {"NPS_SMTP_USER": "hub", "NPS_SMTP_PASSWORD": "s3cret"}
        result = send(setting, tmp_path / "outbox", port, env=env)
        wrong = send(setting, tmp_path / "wrong", port, env={**env, "NPS_SMTP_PASSWORD": "nope"})
        asked = send(setting, tmp_path / "asked", port, "--smtp-user", "hub", stdin="s3cret\n")
    assert result.exit_code == 0, result.output
    assert wrong.exit_code == 1 and "the server refused the login of hub: 535" in wrong.output
    assert asked.exit_code == 0, asked.output
    assert len(recorder.received) == 2 * len(COUNCILS)


def test_implicit_tls(setting: dict, tmp_path: Path, certificate: tuple[Path, Path], monkeypatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    recorder = Recorder()
    with smtp_server(recorder, ssl_context=server_context(certificate)) as port:
        result = send(setting, tmp_path / "outbox", port, "--smtp-security", "tls")
    assert result.exit_code == 0, result.output
    assert len(recorder.received) == len(COUNCILS)
    # a certificate the system does not trust is refused, and nothing is sent
    monkeypatch.delenv("SSL_CERT_FILE")
    with smtp_server(Recorder(), ssl_context=server_context(certificate)) as port:
        untrusted = send(setting, tmp_path / "untrusted", port, "--smtp-security", "tls")
    assert untrusted.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.output


def test_the_dry_run_is_the_default_and_sends_nothing(setting: dict, tmp_path: Path) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        args = ["--councils", str(setting["councils"]), "--workbooks", str(setting["root"] / "workbooks")]
        args += ["--outbox", str(tmp_path), "--deadline", DEADLINE, "--contact", "Jo", "--smtp-host", "127.0.0.1"]
        result = run("invite", *args, "--smtp-port", str(port), *PLAIN)
        dry = run("invite", *args, "--smtp-port", str(port), *PLAIN, "--dry-run")
    assert result.exit_code == dry.exit_code == 0 and recorder.received == []
    assert result.output.count("Would send to ") == len(COUNCILS) and "nothing was sent" in result.output


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (["--send", "--from", SENDER], "--send needs --smtp-host"),
        (["--send", "--smtp-host", "mail.example"], "--send needs --from"),
        (["--from", "nps at hub"], "Invalid value for '--from': 'nps at hub' is not an email address"),
        (
            ["--send", "--from", SENDER, "--smtp-host", "mail.example", "--smtp-security", "none", "--smtp-user", "u"],
            "would send the password to mail.example in clear text",
        ),
    ],
)
def test_usage_errors(setting: dict, tmp_path: Path, extra: list[str], error: str) -> None:
    args = ["--councils", str(setting["councils"]), "--workbooks", str(setting["root"] / "workbooks")]
    result = run("invite", *args, "--outbox", str(tmp_path), "--deadline", DEADLINE, *extra)
    assert result.exit_code == 2 and error in result.output


def test_no_option_takes_a_password() -> None:
    for command in mail_group.commands.values():
        names = {name for param in command.params for name in getattr(param, "opts", [])}
        assert not {n for n in names if "pass" in n}, command.name


def test_the_pace_spaces_messages_out() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pace = Pace(30, clock=lambda: now[0], sleep=sleep)
    pace.wait()  # the first goes at once
    now[0] += 0.5  # building a message takes half a second
    pace.wait()
    pace.wait()
    now[0] += 10  # a slow message: no wait after it
    pace.wait()
    assert slept == [1.5, 2.0]
