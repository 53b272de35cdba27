"""Invitations: one message per council of the list, to its ``email`` column, its personalised workbook attached
(the file ``generate --councils … --out-dir`` wrote, :func:`nps_xlsx.councils.workbook_filename`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..councils import Council, workbook_filename
from ..text import display_path
from .addresses import council_addresses
from .letters import Attachment, Kind, LeftOut, Letter, sort_out
from .wording import Wording, fill

OWN = ("workbook",)  # the placeholder an invitation adds: the attached workbook's file name


def draft_name(council: Council, kind: Kind, suffix: str = "") -> str:
    """``E07000096-dacorum-borough-council-invite.eml``: the council's workbook name, the kind and ``suffix``."""
    return workbook_filename(council).removesuffix(".xlsx") + f"-{kind}{suffix}.eml"


def with_workbook(
    kind: Kind,
    council: Council,
    workbooks: Path,
    wording: Wording,
    shared: Mapping[str, str | None],
    own: Mapping[str, str],
) -> Letter | LeftOut:
    """The letter to ``council`` with its personalised workbook from ``workbooks`` attached, or why there is none."""
    to, problem = council_addresses(council)
    path = workbooks / workbook_filename(council)
    problems = [problem] if problem else []
    try:
        data = path.read_bytes()
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        problems.append(
            f"no workbook: {display_path(path)} is not there (generate --councils writes it)"
            if missing
            else f"cannot read the workbook {display_path(path)}: {exc.strerror or exc}"
        )
    if problems:
        return LeftOut(kind, council, "; ".join(problems))
    attachment = Attachment(path.name, data)
    subject, body = fill(wording, council, shared, {**own, "workbook": path.name})
    return Letter(kind, council, to, subject, body, attachment, attachment.sha256, draft_name(council, kind))


def invitations(
    councils: list[Council], workbooks: Path, wording: Wording, shared: Mapping[str, str | None]
) -> tuple[list[Letter], list[LeftOut]]:
    """An invitation per council, and the councils left out (no address, no workbook) with the reason."""
    return sort_out(with_workbook("invite", council, workbooks, wording, shared, {}) for council in councils)
