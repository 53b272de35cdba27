"""Shared by the mail tests: a council list with addresses, personalised workbooks, and reading messages back."""

from __future__ import annotations

import csv
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from click.testing import CliRunner, Result

from nps_xlsx.cli import main
from nps_xlsx.councils import Council, workbook_filename
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions
from nps_xlsx.template.personalise import Personaliser

from .conftest import FIXED_TIME
from .test_chase import BROXBOURNE, DACORUM, HERTSMERE, NORTH_HERTS, ST_ALBANS, THREE_RIVERS, WATFORD

__all__ = ["BROXBOURNE", "DACORUM", "HERTSMERE", "NORTH_HERTS", "ST_ALBANS", "THREE_RIVERS", "WATFORD"]
YNYS_MON = Council("W06000001", "Cyngor Sir Ynys Môn – Isle of Anglesey")  # non-ASCII, in headers


def address(council: Council) -> str:
    return f"procurement@{council.code.lower()}.example"


def write_councils(path: Path, emails: dict[Council, str], region: str = "East of England") -> Path:
    """A council list with ``region`` and ``email`` columns, the councils in the order given."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "region", "email"])
        writer.writerows([c.code, c.name, region, email] for c, email in emails.items())
    return path


def write_workbooks(folder: Path, rubric: Rubric, councils: list[Council]) -> dict[Council, bytes]:
    """Each council's personalised workbook, as generate names it; the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = Personaliser(rubric, BuildOptions(FIXED_TIME))
    written = {}
    for council in councils:
        written[council] = copies.build(council)
        (folder / workbook_filename(council)).write_bytes(written[council])
    return written


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["mail", *args], catch_exceptions=False, env=env, input=stdin)


def parse(data: bytes) -> EmailMessage:
    """A message read back by the standard library."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """The message's attachments: file name -> bytes."""
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[part.get_filename() or ""] = payload
    return found


def body(message: EmailMessage) -> str:
    """The plain-text body, its line breaks as LF (on the wire, and so in an ``.eml``, they are CRLF)."""
    part = message.get_body(("plain",))
    assert part is not None
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def header_block(data: bytes) -> bytes:
    """The raw headers of a message, as written (before the first blank line)."""
    return data.split(b"\r\n\r\n", 1)[0]


def report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))
