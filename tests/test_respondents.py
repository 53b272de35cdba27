"""Several respondents per council (issue 16, the workbook side): the respondent list, one copy per respondent
with the respondent in its identity record and on its cover, and validate reading the respondent back."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx import layout
from nps_xlsx.cli import main
from nps_xlsx.councils import Council
from nps_xlsx.errors import CouncilListError
from nps_xlsx.respondents import Respondent, id_part, load_respondents, respondent_filename
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes
from nps_xlsx.validate import read_return

from .test_personalise import custom_properties

DACORUM = Council("E07000096", "Dacorum Borough Council")
HEADER = "code,name,respondent_id,respondent_name,department,role\n"
LINES = [
    "E07000096,Dacorum Borough Council,jsmith@dacorum.gov.uk,Jane Smith,Finance,Head of Finance\n",
    "E07000096,Dacorum Borough Council,akhan,Asha Khan,Housing,Procurement officer\n",
    "E07000103,Watford Borough Council,akhan,Ali Khan,Finance,\n",  # the same id in another council
]


def write(tmp_path: Path, text: str, name: str = "respondents.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# the respondent list


def test_a_list_is_read_with_its_councils_and_respondents(tmp_path: Path) -> None:
    listed = load_respondents(write(tmp_path, HEADER + "".join(LINES)))
    assert [(line.council.code, line.council.name) for line in listed] == [
        ("E07000096", "Dacorum Borough Council"),
        ("E07000096", "Dacorum Borough Council"),
        ("E07000103", "Watford Borough Council"),
    ]
    assert listed[0].respondent == Respondent("jsmith@dacorum.gov.uk", "Jane Smith", "Finance", "Head of Finance")
    assert listed[2].respondent == Respondent("akhan", "Ali Khan", "Finance", "")


def test_a_list_is_read_as_excel_saves_it_with_aliases_and_optional_columns(tmp_path: Path) -> None:
    """Semicolons and Windows-1252 (Excel's plain CSV in a comma-decimal locale), the council list's aliases, and
    no name, department or role column at all; the way it was read is reported."""
    text = "Council code;Council;Email;Directorate\r\nW06000001;Cyngor Sir Ynys Môn;rh@ynysmon.gov.uk;Cyllid\r\n"
    notes: list[str] = []
    (line,) = load_respondents(write(tmp_path, text, encoding="cp1252"), notes.append)
    assert line.council == Council("W06000001", "Cyngor Sir Ynys Môn")
    assert line.respondent == Respondent("rh@ynysmon.gov.uk", "", "Cyllid", "")
    assert notes == [f"Read {tmp_path / 'respondents.csv'} as Windows-1252 (not UTF-8), separated by semicolons."]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        # an id given twice for one council, compared without case
        ([*LINES[:2], "E07000096,Dacorum Borough Council,JSmith@Dacorum.gov.uk,J Smith,Legal,\n"], ":4: duplicate "),
        # a council written two ways
        ([*LINES[:1], "E07000096,Dacorum BC,bob,Bob,Legal,\n"], ":3: council code 'E07000096' is 'Dacorum Borough"),
        # two councils' codes that give one file name, as the council list refuses
        (
            [*LINES[:1], "E07-000096,Dacorum Borough Council,bob,,,\n", "E07.000096,Dacorum Borough Council,c,,,\n"],
            ":4: code 'E07.000096' gives the same file name as line 3",
        ),
        # two respondents whose copies would have one file name
        (
            [
                *LINES[:1],
                "E07000096,Dacorum Borough Council,j.smith,,Legal,\n",
                "E07000096,Dacorum Borough Council,j-smith,,Legal,\n",
            ],
            ":4: respondent 'j-smith' of E07000096 gets the same file name as line 3",
        ),
        (["E07000096,Dacorum Borough Council,,Jane,Legal,\n"], ":2: the respondent id is empty"),
        (["E07000096,Dacorum Borough Council,a\x01b,,,\n"], ":2: the respondent's id"),
        (["E07000096,Dacorum Borough Council,a," + "N" * 256 + ",,\n"], ":2: the respondent's name is 256 characters"),
    ],
)
def test_a_bad_line_is_an_error_naming_it(tmp_path: Path, lines: list[str], message: str) -> None:
    path = write(tmp_path, HEADER + "".join(lines))
    with pytest.raises(CouncilListError) as caught:
        load_respondents(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_a_list_without_an_id_column_names_the_headers_found(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,respondent_name\nE1,A council,Jane\n")
    with pytest.raises(
        CouncilListError, match=r":1: no column for the respondent's id .*'code', 'name', 'respondent_name'"
    ):
        load_respondents(path)


def test_file_names_carry_the_department_and_the_id() -> None:
    jsmith = Respondent("jsmith@dacorum.gov.uk", "Jane Smith", "Finance & Resources", "Head of Finance")
    assert respondent_filename(DACORUM, jsmith) == "E07000096-dacorum-borough-council-finance-resources-jsmith.xlsx"
    assert respondent_filename(DACORUM, Respondent("J.Smith")) == "E07000096-dacorum-borough-council-j-smith.xlsx"
    # an id with no letter or digit ASCII can show is named by a hash of it: two such ids differ
    assert id_part("李雷") != id_part("韩梅梅") and id_part("李雷").startswith("id-")
    long = Respondent("x" * 255, "", "D" * 255)
    assert len(respondent_filename(Council("C" * 64, "N" * 255), long).encode()) <= 255


# generate --respondents


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("respondents")
    path = write(root, HEADER + "".join(LINES))
    code, out, _err = run("generate", "--respondents", str(path), "--out-dir", str(root / "copies"))
    assert code == 0 and "Wrote 3 personalised workbooks" in out
    return root / "copies"


def test_one_copy_per_respondent_named_by_council_department_and_id(copies: Path) -> None:
    assert sorted(p.name for p in copies.iterdir()) == [
        "E07000096-dacorum-borough-council-finance-jsmith.xlsx",
        "E07000096-dacorum-borough-council-housing-akhan.xlsx",
        "E07000103-watford-borough-council-finance-akhan.xlsx",
    ]


def test_the_identity_record_and_the_cover_name_the_respondent(copies: Path) -> None:
    path = copies / "E07000096-dacorum-borough-council-finance-jsmith.xlsx"
    book = openpyxl.load_workbook(path)
    meta = {key: value for key, value in book[layout.META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
    expected = {
        "council_code": "E07000096",
        "council_name": "Dacorum Borough Council",
        "respondent_id": "jsmith@dacorum.gov.uk",
        "respondent_name": "Jane Smith",
        "respondent_department": "Finance",
        "respondent_role": "Head of Finance",
    }
    assert {key: meta[key] for key in expected} == expected
    properties = custom_properties(path.read_bytes())
    assert {key: properties[f"nps_{key}"] for key in expected} == expected
    cover = [value for row in book[layout.COVER_SHEET].iter_rows(values_only=True) for value in row if value]
    label = "Jane Smith (jsmith@dacorum.gov.uk), Finance, Head of Finance"
    assert f"This copy is for {label}" in cover and label in cover


def test_a_blank_field_is_left_out_of_the_record(copies: Path) -> None:
    path = copies / "E07000103-watford-borough-council-finance-akhan.xlsx"
    properties = custom_properties(path.read_bytes())
    assert properties["nps_respondent_id"] == "akhan" and "nps_respondent_role" not in properties


def test_councils_and_respondents_together_are_a_usage_error(tmp_path: Path) -> None:
    councils = write(tmp_path, "code,name\nE1,A council\n", "councils.csv")
    respondents = write(tmp_path, HEADER + LINES[0])
    code, _out, err = run("generate", "--councils", str(councils), "--respondents", str(respondents), "--out-dir", "x")
    assert code == 2 and "not both" in err
    code, _out, err = run("generate", "--respondents", str(respondents))
    assert code == 2 and "--respondents needs --out-dir" in err


def test_a_bad_list_exits_1_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + LINES[0] + LINES[0])
    code, _out, err = run("generate", "--respondents", str(path), "--out-dir", str(tmp_path / "out"))
    assert code == 1 and f"{path}:3: duplicate respondent id 'jsmith@dacorum.gov.uk'" in err
    assert not (tmp_path / "out").exists()


def test_prefill_gives_each_respondent_the_councils_earlier_answers(tmp_path: Path, rubric: Rubric) -> None:
    earlier = tmp_path / "responses-2021.csv"
    rows = ["source_file,council,council_code,area,code_id,value_code,score,level,comment,round,rubric_fingerprint"]
    rows.append(
        f"d.xlsx,Dacorum Borough Council,E07000096,Engaging Councillors,EC1,x,2,Developing,,2021,{rubric.fingerprint}"
    )
    earlier.write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = write(tmp_path, HEADER + "".join(LINES))
    out_dir = tmp_path / "out"
    code, out, _err = run("generate", "--respondents", str(path), "--out-dir", str(out_dir), "--prefill", str(earlier))
    assert code == 0, out
    assert (
        "Pre-filled 2 workbooks with the answers from 2021; 1 blank (not in 2021: Watford Borough Council (E07000103))."
        in out
    )
    reports = {p.name: read_return(p, rubric) for p in sorted(out_dir.iterdir())}
    for name, report in reports.items():
        assert report.response is not None and report.response.respondent is not None
        ec1 = report.response.answers[0]
        if name.startswith("E07000096"):
            assert report.response.prefill is not None and (ec1.code_id, ec1.score) == ("EC1", 2)
        else:
            assert report.response.prefill is None and ec1.status == "blank"


# validate


def test_validate_reads_the_respondent_back(copies: Path, rubric: Rubric, tmp_path: Path) -> None:
    issued = (copies / "E07000096-dacorum-borough-council-finance-jsmith.xlsx").read_bytes()
    ids = [code.id for code in rubric.value_codes]
    filled = tmp_path / "finance-jsmith.xlsx"
    filled.write_bytes(fill_bytes(issued, {i: Typed("2 - Developing") for i in ids}, {"respondent_name": "J. Smith"}))
    code, out, _err = run("validate", str(filled))
    assert code == 0
    who = "Jane Smith (jsmith@dacorum.gov.uk), Finance, Head of Finance"
    assert out.splitlines()[0] == f"{filled}: accepted (59 of 59 answered); respondent {who}"
    code, out, _err = run("validate", "--json", str(filled))
    response = json.loads(out)["files"][0]["response"]
    assert response["respondent"] == {
        "id": "jsmith@dacorum.gov.uk",
        "name": "Jane Smith",
        "department": "Finance",
        "role": "Head of Finance",
    }
    assert response["respondent_name"] == "J. Smith"  # what was typed on the cover, apart from the issued identity
    assert response["council_code"] == "E07000096"


def test_a_copy_without_a_respondent_reads_as_before(personalised_path: Path, rubric: Rubric) -> None:
    report = read_return(personalised_path, rubric)
    assert report.response is not None and report.response.respondent is None
    assert report.response.to_dict()["respondent"] is None
    assert not any(issue.code == "respondent-identity-invalid" for issue in report.issues)


def tampered(path: Path, out: Path, **changes: str | None) -> Path:
    """The copy with its identity record's keys changed (on the hidden sheet and in the document properties)."""
    book = openpyxl.load_workbook(path)
    for row in book[layout.META_SHEET].iter_rows(min_row=2, max_col=2):
        if row[0].value in changes:
            row[1].value = changes[row[0].value]
    for key, value in changes.items():
        if f"nps_{key}" in book.custom_doc_props.names:
            del book.custom_doc_props[f"nps_{key}"]
        if value:
            book.custom_doc_props.append(openpyxl.packaging.custom.StringProperty(f"nps_{key}", value))
    book.save(out)
    return out


@pytest.mark.parametrize(
    ("changes", "missing"),
    [({"council_code": None}, "no council code"), ({"respondent_id": None}, "no respondent id")],
)
def test_an_inconsistent_respondent_record_is_a_located_error(
    copies: Path, rubric: Rubric, tmp_path: Path, changes: dict[str, str | None], missing: str
) -> None:
    path = tampered(copies / "E07000096-dacorum-borough-council-housing-akhan.xlsx", tmp_path / "t.xlsx", **changes)
    report = read_return(path, rubric)
    (issue,) = [i for i in report.issues if i.code == "respondent-identity-invalid"]
    assert issue.severity == "error" and issue.location.file == str(path) and missing in issue.message
    assert report.status == "rejected" and report.response is not None and report.response.respondent is None


def test_collect_uses_both_respondents_of_one_council(copies: Path, rubric: Rubric, tmp_path: Path) -> None:
    """Respondent mode (tests/test_respondent_mode.py): two respondents' returns of one council are not a
    resubmission of the council's; each is used, and the later supersedes nothing."""
    from datetime import date

    ids = [code.id for code in rubric.value_codes]
    returns = tmp_path / "returns"
    returns.mkdir()
    for name, level, day in (("finance-jsmith", "2 - Developing", 10), ("housing-akhan", "4 - Leader", 12)):
        issued = next(copies.glob(f"E07000096-*-{name}.xlsx")).read_bytes()
        answers = {i: Typed(level) for i in ids}
        (returns / f"{name}.xlsx").write_bytes(fill_bytes(issued, answers, {"completion_date": date(2025, 1, day)}))
    ledger = tmp_path / "files.csv"
    code, _out, err = run("collect", str(returns), "--out", str(tmp_path / "s.xlsx"), "--ledger", str(ledger))
    assert code == 0, err
    rows = ledger.read_text(encoding="utf-8-sig").splitlines()[1:]
    status = {row.split(",")[0].rsplit("/", 1)[-1]: row.split(",")[1] for row in rows}
    assert status == {"finance-jsmith.xlsx": "accepted", "housing-akhan.xlsx": "accepted"}


def test_copies_are_reproducible(copies: Path, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "".join(LINES))
    run("generate", "--respondents", str(path), "--out-dir", str(tmp_path / "again"))
    for copy in copies.iterdir():
        assert (tmp_path / "again" / copy.name).read_bytes() == copy.read_bytes()
        with zipfile.ZipFile(io.BytesIO(copy.read_bytes())) as archive:
            assert archive.testzip() is None


def test_the_samples_are_one_councils_respondents_who_disagree(rubric: Rubric) -> None:
    """samples/respondents: the list and a return per respondent, read back as issued; departments differ."""
    from .conftest import REPO

    folder = REPO / "samples" / "respondents"
    listed = load_respondents(folder / "respondents.csv")
    assert len({line.council for line in listed}) == 1 and 6 <= len(listed) <= 8
    assert len({line.respondent.department for line in listed}) == 3
    reports = [read_return(path, rubric) for path in sorted((folder / "returns").glob("*.xlsx"))]
    assert all(r.status in ("accepted", "accepted-with-warnings") and r.response for r in reports)
    assert {r.response.respondent for r in reports} == {line.respondent for line in listed}
    scores: dict[str, list[int]] = {}
    for report in reports:
        for answer in report.response.answers:
            if answer.score is not None:
                scores.setdefault(answer.code_id, []).append(answer.score)
    assert max(max(s) - min(s) for s in scores.values()) >= 3


@pytest.mark.real_client
@pytest.mark.parametrize("target", ["xlsx", "ods"])
def test_a_respondents_copy_resaved_by_libreoffice_still_names_the_respondent(
    copies: Path, rubric: Rubric, tmp_path: Path, target: str
) -> None:
    from .clients import soffice_convert

    issued = (copies / "E07000096-dacorum-borough-council-housing-akhan.xlsx").read_bytes()
    filled = tmp_path / "housing-akhan.xlsx"
    filled.write_bytes(fill_bytes(issued, {code.id: Typed("3 - Mature") for code in rubric.value_codes}))
    resaved = soffice_convert(filled, target, tmp_path / "out", tmp_path / "lo_profile")
    original, report = read_return(filled, rubric), read_return(resaved, rubric)
    assert report.status == "accepted" and report.format == target
    assert report.response is not None and original.response is not None
    assert report.response.respondent == Respondent("akhan", "Asha Khan", "Housing", "Procurement officer")
    assert report.response.respondent == original.response.respondent
    assert report.response.answers == original.response.answers
