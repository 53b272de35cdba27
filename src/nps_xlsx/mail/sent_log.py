"""The sent log: a CSV file in the outbox, one line per attempt to send a message, appended and flushed to disk
before and after each one, so that a run interrupted half-way can be run again without sending anyone a message
twice.

Each message is keyed by its kind, council and the file it is about (:meth:`Letter.key`). A line ``sending`` is
written before the message goes, and ``sent``, ``refused`` or ``failed`` once the server has answered. On the next
run a message whose last line is ``sent`` is not sent again; one left at ``sending`` (the run was killed while the
server had it) may have gone, so it is not sent again either, and is reported as ``uncertain``; a ``refused`` or
``failed`` one is tried again.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from ..columns import SENT_LOG_COLUMNS
from ..csv_table import Column, neutralise, read_table, unneutralise
from ..errors import MailError
from ..read.own_outputs import recognise
from ..text import display_path
from .addresses import shown
from .letters import Letter

SENT_LOG = "sent-log.csv"
_KEY, _STATUS = Column("key", "the message's key"), Column("status", "what became of the message")


class SentLog:
    """The outbox's sent log: what each key's last line says, and appending to it."""

    def __init__(self, outbox: Path) -> None:
        self.path = outbox / SENT_LOG
        self.last: dict[str, str] = self._read()
        self._stream: TextIO | None = None

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        shown_path = display_path(self.path)
        if recognise(self.path) != "sent-log":
            raise MailError(f"{shown_path}: is not a sent log nps-xlsx wrote; move it, or choose another --outbox")
        table = read_table(self.path, shown_path, "sent log", (_KEY, _STATUS), MailError)
        key_at, status_at = table.at["key"], table.at["status"]
        return {
            unneutralise(row[key_at].strip()): row[status_at].strip()
            for _line, row in table.rows
            if len(row) > max(key_at, status_at)
        }

    def state(self, letter: Letter, mailing: str) -> str | None:
        """The last status logged for the letter (``sent``, ``sending``, ``refused``, ``failed``), or ``None``."""
        return self.last.get(letter.key(mailing))

    def record(self, letter: Letter, mailing: str, status: str, detail: str = "") -> None:
        """Append a line for ``letter`` and flush it to disk."""
        if self._stream is None:
            self._stream = self._open()
        attached = letter.attachment.name if letter.attachment else ""
        time = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        row = [letter.key(mailing), letter.kind, letter.council.code, letter.council.name, shown(letter.recipients())]
        csv.writer(self._stream, lineterminator="\r\n").writerow(
            [neutralise(v) for v in [*row, letter.subject, attached, status, detail, time]]
        )
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self.last[letter.key(mailing)] = status

    def _open(self) -> TextIO:
        new = not self.path.exists()
        ends_open = not new and _ends_without_newline(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            stream = self.path.open("a", encoding="utf-8", newline="")
        except OSError as exc:
            raise MailError(f"{display_path(self.path)}: cannot write the sent log: {exc.strerror or exc}") from exc
        if new:
            stream.write("\ufeff")  # as every CSV of ours: Excel then reads it as UTF-8
            csv.writer(stream, lineterminator="\r\n").writerow(SENT_LOG_COLUMNS)
        elif ends_open:  # a file edited by hand, without a line break after its last line
            stream.write("\r\n")
        return stream

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def _ends_without_newline(path: Path) -> bool:
    with path.open("rb") as stream:
        stream.seek(0, os.SEEK_END)
        if stream.tell() == 0:
            return False
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) not in (b"\n", b"\r")
