"""Bulk personalisation gives exactly the bytes of building each council's workbook directly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nps_xlsx.councils import Council
from nps_xlsx.personalise import Personaliser
from nps_xlsx.rubric import Rubric
from nps_xlsx.template import BuildOptions, build_workbook

from .conftest import FIXED_TIME


@pytest.fixture(scope="module")
def personaliser(rubric: Rubric) -> Personaliser:
    return Personaliser(rubric, BuildOptions(FIXED_TIME))


@pytest.mark.parametrize(
    "council",
    [
        Council("E07000096", "Dacorum Borough Council"),
        Council("E06000043", "Brighton & Hove City Council"),
        Council("W06000001", "Cyngor Sir Ynys Môn"),
        Council("X<1>", 'The "Quoted" <Council>'),
        Council("E1", "Cover"),  # equal to another string in the workbook
        Council("E2", "Engaging Councillors"),
        Council("E3", "_x0041_ council"),  # looks like an OOXML escape
        Council("E4", " padded "),
        Council("0", "0"),  # code and name the same string
    ],
)
def test_same_bytes_as_a_direct_build(personaliser: Personaliser, rubric: Rubric, council: Council) -> None:
    assert personaliser.build(council) == build_workbook(rubric, BuildOptions(FIXED_TIME), council)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(min_size=1, max_size=12), name=st.text(min_size=1, max_size=40))
@example(code="0", name="0\n")  # a trailing newline once slipped past the plain-text check
def test_any_council_text(personaliser: Personaliser, rubric: Rubric, code: str, name: str) -> None:
    council = Council(code, name)
    assert personaliser.build(council) == build_workbook(rubric, BuildOptions(FIXED_TIME), council)
