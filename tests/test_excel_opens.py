"""Proof, not hope, that Excel opens every file we write without a repair prompt.

Excel cannot run here, so two stand-ins check every kind of output: the schemas (as the Open XML
SDK validator applies them, through openxml-audit) and the structural rules of :mod:`tests.excel_checks`.
Each rule is shown to fire on a copy of a real output with one planted defect.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes, fill_workbook, random_answers

from .conftest import REPO
from .excel_checks import RULES, Package, check, schema_problems
from .mail_files import Mail, write_mbox

LARGE = 40


def _collect(returns: Path, out: Path, *extra: str) -> bytes:
    result = CliRunner().invoke(main, ["collect", str(returns), "--out", str(out), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.fixture(scope="module")
def outputs(template_path: Path, personalised_path: Path, rubric: Rubric, tmp_path_factory) -> dict[str, bytes]:
    """Every kind of workbook we write, by name."""
    root = tmp_path_factory.mktemp("excel")
    template, personalised = template_path.read_bytes(), personalised_path.read_bytes()
    cover = {"council_name": "Dacorum Borough Council", "completion_date": date(2026, 11, 1)}
    answers = random_answers(rubric, random.Random(7))
    fill_workbook(personalised_path, root / "openpyxl.xlsx", answers, cover)
    empty = root / "empty"
    empty.mkdir()
    (empty / "broken.xlsx").write_bytes(template[:3000])
    samples = root / "samples"
    shutil.copytree(REPO / "samples" / "returns", samples)
    expected = str(REPO / "samples" / "councils.csv")
    previous = REPO / "samples" / "previous" / "responses-2021.csv"
    summary = _collect(
        samples,
        root / "small.xlsx",
        *("--expected", expected, "--group-by", "type", "--group-by", "region", "--csv", str(root / "responses.csv")),
    )
    feedback = root / "feedback"
    args = ["feedback", str(root / "responses.csv"), "--out-dir", str(feedback), "--expected", expected]
    args += ["--group-by", "type", "--previous", str(previous), "--councils", "E07000096"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    prefilled = root / "prefilled"
    args = ["generate", "--councils", expected, "--out-dir", str(prefilled), "--prefill", str(previous)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    hartlepool = (prefilled / "E06000001-hartlepool-borough-council.xlsx").read_bytes()
    returned = root / "prefilled-returns"
    returned.mkdir()
    (returned / "as-issued.xlsx").write_bytes(hartlepool)
    changed = {code: Typed("2 - Developing", "Reviewed\nin 2025", "High", "Yes") for code in ("EC1", "EC2")}
    (returned / "changed.xlsx").write_bytes(
        fill_bytes((prefilled / "E07000096-dacorum-borough-council.xlsx").read_bytes(), changed)
    )
    respondents = root / "respondents.csv"
    respondents.write_text(
        "code,name,respondent_id,respondent_name,department,role\n"
        'E07000096,Dacorum Borough Council,jsmith@dacorum.gov.uk,Jane Smith,"Finance & Resources",<Head>\n',
        encoding="utf-8",
    )
    args = ["generate", "--respondents", str(respondents), "--out-dir", str(root / "respondent")]
    result = CliRunner().invoke(main, [*args, "--prefill", str(previous)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (respondent,) = (root / "respondent").iterdir()
    # respondent mode: the sample council's seven respondents, and one more whose department and role need escaping
    several = root / "respondent-returns"
    shutil.copytree(REPO / "samples" / "respondents" / "returns", several)
    (several / "jsmith.xlsx").write_bytes(fill_bytes(respondent.read_bytes(), changed))
    listing = REPO / "samples" / "respondents" / "respondents.csv"
    each = root / "per-respondent.csv"
    respondents_summary = _collect(
        several, root / "respondents.xlsx", "--respondents", str(listing), "--csv", str(each)
    )
    # their feedback: Dacorum's own respondents (Jane Smith's department and role need escaping)
    args = ["feedback", str(root / "per-respondent-consensus.csv"), "--respondents-csv", str(each), "--min-cohort", "3"]
    result = CliRunner().invoke(main, [*args, "--out-dir", str(root / "respondent-feedback")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (respondents_feedback,) = (root / "respondent-feedback").iterdir()
    # a mailbox: subjects and names as strangers write them (a formula, a link, an emoji, a control character)
    mailbox = root / "mailbox"
    mailbox.mkdir()
    dacorum = (samples / "E07000096-dacorum-borough-council.xlsx").read_bytes()
    write_mbox(
        mailbox / "inbox.mbox",
        [
            Mail("=1+2 <a@example.org>", '=HYPERLINK("http://x") 📎\x07', attachments=[("=cmd.xlsx", dacorum)]),
            Mail("jsmith@dacorum.gov.uk", "https://example.org/return", attachments=[("logo.png", b"\x89PNG")]),
        ],
    )
    return {
        "template": template,
        "personalised": personalised,
        "respondent's (pre-filled)": respondent.read_bytes(),
        "pre-filled": hartlepool,
        "summary (pre-filled returns)": _collect(returned, root / "prefilled.xlsx"),
        "filled (fill_bytes)": fill_bytes(personalised, answers, cover),
        "filled (openpyxl)": (root / "openpyxl.xlsx").read_bytes(),
        "summary (samples)": summary,
        "summary (samples, rounds)": _collect(
            samples, root / "rounds.xlsx", "--expected", expected, "--previous", str(previous), "--round", "2025"
        ),
        "summary (nothing accepted)": _collect(empty, root / "empty.xlsx"),
        "summary (mailbox)": _collect(mailbox, root / "mailbox.xlsx", "--expected", expected),
        "feedback (samples)": (feedback / "E07000096-dacorum-borough-council-feedback.xlsx").read_bytes(),
        "summary (respondents)": respondents_summary,
        "feedback (respondents)": respondents_feedback.read_bytes(),
    }


@pytest.fixture(scope="module")
def large_summary(template_path: Path, rubric: Rubric, tmp_path_factory) -> bytes:
    """The summary of LARGE synthetic returns (about 20 s to build)."""
    large = tmp_path_factory.mktemp("large")
    template = template_path.read_bytes()
    for n in range(LARGE):
        filled = fill_bytes(template, random_answers(rubric, random.Random(n)), {"council_name": f"Council {n}"})
        (large / f"r{n:03}.xlsx").write_bytes(filled)
    return _collect(large, large / "out" / "summary.xlsx")


def output(request: pytest.FixtureRequest, kind: str) -> bytes:
    if kind == LARGE_KIND:
        return request.getfixturevalue("large_summary")
    return request.getfixturevalue("outputs")[kind]


LARGE_KIND = f"summary ({LARGE} returns)"
SLOW = {LARGE_KIND}

KINDS = [
    "template",
    "personalised",
    "pre-filled",
    "summary (pre-filled returns)",
    "filled (fill_bytes)",
    "filled (openpyxl)",
    "summary (samples)",
    "summary (samples, rounds)",
    f"summary ({LARGE} returns)",
    "summary (nothing accepted)",
    "summary (mailbox)",
    "feedback (samples)",
    "respondent's (pre-filled)",
    "summary (respondents)",
    "feedback (respondents)",
]

# Known breaches of our real outputs: (kind, rule) -> why. Strict xfails: a fix turns them into failures to remove.
KNOWN: dict[tuple[str, str], str] = {}


_PACKAGES: dict[str, Package] = {}


def package(request: pytest.FixtureRequest, kind: str) -> Package:
    if kind not in _PACKAGES:
        _PACKAGES[kind] = Package(output(request, kind))
    return _PACKAGES[kind]


def _kinds() -> list:
    return [pytest.param(kind, marks=[pytest.mark.slow] if kind in SLOW else [], id=kind) for kind in KINDS]


@pytest.mark.parametrize("kind", _kinds())
def test_every_part_is_schema_valid(request: pytest.FixtureRequest, kind: str) -> None:
    assert [str(p) for p in schema_problems(output(request, kind))] == []


def _cases() -> list:
    cases = []
    for kind in KINDS:
        for name in RULES:
            reason = KNOWN.get((kind, name))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            marks += [pytest.mark.slow] if kind in SLOW else []
            cases.append(pytest.param(kind, name, marks=marks, id=f"{kind}-{name}"))
    return cases


@pytest.mark.parametrize(("kind", "rule"), _cases())
def test_real_outputs_keep_every_rule(request: pytest.FixtureRequest, kind: str, rule: str) -> None:
    assert [str(p) for p in RULES[rule](package(request, kind))] == []


def test_the_outputs_exercise_every_rule(request: pytest.FixtureRequest) -> None:
    """Each rule has something to check in the real outputs (no rule passes for want of input)."""
    pkg = package(request, "summary (samples)")
    template = package(request, "template")
    assert template.shared_strings  # the summary writes every text inline: its table is empty
    assert list(RULES["table_headers"].__globals__["_tables"](pkg))
    assert template.xml(template.workbook).find("m:definedNames", {"m": pkg.xml(pkg.workbook).nsmap[None]}) is not None
    assert b'type="list"' in template.parts["xl/worksheets/sheet2.xml"]
    assert template.parts_of_type(".drawingml.chart+xml") and pkg.parts_of_type(".drawingml.chart+xml")


# ---------------------------------------------------------------- planted defects

Transform = Callable[[str, bytes], bytes]


def plant(data: bytes, transform: Transform, add: dict[str, bytes] | None = None, drop: str | None = None) -> bytes:
    """A copy of the workbook ``data`` with every member passed through ``transform``; asserts it changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != drop:
                target.writestr(info, transform(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    assert out.getvalue() != data
    return out.getvalue()


def edit(member: str, old: str, new: str, count: int = 1, regex: bool = False) -> Transform:
    """Replace ``old`` by ``new`` in one member (a plain string, or a regex), and insist that it was there."""

    def transform(name: str, content: bytes) -> bytes:
        if name != member:
            return content
        text = content.decode()
        changed = re.sub(old, new, text, count=count) if regex else text.replace(old, new, count)
        assert changed != text, f"{old!r} not found in {member}"
        return changed.encode()

    return transform


def everywhere(old: str, new: str) -> Transform:
    def transform(name: str, content: bytes) -> bytes:
        return content.replace(old.encode(), new.encode()) if name.endswith((".xml", ".rels")) else content

    return transform


SHEET = "xl/worksheets/sheet2.xml"  # Engaging Councillors, a key-area sheet of the template
ASTRAL = "\U0001d7d9"  # two UTF-16 units, one character

# (rule, kind of output, how to plant, extra parts to add, part to drop)
PLANTED = [
    ("shared_strings", "template", edit(SHEET, r'(t="s"[^>]*><v>)\d+', r"\g<1>99999", regex=True), None, None),
    ("shared_strings", "template", edit("xl/sharedStrings.xml", r'uniqueCount="\d+"', 'uniqueCount="3"', regex=True)),
    ("cell_order", "template", edit(SHEET, r'<dimension ref="[^"]*"', '<dimension ref="A1:C3"', regex=True)),
    ("cell_order", "template", edit(SHEET, r'<row r="5"', '<row r="2"', regex=True)),
    ("table_headers", "summary (samples)", edit("xl/tables/table4.xml", 'name="Council"', 'name="Councils"')),
    ("table_headers", "summary (samples)", edit("xl/tables/table1.xml", 'name="Total"', 'name="Scope"')),
    ("table_ids", "summary (samples)", edit("xl/tables/table2.xml", 'id="2"', 'id="1"')),
    (
        "table_ids",
        "summary (samples)",
        everywhere('name="AreaAverages" displayName="AreaAverages"', 'name="A" displayName="Overall"'),
    ),
    ("style_indices", "template", edit(SHEET, r' s="\d+"', ' s="999"', regex=True)),
    (
        "style_indices",
        "template",
        edit("xl/styles.xml", r'<xf numFmtId="0" fontId="\d+"', '<xf numFmtId="0" fontId="99"', regex=True),
    ),
    ("defined_names", "template", edit("xl/workbook.xml", "'Engaging Councillors'!$L$5", "'No such sheet'!$L$5")),
    ("defined_names", "template", edit("xl/workbook.xml", 'name="comment_EC1"', 'name="EC1"')),
    (
        "defined_names",
        "template",
        edit("xl/workbook.xml", "'Engaging Councillors'!$L$5", "'Engaging Councillors'!$L$1048577"),
    ),
    ("list_validations", "template", edit(SHEET, 'Unscored"</formula1>', 'Un"scored"</formula1>')),
    ("list_validations", "template", edit(SHEET, 'Unscored"</formula1>', "Unscored" + ",x" * 100 + '"</formula1>')),
    ("sheet_names", "template", everywhere("Engaging Councillors", "Engaging: Councillors")),
    ("sheet_names", "template", everywhere("Engaging Councillors", "ENABLERS")),
    ("sheet_names", "template", everywhere("Engaging Councillors", "History")),
    ("sheet_names", "template", everywhere("Engaging Councillors", "Engaging Councillors and their mem")),
    (
        "package",
        "template",
        edit(
            "[Content_Types].xml",
            '<Override PartName="/xl/theme/theme1.xml"',
            '<Override PartName="/xl/theme/theme2.xml"',
        ),
    ),
    (
        "package",
        "template",
        edit("xl/_rels/workbook.xml.rels", 'Target="theme/theme1.xml"', 'Target="theme/theme9.xml"'),
    ),
    ("package", "template", edit(SHEET, "<sheetData>", '<drawing r:id="rId99"/><sheetData>')),
    ("package", "template", lambda _n, c: c, {"xl/media/extra.bin": b"\0"}),
    (
        "cell_length",
        "template",
        edit("xl/sharedStrings.xml", r"<si><t>[^<]*</t></si>", f"<si><t>{ASTRAL * 16_384}</t></si>", regex=True),
    ),
    ("cell_length", "filled (openpyxl)", edit("xl/worksheets/sheet13.xml", "</f>", "+0" * 4_100 + "</f>")),
    ("chart_ranges", "template", edit("xl/charts/chart2.xml", "$B$5:$B$15", "$B$5:$B$150")),
    ("chart_ranges", "summary (samples)", edit("xl/charts/chart3.xml", "'By key area'!$B$2", "'By key areas'!$B$2")),
]


def _planted_cases() -> list:
    return [
        pytest.param(rule, kind, *rest, *(None,) * (3 - len(rest)), id=f"{rule}-{n}")
        for n, (rule, kind, *rest) in enumerate(PLANTED)
    ]


@pytest.mark.parametrize(("rule", "kind", "transform", "add", "drop"), _planted_cases())
def test_each_rule_catches_its_planted_defect(outputs, rule, kind, transform, add, drop) -> None:
    before = {p.rule for p in check(outputs[kind])}
    after = {p.rule for p in check(plant(outputs[kind], transform, add, drop))}
    assert after - before == {rule}


def test_every_rule_has_a_planted_defect() -> None:
    assert {case[0] for case in PLANTED} == set(RULES)


def test_a_utf16_count_not_a_character_count() -> None:
    """16,384 astral characters are 32,768 UTF-16 units: one more than a cell holds."""
    from .excel_checks import MAX_CELL_UNITS, utf16_units

    assert len(ASTRAL * 16_384) < MAX_CELL_UNITS < utf16_units(ASTRAL * 16_384)


@pytest.mark.parametrize(
    ("kind", "member", "old", "new"),
    [
        ("template", SHEET, "<sheetData>", "<sheetData><bogus/>"),
        ("template", SHEET, 'type="list"', 'type="lizt"'),
        ("summary (samples)", "xl/charts/chart1.xml", "<c:plotArea>", "<c:plotArea><c:nonsense/>"),
        ("template", "xl/workbook.xml", "<workbookPr", '<workbookPr date1904="maybe"'),
    ],
)
def test_the_schema_check_catches_a_planted_defect(outputs, kind, member, old, new) -> None:
    problems = schema_problems(plant(outputs[kind], edit(member, old, new)))
    assert problems and {p.part.lstrip("/") for p in problems} == {member}
