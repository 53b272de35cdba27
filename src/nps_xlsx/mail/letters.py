"""One message to one council, and its MIME form (the standard library's ``email``, policy ``default``).

Headers are encoded as RFC 2047 says and attachment file names as RFC 2231 says, so a council called
``Cyngor Sir Ynys Môn`` and a file called ``Ynys Môn.xlsx`` arrive as written. The body is plain text, UTF-8,
quoted-printable (seven-bit safe for any server). A draft carries ``X-Unsent: 1``, so that Outlook, Thunderbird and
Apple Mail open it as a message to edit and send; every message carries ``X-Nps-Xlsx`` (its kind), so that our own
messages are known among saved ones.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from typing import Literal

from ..councils import Council

Kind = Literal["invite", "chase", "reply"]
KIND_HEADER = "X-Nps-Xlsx"  # the kind of message: invite, chase or reply
KIND_NOUNS: dict[str, str] = {"invite": "invitation", "chase": "reminder", "reply": "reply"}
# How a message is written out (a draft, or sent): CRLF, headers folded only past RFC 5322's limit of 998 characters.
# Folded at 78, the standard library loses the space between two encoded words ("Ynys Môn – Anglesey" comes back as
# "Ynys Môn– Anglesey") and starts a subject folded at its first word with a space (CPython 3.10 to 3.13).
POLICY = SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message: its name as the council sees it, and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def mime_type(self) -> tuple[str, str]:
        """The MIME type its name suggests (a workbook's), else ``application/octet-stream``."""
        guessed, _encoding = mimetypes.guess_type(self.name, strict=False)
        main, _slash, sub = (guessed or "application/octet-stream").partition("/")
        return main, sub


@dataclass(frozen=True)
class Letter:
    """One message to one council: whom to, what it says and what is attached.

    ``about`` is the SHA-256 of the file the message is about (the workbook attached, or the return a reply
    answers): with the kind and the council it keys the message in the sent log.
    """

    kind: Kind
    council: Council
    to: tuple[str, ...]
    subject: str
    body: str
    attachment: Attachment | None
    about: str
    draft: str  # the draft's file name in the outbox
    cc: tuple[str, ...] = ()
    in_reply_to: str | None = None
    returned: str = ""  # for a reply: the returned file, as the ledger names it

    def key(self, mailing: str = "") -> str:
        """The message's key in the sent log: ``invite:E07000096:<sha256>``, then ``:mailing`` if one is named."""
        return f"{self.kind}:{self.council.code}:{self.about}" + (f":{mailing}" if mailing else "")

    def recipients(self) -> tuple[str, ...]:
        return (*self.to, *self.cc)


@dataclass(frozen=True)
class LeftOut:
    """A council (or a returned file) that gets no message, and why: never skipped silently.

    ``needed``: it should have had one (no address, no workbook, its file not found); else no message is needed
    (a reply to a council whose return is used, say).
    """

    kind: Kind
    council: Council | None
    reason: str
    returned: str = ""  # for a reply: the returned file, as the ledger names it
    needed: bool = True


def sort_out(made: Iterable[Letter | LeftOut]) -> tuple[list[Letter], list[LeftOut]]:
    """The letters, and the councils left out, each in order."""
    letters: list[Letter] = []
    left_out: list[LeftOut] = []
    for item in made:
        if isinstance(item, Letter):
            letters.append(item)
        else:
            left_out.append(item)
    return letters, left_out


def to_message(letter: Letter, sender: str | None, draft: bool) -> EmailMessage:
    """The letter as a MIME message: a draft (``X-Unsent: 1``, no date) or one to send now (dated, with an id).

    The body and the attachment are encoded at 76 characters a line, as quoted-printable and base64 require; the
    message is then written out with :data:`POLICY`.
    """
    message = EmailMessage(policy=SMTP)
    if sender:
        message["From"] = sender
    message["To"] = [Address(letter.council.name, addr_spec=a) for a in letter.to]
    if letter.cc:
        message["Cc"] = [Address(addr_spec=a) for a in letter.cc]
    message["Subject"] = letter.subject
    if letter.in_reply_to:
        message["In-Reply-To"] = message["References"] = letter.in_reply_to
    if draft:
        message["X-Unsent"] = "1"
    else:
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] if sender else None)
    message[KIND_HEADER] = letter.kind
    message.set_content(letter.body, cte="quoted-printable")
    if letter.attachment:
        main, sub = letter.attachment.mime_type()
        message.add_attachment(letter.attachment.data, maintype=main, subtype=sub, filename=letter.attachment.name)
    message.policy = POLICY
    return message
