"""The bundled rubric's content, and strict loading of malformed rubric files."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nps_xlsx import columns, layout
from nps_xlsx.errors import RubricError
from nps_xlsx.rubric import Rubric, default_rubric_path, load_rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook

AREA_CODES = {
    "EC": 3,
    "SM": 4,
    "WP": 3,
    "SS": 3,
    "CO": 6,
    "CR": 6,
    "SR": 5,
    "SV": 10,
    "SME": 7,
    "VCSE": 8,
    "EN": 4,
}


def test_areas_and_value_code_ids(rubric: Rubric) -> None:
    assert [area.id for area in rubric.areas] == list(AREA_CODES)
    for area in rubric.areas:
        expected = [f"{area.id}{i}" for i in range(1, AREA_CODES[area.id] + 1)]
        assert [code.id for code in area.value_codes] == expected
    assert len(rubric.value_codes) == 59


def test_every_value_code_has_five_statements(rubric: Rubric) -> None:
    assert rubric.levels == ("Minimum", "Developing", "Mature", "Leader", "Innovator")
    for code in rubric.value_codes:
        assert len(code.statements) == 5, code.id
        assert all(statement.strip() for statement in code.statements), code.id
        assert code.name and code.description


def test_area_names_and_introductions(rubric: Rubric) -> None:
    vcse = rubric.areas[9]
    assert vcse.name == "Engaging VCSEs (voluntary, community and social enterprises)"
    assert vcse.sheet == "Engaging VCSEs"
    enablers = rubric.areas[10]
    assert enablers.what_it_is == (
        "These 'enablers' are common issues that are essential to driving success with each of the strategy's "
        "three themes."
    )
    assert rubric.areas[4].introduction.endswith(
        "\nCommercialisation is a broad subject and this key area is confined to how procurement teams should "
        "contribute to its successful delivery."
    )


def code(rubric: Rubric, code_id: str):
    return next(c for c in rubric.value_codes if c.id == code_id)


def test_exact_statement_text(rubric: Rubric) -> None:
    ec1 = code(rubric, "EC1")
    assert ec1.name == "Proc. and commercial champions"
    assert ec1.description == "The extent to which the role of procurement and commissioning is recognised by members."
    assert ec1.statements[2] == (
        "Procurement and commercial are within the portfolio of a Cabinet member (or equivalent arrangements)."
    )
    assert code(rubric, "SME1").name == "Policy and scope (SMEs)"
    assert code(rubric, "SR5").name == "External events (e.g. Brexit)"
    assert code(rubric, "EN4").statements[0] == "Success depends on individuals, no organisational engagement."


def test_paragraphs_become_lines(rubric: Rubric) -> None:
    assert code(rubric, "SS1").statements[0] == (
        "No common basis for departments to collect data and intelligence on suppliers.\n"
        "No system for sharing and analysing departmental data.\n"
        "No agreed definition of a 'strategic' supplier."
    )


def test_bullet_lists_become_lines(rubric: Rubric) -> None:
    assert code(rubric, "WP2").statements[2] == (
        "The team approach is supported by:\n"
        "• corporate service planning and budgeting processes\n"
        "• a structured approach to project management\n"
        "• effective governance arrangements."
    )
    en1 = code(rubric, "EN1").statements[3].split("\n")
    assert en1[0] == (
        "Planned approach to talent development in relation to future procurement and contract management "
        "workload including:"
    )
    assert en1[1:3] == ["• Contracts pipeline", "• Resourcing plan"]
    assert en1[-1] == "• Secondments to and from the private sector and VCSE sector."


def test_fingerprint_is_stable_and_content_sensitive(rubric: Rubric, tmp_path: Path) -> None:
    text = default_rubric_path().read_text(encoding="utf-8")
    assert load_rubric().fingerprint == rubric.fingerprint
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("Some councillors have attended", "Some councillors attended"), encoding="utf-8")
    assert load_rubric(changed).fingerprint != rubric.fingerprint


# --- malformed rubric files: each error names the file, the line and the place -------------------


def broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = default_rubric_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line)


def test_missing_level_statement(tmp_path: Path) -> None:
    path = broken(tmp_path, "    - Some councillors have attended relevant training courses.\n", "")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    assert "areas[0].value_codes[2].statements (EC3)" in message
    assert "has 4 statements; expected one per level (5)" in message


def test_duplicate_value_code_id(tmp_path: Path) -> None:
    path = broken(tmp_path, "  - id: EC2\n", "  - id: EC1\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert f"duplicate ID 'EC1' (first used on line {line_of(path, '  - id: EC1')})" in str(caught.value)
    assert "areas[0].value_codes[1].id" in str(caught.value)


def test_unknown_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "    name: Reporting\n", "    name: Reporting\n    weighting: 2\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert f"{path}:{line_of(path, 'weighting: 2')}: areas[0].value_codes[1]: unknown key 'weighting'" in str(
        caught.value
    )


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "    name: Reporting\n", "    name: Reporting\n    name: Reports\n")
    with pytest.raises(RubricError, match=r"areas\[0\]\.value_codes\[1\]: duplicate key 'name'"):
        load_rubric(path)


def test_missing_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "    description: The extent to which reporting is used", "    # removed")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert f"{path}:{line_of(path, '- id: EC2')}: areas[0].value_codes[1]: missing key 'description'" in str(
        caught.value
    )


def test_sheet_name_too_long_is_not_mangled(tmp_path: Path) -> None:
    path = broken(tmp_path, "  sheet: Engaging VCSEs\n", "")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert "areas[9] (VCSE): sheet name 'Engaging VCSEs (voluntary, community and social enterprises)' is 60" in str(
        caught.value
    )
    assert "set a 'sheet' key" in str(caught.value)


def test_reserved_sheet_name(tmp_path: Path) -> None:
    path = broken(tmp_path, "  sheet: Engaging VCSEs\n", "  sheet: Cover\n")
    with pytest.raises(RubricError, match="sheet name 'Cover' is reserved"):
        load_rubric(path)


def test_wrong_schema_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="this tool reads 'nps-xlsx-rubric/1'"):
        load_rubric(broken(tmp_path, "schema: nps-xlsx-rubric/1", "schema: something-else/2"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("areas: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError, match="not valid YAML"):
        load_rubric(bad)
    with pytest.raises(RubricError, match="cannot read the rubric file"):
        load_rubric(tmp_path / "missing.yaml")


SMALL_RUBRIC = """\
schema: nps-xlsx-rubric/1
id: tiny-test
version: "0.1"
title: A tiny test diagnostic
levels: [Low, Middle, High]
unscored: Not scored
guidance:
  about: About it.
  how_to_complete: Fill it in.
areas:
  - id: AA
    name: First area
    introduction: Intro one.
    what_it_is: It is one.
    why_it_is_important: It matters.
    value_codes:
      - {id: AA1, name: Alpha, description: First., statements: [a1, a2, a3]}
      - {id: AA2, name: Beta, description: Second., statements: [b1, b2, b3]}
  - id: BB
    name: Second area with a name that is far too long for a sheet
    sheet: Second area
    introduction: Intro two.
    what_it_is: It is two.
    why_it_is_important: It matters too.
    value_codes:
      - {id: BB1, name: Gamma, description: Third., statements: [c1, c2, c3]}
"""


@pytest.fixture
def small_rubric_path(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SMALL_RUBRIC, encoding="utf-8")
    return path


def test_any_rubric_of_the_schema_loads(small_rubric_path: Path) -> None:
    tiny = load_rubric(small_rubric_path)
    assert [c.id for c in tiny.value_codes] == ["AA1", "AA2", "BB1"]
    assert tiny.levels == ("Low", "Middle", "High")
    assert tiny.areas[1].sheet == "Second area"
    assert tiny.short_title == tiny.title


# --- rubric text that the workbook or the summary cannot hold ----------------------------------------


def small(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SMALL_RUBRIC
    path = tmp_path / "custom.yaml"
    path.write_text(SMALL_RUBRIC.replace(old, new), encoding="utf-8")
    return path


def fails_at(path: Path, fragment: str, place: str) -> str:
    """The loader's message, checked to name the file, the line holding ``fragment``, and ``place``."""
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_of(path, fragment)}: {place}: "), message
    return message


LEVELS = "levels: [Low, Middle, High]"


@pytest.mark.parametrize(
    ("levels", "fragment", "place", "what"),
    [
        ("levels: [Low, 'Middle \"ish\"', High]", "levels:", "levels[1]", "double quote"),
        ("levels:\n  - Low\n  - Middle, mostly\n  - High", "Middle, mostly", "levels[1]", "comma"),
        ('levels: [Low, "Mid\\ndle", High]', "levels:", "levels[1]", "line break"),
        ("levels: [Low, low, High]", "levels:", "levels[1]", "level 1"),
        (f"levels: [Low {'x' * 80}, Middle {'y' * 80}, High {'z' * 80}]", "levels:", "levels", "255"),
    ],
)
def test_level_labels_that_break_the_drop_down(tmp_path: Path, levels: str, fragment: str, place: str, what: str):
    assert what in fails_at(small(tmp_path, LEVELS, levels), fragment, place)


@pytest.mark.parametrize(
    ("label", "what"),
    [
        ("'Not \"scored\"'", "double quote"),
        ("Not scored, yet", "comma"),
        ("N/A*", "wildcard"),
        ("Not sure?", "wildcard"),
        ("<none>", "comparison"),
        ("Total", "'Total'"),  # a fixed column of the distribution tables, whose counts it would replace
        ("not answered", "'Not answered'"),
        ("Key area", "'Key area'"),
        ("middle", "level 2"),
        ("2 - Middle", "level 2"),
    ],
)
def test_unscored_labels_that_break_a_list_a_formula_or_a_table(tmp_path: Path, label: str, what: str) -> None:
    path = small(tmp_path, "unscored: Not scored", f"unscored: {label}")
    assert what in fails_at(path, "unscored:", "unscored")


@pytest.mark.parametrize("code_id", ["council", "Council", "CODE", "code"])
def test_ids_that_are_fixed_columns_of_the_score_matrix(tmp_path: Path, code_id: str) -> None:
    path = small(tmp_path, "id: AA1", f"id: {code_id}")
    assert repr(code_id) in fails_at(path, f"id: {code_id},", "areas[0].value_codes[0].id")
    path = small(tmp_path, "  - id: AA\n", f"  - id: {code_id}\n")
    assert repr(code_id) in fails_at(path, f"id: {code_id}", "areas[0].id")


def test_key_area_names_must_differ(tmp_path: Path) -> None:
    path = small(tmp_path, "name: Second area with a name that is far too long for a sheet", "name: FIRST AREA")
    assert "AA" in fails_at(path, "name: FIRST AREA", "areas[1].name (BB)")


def test_text_kept_in_document_properties_or_footers_fits(tmp_path: Path) -> None:
    title = "title: A tiny test diagnostic"
    fails_at(small(tmp_path, title, f"title: {'T' * 256}\nshort_title: Tiny"), "title: TTT", "title")
    fails_at(small(tmp_path, title, f"{title}\nshort_title: {'S' * 240}"), "short_title:", "short_title")
    fails_at(small(tmp_path, title, f"title: {'T' * 240}"), "title: TTT", "title")  # the footer's, without one
    fails_at(small(tmp_path, 'version: "0.1"', f"version: {'9' * 256}"), "version:", "version")


def test_the_limits_are_exact(tmp_path: Path) -> None:
    """The longest labels and titles the loader accepts make a workbook and a summary without a warning."""
    title = "title: A tiny test diagnostic"
    longest_short = "S" * (255 - len(layout.area_footer("")))
    unscored = "U" * (255 - len(",".join(columns.score_choices_of(["Low", "Middle", "High"], ""))))
    path = small(tmp_path, title, f"title: {'T' * 255}\nshort_title: {longest_short}")
    path.write_text(path.read_text(encoding="utf-8").replace("Not scored", unscored), encoding="utf-8")
    tiny = load_rubric(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter warns, and leaves the thing out, when Excel's limits are passed
        build_workbook(tiny, BuildOptions(datetime(2026, 1, 1, tzinfo=timezone.utc)))
