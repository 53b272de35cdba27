"""Cohort analysis (issue 13): statistics per value code, overall and per segment of the council list, against
hand-computed examples; ``collect --group-by`` end to end (usage errors, the summary's sheets, the CSV's columns).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect import cohort
from nps_xlsx.collect.cohort import NOT_GIVEN, NOT_LISTED, build_cohort, segments_frame
from nps_xlsx.columns import RESPONSE_COLUMNS, ROW_COLUMNS
from nps_xlsx.councils import Council, group_columns
from nps_xlsx.errors import GroupByError
from nps_xlsx.layout import categories
from nps_xlsx.read.own_outputs import recognise
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import FIXED_TIME


def council(code: str, kind: str, region: str) -> Council:
    return Council(code, f"Council {code}", (("type", kind), ("region", region), ("email", f"{code}@example.org")))


# A, B districts in the East; C a county of no region given; D, E unitaries in the South West; F a county in the
# North East that sent nothing (an empty segment); G a district whose return was rejected; H no type, London.
LIST = [
    council("A", "District", "East of England"),
    council("B", "District", "East of England"),
    council("C", "County", ""),
    council("D", "Unitary", "South West"),
    council("E", "Unitary", "South West"),
    council("F", "County", "North East"),
    council("G", "District", "East of England"),
    council("H", "", "London"),
]
U = "U"  # unscored
SCORES = {  # council -> value code -> score (U: unscored); every other value code is not answered
    "A": {"EC1": 1, "EC2": 3, "EC3": 2, "SM1": 1},
    "B": {"EC1": 2, "EC2": 3, "EC3": 5, "SM1": 4},
    "C": {"EC1": 4, "EC2": 3},
    "D": {"EC1": 5},
    "E": {"EC1": U, "EC2": 3},
}
STATUSES = {"A": "returned", "B": "returned", "C": "returned", "D": "returned", "E": "returned"}
STATUSES |= {"F": "not-returned", "G": "rejected", "H": "blank"}


def responses(rubric: Rubric, scores: dict[str, dict[str, object]]) -> pd.DataFrame:
    """A responses frame as :func:`nps_xlsx.collect.tables.responses_frame` makes it: each return's every value code."""
    labels = categories(rubric)
    rows = []
    for code, given in scores.items():
        for area in rubric.areas:
            for value_code in area.value_codes:
                score = given.get(value_code.id)
                number = score if isinstance(score, int) else None
                level = rubric.levels[number - 1] if number else (rubric.unscored if score == U else "")
                category = labels[number - 1] if number else (rubric.unscored if score == U else labels[-1])
                rows.append((f"{code}.xlsx", f"Council {code}", code, area.name, value_code.id, "", number, level))
                rows[-1] += ("", category)
    frame = pd.DataFrame(rows, columns=[*ROW_COLUMNS, "category"]).drop(columns="comment")
    frame["score"] = frame["score"].astype("Int64")
    return frame


@pytest.fixture(scope="module")
def result(rubric: Rubric) -> cohort.Cohort:
    segments = segments_frame(LIST, ["type", "region"])
    chase = pd.DataFrame({"council_code": list(STATUSES), "status": list(STATUSES.values())})
    return build_cohort(responses(rubric, SCORES), rubric, segments, chase)


def row(frame: pd.DataFrame, **where: object) -> dict[str, object]:
    found = frame
    for column, value in where.items():
        found = found[found[column] == value]
    assert len(found) == 1, where
    return found.iloc[0].to_dict()


def test_statistics_of_a_value_code_overall(result: cohort.Cohort) -> None:
    """EC1: scores 1, 2, 4, 5 and one unscored of five returns. Quartiles by linear interpolation:
    lower 1 + 0.75 x (2 - 1) = 1.75, upper 4 + 0.25 x (5 - 4) = 4.25."""
    ec1 = row(result.statistics, ID="EC1")
    assert (ec1["Returns"], ec1["n"], ec1["Median"], ec1["Minimum"], ec1["Maximum"]) == (5, 4, 3.0, 1, 5)
    assert (ec1["Lower quartile"], ec1["Upper quartile"], ec1["Interquartile range"]) == (1.75, 4.25, 2.5)
    assert ec1["At Mature or above"] == 2 / 4  # 4 and 5 of the four scores: Mature is level 3
    assert ec1["Unscored or blank"] == 1 / 5  # E's Unscored, of the five returns
    ec3 = row(result.statistics, ID="EC3")  # 2 and 5 scored, three not answered
    assert (ec3["n"], ec3["Median"], ec3["Lower quartile"], ec3["Upper quartile"]) == (2, 3.5, 2.75, 4.25)
    assert (ec3["At Mature or above"], ec3["Unscored or blank"]) == (1 / 2, 3 / 5)
    ec2 = row(result.statistics, ID="EC2")  # four 3s, D blank
    assert (ec2["n"], ec2["Interquartile range"], ec2["At Mature or above"], ec2["Unscored or blank"]) == (
        4,
        0.0,
        1.0,
        1 / 5,
    )


def test_a_value_code_nobody_scored_has_no_statistics(result: cohort.Cohort) -> None:
    last = row(result.statistics, ID="SM2")
    assert (last["Returns"], last["n"], last["Unscored or blank"]) == (5, 0, 1.0)
    assert all(math.isnan(last[c]) for c in ("Median", "Lower quartile", "Minimum", "At Mature or above"))


def test_widest_interquartile_ranges_ties_in_rubric_order(result: cohort.Cohort) -> None:
    """EC1 2.5; EC3 and SM1 (1 and 4: 1.75 to 3.25) 1.5 each, in rubric order; EC2 0; the rest unscored."""
    assert result.widest["ID"].tolist() == ["EC1", "EC3", "SM1", "EC2"]
    assert result.widest["Rank"].tolist() == [1, 2, 3, 4]
    assert result.widest["Interquartile range"].tolist() == [2.5, 1.5, 1.5, 0.0]
    assert cohort.widest_spread(result.statistics, top=2)["ID"].tolist() == ["EC1", "EC3"]


def test_statistics_per_segment(result: cohort.Cohort) -> None:
    """EC1 of the districts A and B: 1 and 2; of the unitaries: D's 5 and E's Unscored."""
    by = result.by_segment
    district = row(by, Grouping="type", Segment="District", ID="EC1")
    assert (district["n"], district["Median"], district["Lower quartile"], district["Upper quartile"]) == (
        2,
        1.5,
        1.25,
        1.75,
    )
    assert (district["At Mature or above"], district["Unscored or blank"]) == (0.0, 0.0)
    unitary = row(by, Grouping="type", Segment="Unitary", ID="EC1")
    assert (unitary["Returns"], unitary["n"], unitary["Median"]) == (2, 1, 5.0)
    assert (unitary["At Mature or above"], unitary["Unscored or blank"]) == (1.0, 0.5)


def test_an_empty_segment_has_zero_counts_and_no_median(result: cohort.Cohort, rubric: Rubric) -> None:
    """The North East is on the list (F) but sent no usable return."""
    north_east = row(result.by_segment, Grouping="region", Segment="North East", ID="EC1")
    assert (north_east["Returns"], north_east["n"]) == (0, 0)
    assert math.isnan(north_east["Median"]) and math.isnan(north_east["Unscored or blank"])
    area = rubric.areas[0].name
    counts = row(result.areas, Grouping="region", Segment="North East", **{"Key area": area})
    assert counts["Total"] == 0 and math.isnan(counts["Median"])
    assert all(counts[c] == 0 for c in categories(rubric))
    participation = row(result.participation, Grouping="region", Segment="North East")
    assert (participation["Expected"], participation["Not returned"], participation["Share returned"]) == (1, 1, 0.0)


def test_blank_values_are_a_segment_of_their_own(result: cohort.Cohort) -> None:
    """C has no region: its EC1 4 is the segment "(not given)"; H has no type."""
    assert row(result.by_segment, Grouping="region", Segment=NOT_GIVEN, ID="EC1")["Median"] == 4.0
    blank = row(result.participation, Grouping="type", Segment=NOT_GIVEN)
    assert (blank["Expected"], blank["Returned blank"], blank["Share returned"]) == (1, 1, 0.0)
    regions = result.participation[result.participation["Grouping"] == "region"]["Segment"].tolist()
    assert regions == ["East of England", "London", "North East", "South West", NOT_GIVEN]


def test_participation_per_segment(result: cohort.Cohort) -> None:
    district = row(result.participation, Grouping="type", Segment="District")
    assert (district["Expected"], district["Returned"], district["Returned but rejected"]) == (3, 2, 1)
    assert district["Share returned"] == 2 / 3
    county = row(result.participation, Grouping="type", Segment="County")
    assert (county["Expected"], county["Returned"], county["Not returned"], county["Share returned"]) == (2, 1, 1, 0.5)
    assert result.participation["Expected"].groupby(result.participation["Grouping"]).sum().tolist() == [8, 8]


def test_levels_and_median_per_segment_and_key_area(result: cohort.Cohort, rubric: Rubric) -> None:
    """Engaging Councillors (EC1-EC3): the districts A and B 1, 3, 2 and 2, 3, 5 (median 2.5); the county C
    4, 3 and one not answered (median 3.5)."""
    area = rubric.areas[0]
    assert [c.id for c in area.value_codes] == ["EC1", "EC2", "EC3"]
    districts = row(result.areas, Grouping="type", Segment="District", **{"Key area": area.name})
    levels = [districts[label] for label in categories(rubric)[: len(rubric.levels)]]
    assert (levels, districts["Not answered"], districts["Total"], districts["Median"]) == ([1, 2, 2, 0, 1], 0, 6, 2.5)
    county = row(result.areas, Grouping="type", Segment="County", **{"Key area": area.name})
    assert (county["3 - Mature"], county["4 - Leader"], county["Not answered"], county["Median"]) == (1, 1, 1, 3.5)
    first = result.areas[result.areas["Key area"] == area.name]
    assert first[first["Grouping"] == "type"]["Segment"].tolist() == ["County", "District", "Unitary", NOT_GIVEN]


def test_a_return_of_a_council_not_on_the_list(rubric: Rubric) -> None:
    frame = responses(rubric, {"A": {"EC1": 2}, "Z": {"EC1": 4}})
    segments = segments_frame(LIST, ["type"])
    stats = build_cohort(frame, rubric, segments).by_segment
    assert row(stats, Segment=NOT_LISTED, ID="EC1")["Median"] == 4.0
    assert row(stats, Segment="District", ID="EC1")["Median"] == 2.0


def test_group_columns_are_matched_like_the_lists_headers() -> None:
    assert group_columns(LIST, ["Region", " TYPE ", "region"]) == ["region", "type"]
    with pytest.raises(GroupByError) as error:
        group_columns(LIST, ["kind"])
    assert "'kind'" in str(error.value) and "'type', 'region', 'email'" in str(error.value)
    with pytest.raises(GroupByError, match="only the code and the name"):
        group_columns([Council("A", "Alpha")], ["type"])


# ---------------------------------------------------------------- the command line


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def collected(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three returns (two districts, one with no region given) of a list of four councils, collected by region
    and type, with the responses CSV."""
    root = tmp_path_factory.mktemp("cohort")
    councils = root / "councils.csv"
    councils.write_text(
        "code,name,Type,region,level,=cost centre\n"
        "E1,Alpha,District,East of England,x,@A1\nE2,Beta,District,,y,\nE3,Gamma,County,East of England,z,\n"
        "E4,Delta,County,North East,w,\n",
        encoding="utf-8",
    )
    returns = root / "returns"
    returns.mkdir()
    options = BuildOptions(FIXED_TIME)
    for code, name, score in (("E1", "Alpha", "1 - Minimum"), ("E2", "Beta", "3 - Mature"), ("E3", "Gamma", None)):
        template = build_workbook(rubric, options, Council(code, name))
        answers = {"EC1": Typed(score or "5 - Innovator"), "EC2": Typed("Unscored")}
        (returns / f"{code}.xlsx").write_bytes(fill_bytes(template, answers, {"council_name": name}))
    out = root / "out"
    result = run(
        "collect", str(returns), "--out", str(out / "summary.xlsx"), "--csv", str(out / "responses.csv"),
        "--expected", str(councils), "--group-by", "region", "--group-by", "type", "--group-by", "LEVEL",
        "--group-by", "=cost centre", "--workers", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_the_csv_carries_the_group_columns(collected: Path, rubric: Rubric) -> None:
    with (collected / "responses.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == [*RESPONSE_COLUMNS, "region", "Type", "level (council list)", "'=cost centre"]
    assert {r["'=cost centre"] for r in rows} == {"'@A1", ""}  # neutralised, as every CSV text is
    assert recognise(collected / "responses.csv") == "responses"
    by_council = {r["council_code"]: (r["region"], r["Type"], r["level (council list)"]) for r in rows}
    assert by_council == {"E1": ("East of England", "District", "x"), "E2": ("", "District", "y")} | {
        "E3": ("East of England", "County", "z")
    }
    assert len(rows) == 3 * len(rubric.value_codes)


def test_the_summary_has_the_segment_sheets(collected: Path) -> None:
    book = openpyxl.load_workbook(collected / "summary.xlsx", read_only=True)
    for name in ("Value code statistics", "Widest spread", "Segments", "Segments by key area"):
        assert name in book.sheetnames
    header, *rows = book["Segments"].iter_rows(values_only=True)
    found = {(r[0], r[1]): r for r in rows}
    assert set(found) >= {("region", "East of England"), ("region", NOT_GIVEN), ("region", "North East")}
    north_east = dict(zip(header, found[("region", "North East")], strict=True))
    assert (north_east["Expected"], north_east["Returned"], north_east["Not returned"]) == (1, 0, 1)
    header, *rows = book["Value codes by segment"].iter_rows(values_only=True)
    ec1 = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows if r[2] == "EC1"}
    assert ec1[("Type", "District")]["Median"] == 2  # 1 and 3
    assert ec1[("Type", "County")]["Median"] == 5
    assert ec1[("region", "North East")]["n"] == 0 and ec1[("region", "North East")]["Median"] is None
    assert ec1[("=cost centre", "@A1")]["Median"] == 1  # text from the list is written as text


def test_a_segment_chart_per_grouping_and_key_area(collected: Path, rubric: Rubric) -> None:
    book = openpyxl.load_workbook(collected / "summary.xlsx")
    assert len(book["Segment charts"]._charts) == 4 * len(rubric.areas)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group-by", "region"], "--group-by needs --expected"),
        (["--group-by", "kind", "--expected", "{councils}"], "'Type', 'region', 'level', '=cost centre'"),
    ],
)
def test_group_by_usage_errors(collected: Path, tmp_path: Path, args: list[str], message: str) -> None:
    councils = collected.parent / "councils.csv"
    out = tmp_path / "summary.xlsx"
    args = [a.format(councils=councils) for a in args]
    result = run("collect", str(collected.parent / "returns"), "--out", str(out), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()
