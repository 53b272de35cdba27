"""Property tests: random answers round-trip exactly; one corrupted score gives exactly one located error."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nps_xlsx import a1, layout
from nps_xlsx.rubric import load_rubric
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate.check import read_return

RUBRIC = load_rubric()
CHOICES = layout.score_choices(RUBRIC)
IDS = [code.id for code in RUBRIC.value_codes]
TEMPLATE = None

# Any Unicode a spreadsheet cell can hold: no surrogates (not text) and no XML-illegal control characters
# (those are removed with a warning; tested in test_validate.py).
ILLEGAL = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF]))
comment_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=ILLEGAL), max_size=300)
answer = st.builds(Typed, st.sampled_from([*CHOICES, None]), st.one_of(st.none(), comment_text))
answers = st.dictionaries(st.sampled_from(IDS), answer, max_size=len(IDS))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def template_bytes(template_path: Path) -> bytes:
    global TEMPLATE
    if TEMPLATE is None:
        TEMPLATE = template_path.read_bytes()
    return TEMPLATE


def read(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "return.xlsx"
        path.write_bytes(data)
        return read_return(path, RUBRIC)


@SETTINGS
@given(answers=answers)
def test_valid_answers_round_trip(template_path: Path, answers: dict[str, Typed]) -> None:
    report = read(fill_bytes(template_bytes(template_path), answers, {"council_name": "Test Council"}))
    if any(a.score is not None or (a.comment or "").strip() for a in answers.values()):
        assert report.status in ("accepted", "accepted-with-warnings")
        assert [i.code for i in report.issues if i.code != "score-blank"] == []
    else:  # nothing answered: one error for the whole file, not a warning per blank score
        assert (report.status, [i.code for i in report.issues]) == ("rejected", ["nothing-answered"])
    for result in report.response.answers:
        given_answer = answers.get(result.code_id, Typed())
        if given_answer.score is None:
            assert (result.status, result.score) == ("blank", None)
        elif given_answer.score == RUBRIC.unscored:
            assert (result.status, result.score) == ("unscored", None)
        else:
            assert (result.status, result.score) == ("scored", CHOICES.index(given_answer.score) + 1)
        assert result.comment == (given_answer.comment or "").strip()


bad_scores = st.one_of(
    st.sampled_from(
        ["three", "seven", "3/4", "3 or 4", "Good", "3 - Leader", "6 - Mature", "0", "7", "3.5", "-2", "x"]
    ),
    st.integers(min_value=-1000, max_value=1000).filter(lambda n: not 1 <= n <= 5),
    st.floats(min_value=-100, max_value=100, allow_nan=False).filter(lambda f: not f.is_integer()),
    st.sampled_from(["=1+2", "=NOW()", '="3 - Mature"']),  # formulas with no calculated value
)


@SETTINGS
@given(code_id=st.sampled_from(IDS), bad=bad_scores)
def test_one_corrupted_score_gives_one_error_there(template_path: Path, code_id: str, bad: object) -> None:
    answers = {c: Typed(CHOICES[i % 5]) for i, c in enumerate(IDS)}
    answers[code_id] = Typed(bad)
    report = read(fill_bytes(template_bytes(template_path), answers, {"council_name": "Test Council"}))
    assert report.status == "rejected"
    [error] = report.issues
    area = RUBRIC.area_of(code_id)
    row = layout.code_row([c.id for c in area.value_codes].index(code_id))
    assert (error.value_code, error.location.sheet, error.location.cell) == (
        code_id,
        area.sheet,
        a1.cell_ref(row, layout.score_col(RUBRIC)),
    )
    assert error.code in ("score-invalid", "formula-without-value")
    assert next(a for a in report.response.answers if a.code_id == code_id).score is None
