"""Recognising the workbook: the identity record on the hidden sheet, or its backup in the properties."""

from __future__ import annotations

from .. import __version__, layout
from ..read.raw import RawWorkbook
from ..rubric import Rubric
from ..text import clean_text
from .issues import Issue, Location, make_issue

PROPERTY_PREFIX = "nps_"


def read_identity(book: RawWorkbook) -> dict[str, str] | None:
    """The key/value identity record, from the metadata sheet (even renamed) or the document properties."""
    candidates = [book.sheet(layout.META_SHEET)] + [s for s in book.sheets if s.name != layout.META_SHEET]
    for sheet in candidates:
        if sheet is None:
            continue
        record = {
            str(key.value).strip(): "" if value is None else _clean(str(value.value))
            for (row, col), key in sheet.cells.items()
            if col == 0 and row > 0 and key.kind == "text" and str(key.value).strip() in layout.META_KEYS
            for value in [sheet.cells.get((row, 1))]
        }
        if record.get("template_id"):
            return record
    from_properties = {
        _clean(key[len(PROPERTY_PREFIX) :]): _clean(value)
        for key, value in book.properties.items()
        if key.startswith(PROPERTY_PREFIX) and key != layout.OUTPUT_PROPERTY
    }
    return from_properties if from_properties.get("template_id") else None


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


def _too_new(version: str, file: str) -> Issue:
    known = ", ".join(layout.VERSIONS)
    detail = (
        f"the workbook is in template layout {version!r}, made by a newer nps-xlsx than this one "
        f"({__version__}, which reads layouts {known}); its answers may be in cells this version does not know"
    )
    return make_issue("template-too-new", Location(file), detail, value=version)
