"""Recognising the workbook: the identity record on the hidden sheet, or its backup in the properties."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .. import __version__, layout
from ..read.raw import RawSheet, RawWorkbook
from ..respondents import Respondent
from ..rubric import Rubric
from ..text import clean_text
from .issues import Issue, Location, make_issue

PROPERTY_PREFIX = "nps_"


def read_identity(book: RawWorkbook) -> dict[str, str] | None:
    """The key/value identity record, from the metadata sheet (even renamed) or the document properties."""
    found = _identity_sheet(book)
    if found is not None:
        return found[1]
    from_properties = {
        _clean(key[len(PROPERTY_PREFIX) :]): _clean(value)
        for key, value in book.properties.items()
        if key.startswith(PROPERTY_PREFIX) and key != layout.OUTPUT_PROPERTY
    }
    return from_properties if from_properties.get("template_id") else None


def read_issued(book: RawWorkbook) -> dict[str, str] | None:
    """A pre-filled copy's record of the answers it was issued with (``previous_round``, then ``previous_<input
    name>`` keys: see :data:`~nps_xlsx.layout.PREVIOUS_ROUND_KEY`), from the sheet that holds the identity record
    (the metadata sheet, even renamed); ``None`` if none. The other sheets are not read for it."""
    found = _identity_sheet(book)
    if found is None:
        return None
    record = _record(found[0], lambda key: key.startswith("previous_"))
    return record if layout.PREVIOUS_ROUND_KEY in record else None


def _identity_sheet(book: RawWorkbook) -> tuple[RawSheet, dict[str, str]] | None:
    """The sheet holding the identity record, and the record; the metadata sheet is looked at first."""
    for sheet in _candidates(book):
        record = _record(sheet, lambda key: key in layout.META_KEYS)
        if record.get("template_id"):
            return sheet, record
    return None


def _candidates(book: RawWorkbook) -> Iterator[RawSheet]:
    """The metadata sheet first, then the others (it may have been renamed)."""
    first = book.sheet(layout.META_SHEET)
    yield from [first] if first else []
    yield from (sheet for sheet in book.sheets if sheet is not first)


def _record(sheet: RawSheet, wanted: Callable[[str], bool]) -> dict[str, str]:
    """The key (column A) / value (column B) pairs of ``sheet`` whose key is ``wanted``, below the header row."""
    return {
        str(key.value).strip(): "" if value is None else _clean(str(value.value))
        for (row, col), key in sheet.cells.items()
        if col == 0 and row > 0 and key.kind == "text" and wanted(str(key.value).strip())
        for value in [sheet.cells.get((row, 1))]
    }


def _clean(text: str) -> str:
    """Identity values are ours; text no output can hold (only a tampered copy has it) is dropped silently."""
    return clean_text(text)[0].strip()


def check_identity(identity: dict[str, str], rubric: Rubric, file: str) -> Issue | None:
    """An error if the workbook is not for ``rubric`` (another diagnostic, version or text)."""
    found = identity.get
    # the identity key, what this rubric expects there, the issue code, what is wrong (\0: what the workbook says)
    checks = (
        ("template_id", layout.TEMPLATE_ID, "not-nps-workbook", "not an NPS diagnostic workbook (template id \0)"),
        ("rubric_id", rubric.id, "wrong-rubric", f"this workbook is for the diagnostic \0, not {rubric.id!r}"),
        (
            "rubric_version",
            rubric.version,
            "wrong-rubric-version",
            f"this workbook is for version \0 of {rubric.id}, but version {rubric.version!r} was expected",
        ),
        (
            "rubric_fingerprint",
            rubric.fingerprint,
            "rubric-fingerprint-mismatch",
            f"the workbook's rubric text differs from {rubric.id} {rubric.version} (fingerprint "
            f"{str(found('rubric_fingerprint'))[:12]}… expected {rubric.fingerprint[:12]}…); "
            "its statements may not be the ones councils were scoring against",
        ),
    )
    for key, expected, code, detail in checks:
        if found(key) != expected:
            return make_issue(code, Location(file), detail.replace("\0", repr(found(key))), value=found(key))
        if key == "template_id" and layout.layout_version(found("layout_version")) is None:
            return _too_new(found("layout_version") or "", file)
    return None


def read_respondent(identity: dict[str, str], file: str) -> tuple[Respondent | None, Issue | None]:
    """The respondent a copy was issued to (``generate --respondents``), or ``None``; an identity record naming
    a respondent without an id, or without the council's code, is an error (the return cannot be told apart)."""
    values = [identity.get(key, "") for key in layout.RESPONDENT_KEYS]
    if not any(values):
        return None, None
    respondent = Respondent(*values)
    missing = [
        what
        for what, value in (("respondent id", respondent.id), ("council code", identity.get("council_code")))
        if not value
    ]
    if not missing:
        return respondent, None
    detail = (
        f"the identity record names a respondent ({respondent.label() or '?'}) but no {' and no '.join(missing)}, so "
        "it cannot say whose return this is; it was not made by generate --respondents as issued"
    )
    return None, make_issue("respondent-identity-invalid", Location(file), detail, value=respondent.id or None)


def _too_new(version: str, file: str) -> Issue:
    known = ", ".join(layout.VERSIONS)
    detail = (
        f"the workbook is in template layout {version!r}, made by a newer nps-xlsx than this one "
        f"({__version__}, which reads layouts {known}); its answers may be in cells this version does not know"
    )
    return make_issue("template-too-new", Location(file), detail, value=version)
