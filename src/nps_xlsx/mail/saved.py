"""Returns that came in saved emails, found again for a reply: the workbook attached to a message of an ``.eml``,
``.mbox`` or ``.msg`` file, as the ledger names it (``message_file``, ``message_index``, ``attachment``).

The message file is looked for at the ledger's path, else under ``--returns`` by its path or its name; it is read
with the reader ``collect`` used (:func:`~nps_xlsx.read.emails.read_messages`), once however many of its returns
are answered. The attachment must have the ledger's SHA-256 (where it gives one): it is found at the message and
name the ledger gives, else anywhere in the file by its SHA-256 (a mailbox exported again, in another order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from ..read.emails import read_messages
from ..read.messages import MessageFacts
from ..read.safety import Limits
from ..text import display_path
from ..validate.mail import sent_time


@dataclass(frozen=True)
class InMessage:
    """Where the ledger says a return came in: the saved email, the message's number in a mailbox (``None`` in an
    ``.eml`` or ``.msg`` file), the attachment's name, and the attachment's SHA-256 (``""`` if not given)."""

    file: str
    index: int | None
    attachment: str
    sha256: str = ""


@dataclass(frozen=True)
class Saved:
    """The workbook found again: its message (``attachment`` naming it), its bytes, and the message's time."""

    facts: MessageFacts
    data: bytes
    sent: float | None

    @property
    def name(self) -> str:
        return self.facts.attachment or "attachment"

    def described(self) -> str:
        """The file as the sender knows it: ``return.xlsx, attached to your email of 2026-11-21, 'Our return'``."""
        of = f" of {self.facts.date:%Y-%m-%d}" if self.facts.date else ""
        subject = f", '{self.facts.subject}'" if self.facts.subject else ""
        return f"{self.name}, attached to your email{of}{subject}"


def find_saved(wanted: Mapping[int, InMessage], returns: Path | None, limits: Limits) -> dict[int, Saved | str]:
    """For each key of ``wanted`` (a ledger line), the workbook found again, or why it is not."""
    found: dict[int, Saved | str] = {}
    by_file: dict[Path, dict[int, InMessage]] = {}
    for key, where in wanted.items():
        path = _message_file(where.file, returns)
        if path is None:
            hint = "" if returns else "; give --returns, the folder that holds the returns"
            found[key] = f"the saved email {where.file} is not found{hint}"
        else:
            by_file.setdefault(path, {})[key] = where
    for path, sought in by_file.items():
        found.update(_read(path, sought, limits))
    return found


def _message_file(name: str, returns: Path | None) -> Path | None:
    """The saved email the ledger names: at its path, else under ``returns`` by that path, by its name, or found
    by its name in a folder under ``returns``."""
    candidates = [Path(name), *((returns / name, returns / PurePath(name).name) if returns else ())]
    found = next((path for path in candidates if path.is_file()), None)
    if found is None and returns is not None:
        found = next((path for path in sorted(returns.rglob(PurePath(name).name)) if path.is_file()), None)
    return found


def _read(path: Path, sought: Mapping[int, InMessage], limits: Limits) -> dict[int, Saved | str]:
    """Each sought attachment of the message file at ``path``, read once; why not, for one not found."""
    found: dict[int, Saved | str] = {}
    changed: set[int] = set()
    try:
        for letter in read_messages(path, display_path(path), limits):
            for attachment in letter.workbooks:
                digest = hashlib.sha256(attachment.data).hexdigest()
                saved = Saved(replace(letter.facts, attachment=attachment.name), attachment.data, sent_time(letter))
                for key, where in sought.items():
                    if (letter.facts.index, attachment.name) == (where.index, where.attachment):
                        if where.sha256 in ("", digest):
                            found[key] = saved  # the very message and name: preferred to a copy elsewhere
                        else:
                            changed.add(key)
                    elif where.sha256 == digest:
                        found.setdefault(key, saved)
    except Exception as exc:  # last resort, as read_returns': a fault of ours, never the sender's
        return {key: f"nps-xlsx failed while reading the saved email (internal error {type(exc).__name__})"
                for key in sought}  # fmt: skip
    for key, where in sought.items():
        if key not in found:
            found[key] = _not_found(where, key in changed)
    return found


def _not_found(where: InMessage, changed: bool) -> str:
    message = f"message {where.index} of the saved email" if where.index is not None else "the saved email"
    if changed:
        return f"the attachment {where.attachment!r} of {message} has changed since the ledger was written"
    how = " with the SHA-256 the ledger gives" if where.sha256 else ""
    return f"{message} holds no attachment {where.attachment!r}{how}"
