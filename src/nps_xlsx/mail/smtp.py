"""Sending over SMTP: the connection (STARTTLS, implicit TLS, or none for a server on this machine), a rate limit,
and what the server says about each message, written to the sent log as it happens.

A recipient the server refuses is logged and reported and the run goes on with the others; a message the server
does not take (a ``5xx`` or ``4xx`` after the message) likewise. A lost connection, or a sender the server refuses,
stops the run: the messages not yet sent are reported, and running the same command again sends them (the sent log
knows which went).
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal

from ..errors import MailError
from .letters import Letter, to_message
from .sent_log import SentLog

Security = Literal["starttls", "tls", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")
DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Server:
    """An SMTP server and how to log in to it (``user`` ``None``: no login)."""

    host: str
    port: int | None = None
    security: Security = "starttls"
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"

    def problem(self) -> str | None:
        """Why these settings must not be used: a login in clear text to another machine."""
        if self.security == "none" and self.user and self.host.casefold() not in LOCAL_HOSTS:
            return (
                f"--smtp-security none would send the password to {self.host} in clear text; use starttls or tls "
                "(none is for a server on this machine, localhost)"
            )
        return None


@contextmanager
def connect(server: Server) -> Iterator[smtplib.SMTP]:
    """An open, logged-in connection, closed (``QUIT``) at the end; a server that cannot be reached or used is a
    :class:`MailError`."""
    with _open(server) as smtp:
        yield smtp


def _open(server: Server) -> smtplib.SMTP:
    port = server.port or DEFAULT_PORTS[server.security]
    smtp: smtplib.SMTP | None = None
    try:
        if server.security == "tls":
            smtp = smtplib.SMTP_SSL(server.host, port, timeout=server.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server.host, port, timeout=server.timeout)
        if server.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if server.user:
            smtp.login(server.user, server.password or "")
        return smtp
    except BaseException as exc:
        if smtp is not None:
            smtp.close()
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            raise MailError(f"{server.where}: the server refused the login of {server.user}: {_said(exc)}") from exc
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            raise MailError(f"{server.where}: {exc}; check --smtp-security") from exc
        if isinstance(exc, (OSError, smtplib.SMTPException)):  # ssl.SSLError and socket errors are OSErrors
            raise MailError(f"{server.where}: cannot use the SMTP server: {exc}") from exc
        raise


class Pace:
    """At most ``per_minute`` messages a minute: :meth:`wait` before each one."""

    def __init__(
        self,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute
        self.clock, self.sleep = clock, sleep
        self.next: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.next is not None and self.next > now:
            self.sleep(self.next - now)
            now = self.next
        self.next = now + self.interval


@dataclass(frozen=True)
class Sent:
    """What the server said about one letter: ``sent``, ``refused`` (every recipient) or ``failed``; ``refused``
    lists the recipients it refused (also of a message sent to the others)."""

    status: str
    detail: str = ""
    refused: tuple[str, ...] = ()


def send_letter(smtp: smtplib.SMTP, letter: Letter, sender: str) -> Sent:
    """Send one letter; errors about this message are returned, a lost connection is raised."""
    envelope_from = parseaddr(sender)[1]
    try:
        refused = smtp.send_message(to_message(letter, sender, draft=False), envelope_from, list(letter.recipients()))
    except smtplib.SMTPRecipientsRefused as exc:
        return Sent("refused", _refusals(exc.recipients), tuple(exc.recipients))
    except smtplib.SMTPDataError as exc:
        return Sent("failed", f"the server did not take the message: {_said(exc)}")
    if refused:
        return Sent("sent", "refused: " + _refusals(refused), tuple(refused))
    return Sent("sent")


def send_all(
    letters: list[Letter],
    server: Server,
    sender: str,
    log: SentLog,
    mailing: str,
    pace: Pace,
    told: Callable[[Letter, Sent], None],
) -> None:
    """Send each letter the log does not know as sent, at the pace, logging before and after; ``told`` hears of each.

    Raises :class:`MailError` when the run cannot go on (a lost connection, a sender refused): the letter then in
    hand is logged ``failed``, and the rest are not tried.
    """
    with connect(server) as smtp:
        for letter in letters:
            pace.wait()
            log.record(letter, mailing, "sending")
            try:
                outcome = send_letter(smtp, letter, sender)
            except smtplib.SMTPSenderRefused as exc:
                log.record(letter, mailing, "failed", f"the server refused the sender {sender}: {_said(exc)}")
                raise MailError(f"{server.where}: the server refused the sender {sender}: {_said(exc)}") from exc
            except (OSError, smtplib.SMTPException) as exc:
                log.record(letter, mailing, "failed", f"the connection failed: {exc}")
                raise MailError(f"{server.where}: the connection failed while sending: {exc}") from exc
            log.record(letter, mailing, outcome.status, outcome.detail)
            told(letter, outcome)


def _said(exc: smtplib.SMTPResponseException) -> str:
    """What the server answered: ``550 No such user``."""
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}"


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    """``a@x.gov.uk: 550 No such user; …``."""
    return "; ".join(
        f"{address}: {code} {' '.join(text.decode('utf-8', 'replace').split())}"
        for address, (code, text) in refused.items()
    )
