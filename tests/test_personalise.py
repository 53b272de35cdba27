"""Bulk personalisation gives exactly the bytes of building each council's workbook directly."""

from __future__ import annotations

import io
import warnings
import zipfile
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nps_xlsx.councils import MAX_CODE, MAX_NAME, Council, council_problem, workbook_filename
from nps_xlsx.errors import CouncilListError
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.template.personalise import Personaliser

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
    if council_problem(council):  # control characters: both refuse
        with pytest.raises(CouncilListError):
            personaliser.build(council)
        with pytest.raises(CouncilListError):
            build_workbook(rubric, BuildOptions(FIXED_TIME), council)
        return
    assert personaliser.build(council) == build_workbook(rubric, BuildOptions(FIXED_TIME), council)


def custom_properties(workbook: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        root = ElementTree.fromstring(archive.read("docProps/custom.xml"))
    return {p.get("name"): "".join(p.itertext()) for p in root}


@pytest.mark.parametrize(
    "council",
    [
        Council("E1", "N" * MAX_NAME),
        Council("E1", "\U0001f3db" * (MAX_NAME // 2) + "x"),  # 255 UTF-16 units
        Council("C" * MAX_CODE, "Dacorum Borough Council"),
    ],
)
def test_the_longest_name_and_code_fit_every_part(personaliser: Personaliser, rubric: Rubric, council: Council):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter warns, and leaves a property out, past Excel's limits
        direct = build_workbook(rubric, BuildOptions(FIXED_TIME), council)
    assert personaliser.build(council) == direct
    properties = custom_properties(direct)
    assert (properties["nps_council_name"], properties["nps_council_code"]) == (council.name, council.code)
    assert len(workbook_filename(council).encode()) <= 255


@pytest.mark.parametrize(
    "council",
    [
        Council("E1", "N" * (MAX_NAME + 1)),
        Council("E1", "\U0001f3db" * (MAX_NAME // 2 + 1)),  # 256 UTF-16 units in 128 characters
        Council("C" * (MAX_CODE + 1), "Dacorum Borough Council"),
        Council("E1", "Dacorum\x01"),
    ],
)
def test_a_name_or_code_no_workbook_can_hold_is_refused(personaliser: Personaliser, rubric: Rubric, council: Council):
    with pytest.raises(CouncilListError):
        personaliser.build(council)
    with pytest.raises(CouncilListError):
        build_workbook(rubric, BuildOptions(FIXED_TIME), council)
