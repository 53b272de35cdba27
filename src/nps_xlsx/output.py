"""Writing output files atomically, and only where that destroys nothing.

The rule, for every output of every command: a path where nothing is may be written; a path holding an output
of ours of the same kind (recognised by :mod:`nps_xlsx.read.own_outputs`) is replaced; anything else is refused
unless ``force``. Nothing ever writes over an input of the run, or over a workbook that holds a council's
answers, even with ``force``. Files are created with the mode ``0o666`` less the umask, like any program's.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import OutputError
from .read.files import TEMP_PREFIX, TEMP_SUFFIX
from .read.own_outputs import DESCRIPTIONS, OutputKind, describe, recognise

if TYPE_CHECKING:
    from .rubric import Rubric
    from .validate.response import Response

INPUT_REASON = "refusing to overwrite an input file"

# Issue codes of a workbook that carries our identity but could not be read against this rubric, or could not
# be read at all: it may hold a council's answers.
_UNREADABLE_RETURN = frozenset({"wrong-rubric", "wrong-rubric-version", "rubric-fingerprint-mismatch", "encrypted"})


class OutputRefused(OutputError):
    """An output was not written, to keep what is at its path; ``reason`` says why, in words."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(path, reason)  # both in args, so the error pickles (the sidecar sends it back)
        self.path, self.reason = Path(path), reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Guard:
    """What an output may be written over.

    ``protected`` are the run's input files; ``force`` allows replacing a file that is not an output of ours
    of the same kind; ``rubric`` reads a workbook at the path for answers (default: the bundled rubric).
    """

    protected: tuple[Path, ...] = ()
    force: bool = False
    rubric: Rubric | None = None


NO_GUARD = Guard()  # no inputs to protect, no --force, the bundled rubric


def refusal(path: Path, kind: OutputKind, guard: Guard) -> str | None:
    """Why writing ``kind`` to ``path`` would destroy something, or ``None`` if it may be written."""
    target = os.path.realpath(path)  # never raises, even for a link that loops
    if not os.path.lexists(target):
        return None  # nothing there: no input either (an input that exists is where it resolves to)
    for other in guard.protected:
        if os.path.exists(other) and os.path.realpath(other) == target:
            return INPUT_REASON
    found = recognise(Path(target))
    if found not in (None, "template", "personalised"):  # a summary or a CSV of ours holds no answers
        return None if found == kind or guard.force else _other_kind(found, kind)
    answers = answers_at(Path(target), guard.rubric or _bundled_rubric())
    if answers:
        return f"{answers}; nothing ever writes over a return, even with --force: move it elsewhere first"
    if found == kind or guard.force:
        return None
    return _other_kind(found, kind)


def _other_kind(found: str | None, kind: str) -> str:
    what = describe(found) if found else "not a file nps-xlsx wrote"
    return f"it is {what}, not {DESCRIPTIONS[kind]}; choose another path, or add --force to replace it"


@cache
def _bundled_rubric() -> Rubric:
    from .rubric import load_rubric

    return load_rubric()


def write_atomic(path: Path, data: bytes, kind: OutputKind, guard: Guard = NO_GUARD) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename, so no half-written file is ever seen.

    The temporary file, in the same folder, is named ``.~nps-xlsx-<name>.<random>.part``; if a run is
    killed and leaves one behind, discovery recognises it and skips it. Raises :class:`OutputRefused` if
    ``path`` holds something the rule keeps (see the module's docstring and :func:`refusal`).
    """
    write_atomic_with(path, lambda temp: temp.write_bytes(data), kind, guard)


def write_atomic_with(path: Path, write: Callable[[Path], object], kind: OutputKind, guard: Guard = NO_GUARD) -> None:
    """Like :func:`write_atomic`, for a writer that needs a file path: ``write(temp_path)`` fills the file."""
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    reason = refusal(path, kind, guard)
    if reason:
        raise OutputRefused(path, reason)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here: {exc.strerror or exc}") from exc
    try:
        write(Path(temp_name))
        os.chmod(temp_name, 0o666 & ~umask())  # mkstemp makes it private (0600); outputs are shared files
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


@cache
def umask() -> int:
    """The process's umask, read once: from ``/proc`` where there is one, else by setting it and back."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
        match = re.search(r"^Umask:\s*([0-7]+)\s*$", status, re.MULTILINE)
        if match:
            return int(match[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # the only portable way to read it; restored at once
    os.umask(mask)
    return mask


def collisions(outputs: Iterable[tuple[str, Path | None]]) -> list[tuple[str, str, Path]]:
    """``(first, second, path)`` for each two ``(label, path)`` outputs that name the same file (paths compared
    resolved, and case-folded where the system folds case); outputs without a path are left out."""
    seen: dict[str, str] = {}
    pairs = []
    for label, path in outputs:
        if path is None:
            continue
        key = os.path.normcase(os.path.realpath(path))
        if key in seen:
            pairs.append((seen[key], label, path))
        else:
            seen[key] = label
    return pairs


def build_time(now: datetime | None = None) -> datetime:
    """The build timestamp: ``SOURCE_DATE_EPOCH`` if set, else the start of today (UTC).

    Using the day, not the second, keeps repeated runs byte-identical.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def holds_answers(response: Response) -> bool:
    """Whether a return holds anything a person typed.

    A score, "Unscored" or anything else in a score cell; a comment; a priority, support wanted or target level
    (text in those cells that is not one of their choices is typed too: :func:`answers_at` finds it in the
    issues); a respondent's name, role, email or completion date; or a council name other than the one the copy
    was issued with. A copy pre-filled with an earlier round's answers holds them as issued: only a change to one of
    them is typed.
    """
    if response.prefill is not None:
        if not response.prefill.all_unchanged:
            return True
    elif any(
        answer.status != "blank" or answer.comment or answer.priority or answer.support for answer in response.answers
    ) or any(target.level is not None for target in response.targets):
        return True
    typed = (response.respondent_name, response.respondent_role, response.respondent_email, response.completion_date)
    issued = response.identity.get("council_name") or None
    return any(typed) or (response.council_name or None) != issued


# Text typed in a target or a priority / support cell that is not one of its choices: read as no answer, but typed.
_TYPED_UNUSABLE = frozenset({"target-invalid", "choice-invalid"})


def answers_at(path: Path, rubric: Rubric) -> str | None:
    """What makes the file at ``path`` a return that must be kept, or ``None``: it holds answers, or it is a
    workbook of ours that cannot be read for answers (another rubric or version, or encrypted)."""
    from .validate.check import read_return

    report = read_return(path, rubric)
    if report.response is not None:
        typed = holds_answers(report.response) or any(issue.code in _TYPED_UNUSABLE for issue in report.issues)
        return "it holds a council's answers" if typed else None
    if any(issue.code in _UNREADABLE_RETURN for issue in report.issues):
        return "it may hold a council's answers (it cannot be read: another rubric or version, or encrypted)"
    return None
