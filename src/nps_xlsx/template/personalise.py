"""Personalised copies in bulk: build one workbook with placeholder text, then swap in each council.

Building a workbook with xlsxwriter takes about 100 ms; substituting two strings in
its XML and re-zipping takes a few. The result is byte-identical to building the
council's workbook directly (a test checks), and names that could make it differ
(XML-special layout, or equal to another string in the workbook) are built directly.

A pre-filled copy (build options with ``prefilled_from``) is made the same way, from the pre-filled template
whose input cells, and their copies on the metadata sheet, are empty: each worksheet part holding them is cut
around them once (:class:`~nps_xlsx.template.cells.CutPart`), and a copy joins the pieces with its answers. The
formulas' cached results (a blank workbook's counts) are dropped, so that every program computes them afresh.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from xml.sax.saxutils import escape

from .. import a1, layout
from ..councils import Council, check_council
from ..respondents import FIELDS, Respondent, check_respondent
from ..rubric import Rubric
from .builder import BuildOptions, build_workbook, sheet_parts
from .cells import CutPart, drop_cached_results

PLACEHOLDER = Council("NPSXLSXCODE7F3A", "NPSXLSXNAME7F3A")
# a respondent's placeholders; a blank field of a respondent is blank in its template too (see Personaliser.build)
RESPONDENT_PLACEHOLDER = Respondent("NPSXLSXRID7F3A", "NPSXLSXRNAME7F3A", "NPSXLSXRDEPT7F3A", "NPSXLSXRROLE7F3A")
_PLACEHOLDERS = re.compile(rb"NPSXLSX(?:CODE|NAME|RID|RNAME|RDEPT|RROLE)7F3A")
_PLAIN = re.compile(r"[^\x00-\x1f\s](?:[^\x00-\x1f]*[^\x00-\x1f\s])?")
_SHARED_STRING = re.compile(rb"<si>.*?</si>", re.DOTALL)
Members = list[tuple[zipfile.ZipInfo, bytes | CutPart]]
Shape = tuple[bool, ...] | None  # which of a respondent's fields are not blank; None: no respondent


class Personaliser:
    """Makes personalised workbooks of one rubric and build options."""

    def __init__(self, rubric: Rubric, options: BuildOptions) -> None:
        self.rubric, self.options = rubric, options
        self.templates: dict[Shape, _Template] = {}  # built when first needed
        self.inputs = set(layout.input_cells(rubric, rubric.areas)) if options.prefilled_from is not None else set()

    def build(
        self, council: Council, answers: Mapping[str, str] | None = None, respondent: Respondent | None = None
    ) -> bytes:
        """The council's workbook (for ``respondent`` of it, if given), as :func:`build_workbook` would make it
        (and refusing what it refuses).

        A pre-filled copy holds ``answers``: each input's text by defined name (``score_EC1``: ``"3 - Mature"``,
        ``comment_EC1``, ``priority_EC1``, ``support_EC1``, ``target_EC``; see
        :func:`~nps_xlsx.layout.input_cells`), in its cell and on the metadata sheet; inputs left out stay blank.
        """
        check_council(council)
        if respondent is not None:
            check_respondent(respondent)
        if unknown := sorted(set(answers or {}) - self.inputs):
            raise ValueError(f"not inputs of a pre-filled copy: {', '.join(unknown[:5])}")
        values = {PLACEHOLDER.name: council.name, PLACEHOLDER.code: council.code}
        shape: Shape = None
        if respondent is not None:
            shape = tuple(bool(getattr(respondent, field)) for field in FIELDS)
            values.update({getattr(RESPONDENT_PLACEHOLDER, f): getattr(respondent, f) for f in FIELDS})
        plain = all(_PLAIN.fullmatch(text) and "_x" not in text for text in values.values() if text)
        members = (
            self._template(shape).swap({k.encode(): escape(v).encode() for k, v in values.items()}) if plain else None
        )
        if members is None:  # the texts would make the workbook differ from the template's: build it directly
            direct = build_workbook(self.rubric, self.options, council, respondent)
            return direct if self.options.prefilled_from is None else _zip(self._parts(direct), answers or {})
        return _zip(members, answers or {})

    def _template(self, shape: Shape) -> _Template:
        if shape not in self.templates:
            respondent = None
            if shape is not None:
                texts = [
                    getattr(RESPONDENT_PLACEHOLDER, f) if kept else "" for f, kept in zip(FIELDS, shape, strict=True)
                ]
                respondent = Respondent(*texts)
            self.templates[shape] = _Template(
                self._parts(build_workbook(self.rubric, self.options, PLACEHOLDER, respondent))
            )
        return self.templates[shape]

    def _parts(self, workbook: bytes) -> Members:
        """The workbook's parts; pre-filled, the worksheets without cached results and those holding inputs cut."""
        with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
            members: Members = [(info, archive.read(info)) for info in archive.infolist()]
        if self.options.prefilled_from is None:
            return members
        refs: dict[str, dict[str, str]] = {}  # part -> cell reference -> defined name
        parts = sheet_parts(self.rubric)
        cells = layout.input_cells(self.rubric, self.rubric.areas)
        for name, (sheet, row, col) in {**cells, **layout.previous_cells(self.rubric, self.rubric.areas)}.items():
            refs.setdefault(parts[sheet], {})[a1.cell_ref(row, col)] = name
        out: Members = []
        for info, data in members:
            assert isinstance(data, bytes)
            if info.filename.startswith("xl/worksheets/") and b"</f>" in data:
                data = drop_cached_results(data.decode()).encode()
            out.append((info, CutPart(data, refs[info.filename]) if info.filename in refs else data))
        return out


class _Template:
    """A workbook's parts built with placeholder texts, and its shared strings: those holding a placeholder, and
    the others."""

    def __init__(self, members: Members) -> None:
        self.members = members
        strings = next((data for info, data in members if info.filename == "xl/sharedStrings.xml"), b"")
        entries = _SHARED_STRING.findall(strings if isinstance(strings, bytes) else b"")
        self.fixed = {entry for entry in entries if not _PLACEHOLDERS.search(entry)}
        self.variable = [entry for entry in entries if _PLACEHOLDERS.search(entry)]
        cut = [part for _info, part in members if isinstance(part, CutPart)]
        assert not any(_PLACEHOLDERS.search(piece) for part in cut for piece in part.pieces if isinstance(piece, bytes))

    def swap(self, values: Mapping[bytes, bytes]) -> Members | None:
        """The parts with each placeholder replaced by its value (escaped XML text), or ``None`` if two shared
        strings would then be equal (xlsxwriter would have written them once: the direct build differs)."""

        def sub(data: bytes) -> bytes:
            return _PLACEHOLDERS.sub(lambda match: values[match[0]], data)

        swapped = [sub(entry) for entry in self.variable]
        if len(set(swapped)) < len(swapped) or not self.fixed.isdisjoint(swapped):
            return None
        return [
            (info, sub(data) if isinstance(data, bytes) and _PLACEHOLDERS.search(data) else data)
            for info, data in self.members
        ]


def _zip(members: Members, answers: Mapping[str, str]) -> bytes:
    """The package of ``members``, each cut part filled with ``answers`` (and their copies' names)."""
    texts = {**answers, **{layout.previous_name(name): text for name, text in answers.items()}}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data.fill(texts) if isinstance(data, CutPart) else data)
    return out.getvalue()
