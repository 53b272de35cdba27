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
from ..rubric import Rubric
from .builder import BuildOptions, build_workbook, sheet_parts
from .cells import CutPart, drop_cached_results

PLACEHOLDER = Council("NPSXLSXCODE7F3A", "NPSXLSXNAME7F3A")
_PLAIN = re.compile(r"[^\x00-\x1f\s](?:[^\x00-\x1f]*[^\x00-\x1f\s])?")
Members = list[tuple[zipfile.ZipInfo, bytes | CutPart]]


class Personaliser:
    """Makes personalised workbooks of one rubric and build options."""

    def __init__(self, rubric: Rubric, options: BuildOptions) -> None:
        self.rubric, self.options = rubric, options
        self.members = self._parts(build_workbook(rubric, options, PLACEHOLDER))
        strings = next((data for info, data in self.members if info.filename == "xl/sharedStrings.xml"), b"")
        self.strings = strings if isinstance(strings, bytes) else b""
        placeholders = (PLACEHOLDER.name.encode(), PLACEHOLDER.code.encode())
        cut = [part for _info, part in self.members if isinstance(part, CutPart)]
        assert not any(
            p in piece for part in cut for piece in part.pieces if isinstance(piece, bytes) for p in placeholders
        )
        self.inputs = set(layout.input_cells(rubric, rubric.areas)) if options.prefilled_from is not None else set()

    def build(self, council: Council, answers: Mapping[str, str] | None = None) -> bytes:
        """The council's workbook, as :func:`build_workbook` would make it (and refusing what it refuses).

        A pre-filled copy holds ``answers``: each input's text by defined name (``score_EC1``: ``"3 - Mature"``,
        ``comment_EC1``, ``priority_EC1``, ``support_EC1``, ``target_EC``; see
        :func:`~nps_xlsx.layout.input_cells`), in its cell and on the metadata sheet; inputs left out stay blank.
        """
        check_council(council)
        if unknown := sorted(set(answers or {}) - self.inputs):
            raise ValueError(f"not inputs of a pre-filled copy: {', '.join(unknown[:5])}")
        name, code = escape(council.name).encode(), escape(council.code).encode()
        plain = all(_PLAIN.fullmatch(text) and "_x" not in text for text in (council.name, council.code))
        clash = council.name == council.code or any(b">" + t + b"<" in self.strings for t in (name, code))
        if not plain or clash:
            direct = build_workbook(self.rubric, self.options, council)
            return direct if self.options.prefilled_from is None else _zip(self._parts(direct), answers or {})
        members: Members = []
        for info, data in self.members:
            if isinstance(data, bytes) and (PLACEHOLDER.name.encode() in data or PLACEHOLDER.code.encode() in data):
                data = data.replace(PLACEHOLDER.name.encode(), name).replace(PLACEHOLDER.code.encode(), code)
            members.append((info, data))
        return _zip(members, answers or {})

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


def _zip(members: Members, answers: Mapping[str, str]) -> bytes:
    """The package of ``members``, each cut part filled with ``answers`` (and their copies' names)."""
    texts = {**answers, **{layout.previous_name(name): text for name, text in answers.items()}}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data.fill(texts) if isinstance(data, CutPart) else data)
    return out.getvalue()
