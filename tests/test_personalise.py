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
from nps_xlsx.respondents import Respondent
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.template.personalise import Personaliser

from .conftest import DACORUM, FIXED_TIME


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


@pytest.mark.parametrize(
    "respondent",
    [
        Respondent("jsmith", "Jane Smith", "Finance", "Head of Finance"),
        Respondent("jsmith@dacorum.gov.uk"),  # name, department and role blank: another template
        Respondent("akhan", "", "Housing"),
        Respondent("a", "Dacorum Borough Council", "Finance", "Finance"),  # the council's name; department == role
        Respondent("E07000096", "Cover", "Engaging Councillors"),  # the code; strings the workbook has already
        Respondent("_x0041_", " padded ", "R&D <x>", 'The "Quoted"'),  # an OOXML escape, padding, XML-special
        Respondent("0", "0"),  # id and name the same
    ],
)
def test_a_respondents_copy_has_the_same_bytes_as_a_direct_build(
    personaliser: Personaliser, rubric: Rubric, respondent: Respondent
) -> None:
    direct = build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM, respondent)
    assert personaliser.build(DACORUM, respondent=respondent) == direct


def test_a_respondents_copy_is_made_from_its_template_when_it_can_be(
    rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path is taken (no direct build) for plain texts; a template per shape of blank fields."""
    personaliser = Personaliser(rubric, BuildOptions(FIXED_TIME))
    personaliser.build(DACORUM, respondent=Respondent("x", "X", "Y", "Z"))  # builds its template

    def no_direct_build(*_args: object) -> bytes:
        raise AssertionError("built directly")

    monkeypatch.setattr("nps_xlsx.template.personalise.build_workbook", no_direct_build)
    personaliser.build(
        Council("E1", "Another Council"), respondent=Respondent("jsmith", "Jane Smith", "Finance", "Lead")
    )
    with pytest.raises(AssertionError, match="built directly"):  # a new shape needs its template built
        personaliser.build(DACORUM, respondent=Respondent("jsmith"))
    assert len(personaliser.templates) == 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=20), min_size=4, max_size=4), council=st.sampled_from(["Dacorum", "0"]))
@example(texts=["a", "b", "b", ""], council="Dacorum")  # department equal to name
@example(texts=["Dacorum", "x", "", ""], council="Dacorum")  # id equal to the council's name
def test_any_respondent_text(personaliser: Personaliser, rubric: Rubric, texts: list[str], council: str) -> None:
    respondent, issued = Respondent(*texts), Council("E1", council)
    try:
        direct = build_workbook(rubric, BuildOptions(FIXED_TIME), issued, respondent)
    except CouncilListError:  # control characters, or no id: both refuse
        with pytest.raises(CouncilListError):
            personaliser.build(issued, respondent=respondent)
        return
    assert personaliser.build(issued, respondent=respondent) == direct
