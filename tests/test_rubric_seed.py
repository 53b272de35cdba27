"""The bundled rubric matches the diagnostic's text (the seed) word for word."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nps_xlsx.rubric import Rubric

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_1d3f221a064e5570.txt"


@pytest.fixture(scope="module")
def seed_areas() -> list[dict]:
    if not SEED.is_file():
        pytest.skip(f"the diagnostic's text is not available at {SEED}")
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from seed_to_rubric import parse_seed
    finally:
        sys.path.pop(0)
    return parse_seed(SEED)


def test_rubric_matches_seed_word_for_word(rubric: Rubric, seed_areas: list[dict]) -> None:
    assert len(seed_areas) == len(rubric.areas) == 11
    for area, seed in zip(rubric.areas, seed_areas, strict=True):
        assert area.name == seed["name"]
        assert area.introduction == seed["introduction"]
        assert area.what_it_is == seed["what_it_is"]
        assert area.why_it_is_important == seed["why_it_is_important"]
        assert [c.name for c in area.value_codes] == [c["name"] for c in seed["value_codes"]]
        for code, seed_code in zip(area.value_codes, seed["value_codes"], strict=True):
            assert code.description == seed_code["description"], code.id
            assert list(code.statements) == seed_code["statements"], code.id


def test_every_statement_word_appears_in_the_seed(rubric: Rubric, seed_areas: list[dict]) -> None:
    """Independent of the extractor: each statement's words occur, in order, in the raw seed text."""
    raw = SEED.read_text(encoding="utf-8")
    for code in rubric.value_codes:
        for statement in code.statements:
            for line in statement.split("\n"):
                assert line.removeprefix("• ") in raw, (code.id, line)
