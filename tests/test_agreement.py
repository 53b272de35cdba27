"""Agreement among a council's respondents (issue 16): the consensus rules, the spread and the disagreement flag,
and the results per department, on hand-worked examples of the respondent-mode tidy frame."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from nps_xlsx.collect.agreement import (
    AGREEMENT_COLUMNS,
    CONSENSUS_RULES,
    DEFAULT_CONSENSUS,
    DISAGREEMENT,
    NOT_GIVEN,
    UNSCORED,
    agreement,
    by_group,
    consensus,
)
from nps_xlsx.columns import RESPONDENT_COLUMNS, RESPONSE_COLUMNS
from nps_xlsx.rubric import Rubric

U = UNSCORED
# Council A's four respondents (two in Finance, one in Housing, one who gave no department) and Council B's one,
# which has no code (told apart by its name). Each answer: a level, U (Unscored) or None (not answered).
RESPONDENTS = {
    "a1": ("A", "Council A", "Finance", "Head of Finance"),
    "a2": ("A", "Council A", "Finance", "Buyer"),
    "a3": ("A", "Council A", "Housing", "Buyer"),
    "a4": ("A", "Council A", "", ""),
    "b1": ("", "Council B", "Finance", "Buyer"),
}
ANSWERS: dict[str, dict[str, int | str | None]] = {
    "EC1": {"a1": 2, "a2": 3, "a3": None, "a4": U, "b1": 5},  # median 2.5: the rules differ
    "EC2": {"a1": 1, "a2": 4, "a3": 5, "a4": 3, "b1": None},  # 1 3 4 5: median 3.5, spread 4
    "EC3": {"a1": None, "a2": None, "a3": None, "a4": None, "b1": None},  # all blank
    "SM1": {"a1": U, "a2": None, "a3": U, "a4": None, "b1": U},  # nothing scored, some Unscored
    "SM2": {"a1": 3, "a2": 3, "a3": 3, "a4": 3, "b1": 1},  # all agree
    "SM3": {"a1": 2, "a2": None, "a3": 4, "a4": None, "b1": 2},  # spread exactly 2: flagged
}
# Council A, worked by hand: code -> (n, median, min, max, {rule: consensus})
A_EXPECTED = {
    "EC1": (2, 2.5, 2, 3, {"median-down": 2, "median": 3, "min": 2}),
    "EC2": (4, 3.5, 1, 5, {"median-down": 3, "median": 4, "min": 1}),
    "EC3": (0, None, None, None, dict.fromkeys(CONSENSUS_RULES, None)),
    "SM1": (0, None, None, None, dict.fromkeys(CONSENSUS_RULES, U)),
    "SM2": (4, 3.0, 3, 3, dict.fromkeys(CONSENSUS_RULES, 3)),
    "SM3": (2, 3.0, 2, 4, {"median-down": 3, "median": 3, "min": 2}),
}


def tidy(rubric: Rubric) -> pd.DataFrame:
    """The respondent-mode tidy frame (the responses CSV's columns, then the respondent's), as collect makes it:
    each respondent's return, its value codes in rubric order."""
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    names = {code.id: code.name for code in rubric.value_codes}
    rows = []
    for rid, (code, council, department, role) in RESPONDENTS.items():
        for code_id, answers in ANSWERS.items():
            answer = answers[rid]
            score = answer if isinstance(answer, int) else None
            level = rubric.levels[score - 1] if score else (rubric.unscored if answer == U else "")
            row = (f"{rid}.xlsx", council, code, areas[code_id], code_id, names[code_id], score, level, "")
            rows.append((*row, "2025", rubric.fingerprint, "", "", None, rid, rid.upper(), department, role))
    frame = pd.DataFrame(rows, columns=[*RESPONSE_COLUMNS, *RESPONDENT_COLUMNS])
    frame["score"] = frame["score"].astype("Int64")
    return frame


def label(rubric: Rubric, value: int | str | None) -> str:
    return rubric.levels[value - 1] if isinstance(value, int) else (rubric.unscored if value == U else "")


@pytest.mark.parametrize("rule", CONSENSUS_RULES)
def test_consensus_of_one_council_and_value_code_by_each_rule(rule: str) -> None:
    for code_id, (_n, _median, _low, _high, wanted) in A_EXPECTED.items():
        answers = [ANSWERS[code_id][rid] for rid in ("a1", "a2", "a3", "a4")]
        assert consensus(answers, rule) == wanted[rule], (code_id, rule)


def test_the_default_rule_is_the_median_rounded_down_and_rules_are_checked() -> None:
    assert DEFAULT_CONSENSUS == "median-down" and CONSENSUS_RULES == ("median-down", "median", "min")
    assert consensus([2, 3]) == 2 and consensus([1, 2, 2, 5]) == 2 and consensus([4]) == 4
    assert consensus([]) is None and consensus([None, None]) is None and consensus([U, None]) == U
    assert consensus([U, 5, None], "min") == 5  # an Unscored beside a score leaves the score alone
    with pytest.raises(ValueError, match="unknown consensus rule 'mean'"):
        consensus([1, 2], "mean")
    with pytest.raises(ValueError, match="unknown consensus rule"):
        consensus([None], "mean")


@pytest.mark.parametrize("rule", CONSENSUS_RULES)
def test_agreement_per_council_and_value_code(rubric: Rubric, rule: str) -> None:
    table = agreement(tidy(rubric), rubric, rule)
    assert list(table.columns) == AGREEMENT_COLUMNS
    assert list(table["council"]) == ["Council A"] * 6 + ["Council B"] * 6
    assert list(table["code_id"]) == list(ANSWERS) * 2
    assert list(table["n_respondents"]) == [4] * 6 + [1] * 6
    for row in table[table["council_code"] == "A"].itertuples():
        n, median, low, high, wanted = A_EXPECTED[row.code_id]
        assert row.n == n, row.code_id
        if median is None:
            assert all(pd.isna(v) for v in (row.median, row.min, row.max, row.spread, row.score))
            assert not row.disagreement
        else:
            assert (row.median, row.min, row.max, row.spread) == (median, low, high, high - low)
            assert row.disagreement == (high - low >= DISAGREEMENT)
            assert row.score == wanted[rule]
        assert row.level == label(rubric, wanted[rule]), row.code_id
    council_b = table[table["council"] == "Council B"].set_index("code_id")
    assert list(council_b["n"]) == [1, 0, 0, 0, 1, 1]
    assert list(council_b["level"]) == ["Innovator", "", "", "Unscored", "Minimum", "Developing"]
    assert not council_b["disagreement"].any() and list(council_b["spread"].dropna()) == [0, 0, 0]


def test_disagreement_is_a_spread_of_two_levels_or_more(rubric: Rubric) -> None:
    table = agreement(tidy(rubric), rubric)
    flagged = table.loc[table["disagreement"], ["council_code", "code_id", "spread"]]
    assert DISAGREEMENT == 2
    assert flagged.values.tolist() == [["A", "EC2", 4], ["A", "SM3", 2]]


def test_one_name_per_council_though_typed_differently(rubric: Rubric) -> None:
    frame = tidy(rubric)
    frame.loc[frame["respondent_id"] == "a2", "council"] = "Council A (Finance)"
    table = agreement(frame, rubric)
    assert set(table["council"]) == {"Council A", "Council B"} and len(table) == 12


def test_an_empty_frame_gives_an_empty_table(rubric: Rubric) -> None:
    assert agreement(tidy(rubric).iloc[0:0], rubric).empty


def test_by_department_per_key_area_and_value_code(rubric: Rubric) -> None:
    frame = tidy(rubric)
    areas = by_group(frame, "department")
    assert list(areas.columns) == ["department", "area", "respondents", "n", "median"]
    ec, sm = rubric.areas[0].name, rubric.areas[1].name
    got = {
        (r.department, r.area): (r.respondents, r.n, None if math.isnan(r.median) else r.median)
        for r in areas.itertuples()
    }
    # Finance: a1, a2 and b1. EC scores 2 3 1 4 5 -> median 3; SM scores 3 2 3 1 2 -> 2
    # Housing: a3. EC 5; SM 3 4 -> 3.5.  Not given: a4. EC 3; SM 3.
    assert got == {
        ("Finance", ec): (3, 5, 3.0),
        ("Finance", sm): (3, 5, 2.0),
        ("Housing", ec): (1, 1, 5.0),
        ("Housing", sm): (1, 2, 3.5),
        (NOT_GIVEN, ec): (1, 1, 3.0),
        (NOT_GIVEN, sm): (1, 1, 3.0),
    }
    assert list(areas["department"]) == ["Finance", "Finance", "Housing", "Housing", NOT_GIVEN, NOT_GIVEN]
    codes = by_group(frame[frame["council_code"] == "A"], "role", per="code_id")
    assert list(codes.columns) == ["role", "area", "code_id", "value_code", "respondents", "n", "median"]
    buyers = codes[codes["role"] == "Buyer"].set_index("code_id")  # a2 and a3
    assert list(buyers["n"]) == [1, 2, 0, 0, 2, 1] and buyers.loc["EC2", "median"] == 4.5
    assert pd.isna(buyers.loc["EC3", "median"]) and set(buyers["respondents"]) == {2}
    assert list(dict.fromkeys(codes["role"])) == ["Head of Finance", "Buyer", NOT_GIVEN]
