"""The README's "Output contracts" name exactly the keys of ``validate --json`` and the columns of the CSV files.

The returns are built in code and read only through the command line, so the test sees what scripts see.
A key or column renamed, removed, or added without a line in the README fails here.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.rubric import Rubric, load_rubric
from nps_xlsx.testing import Typed, fill_bytes

from .mail_files import Mail, write_eml

README = Path(__file__).resolve().parents[1] / "README.md"
TICKED = re.compile(r"`([^`]+)`")

DACORUM, WATFORD, HERTSMERE = "E07000096", "E07000103", "E07000098"
THREE_RIVERS, ST_ALBANS, OXFORD = "E07000102", "E07000240", "E07000178"
NORTH_HERTS = "E07000099"  # not on the list: a respondent's copy
# code, name, then two columns of the council's own (they follow ours in chase.csv, in this order)
COUNCILS = [
    ("code", "name", "region", "email"),
    (DACORUM, "Dacorum Borough Council", "East of England", "procurement@dacorum.example"),
    (WATFORD, "Watford Borough Council", "East of England", ""),
    (HERTSMERE, "Hertsmere Borough Council", "East of England", "hertsmere@example.org"),
    (THREE_RIVERS, "Three Rivers District Council", "", ""),
    (ST_ALBANS, "St Albans City and District Council", "East of England", ""),
    (OXFORD, "Oxford City Council", "South East", "oxford@example.org"),
]
OWN_COLUMNS = ["region", "email"]


@dataclass(frozen=True)
class Field:
    """One documented key or column: its name, type and the text describing its values."""

    name: str
    type: str
    value: str
    cell: str  # the whole first cell, which may name several fields

    def values(self) -> list[str]:
        """The values the description names, in its order (its `ticked` words)."""
        return TICKED.findall(self.value)


def section(text: str, heading: str) -> str:
    """The README's text under the heading that starts ``heading``, up to the next of its level or higher."""
    level = heading.split(" ")[0]
    start = re.search(rf"^{re.escape(heading)}.*\n", text, re.M).end()
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", text[start:], re.M)]
    return text[start : start + ends[0]] if ends else text[start:]


def tables(text: str) -> dict[str, list[Field]]:
    """Each Markdown table, by its first header cell (unticked), as its rows' first three cells."""
    found: dict[str, list[Field]] = {}
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if block:
            name = block[0][0].strip("`")
            assert name not in found, f"two tables named {name!r}"
            found[name] = [Field(_ticked(row[0]), *[*row, "", ""][1:3], row[0]) for row in block[2:]]
        block = []
    return found


def _ticked(cell: str) -> str:
    match = TICKED.search(cell)
    assert match, f"a table row's first cell names no field: {cell!r}"
    return match[1]


TEXT = README.read_text(encoding="utf-8")
CONTRACT = tables(section(TEXT, "### Output contracts"))
JSON_OBJECTS = [
    *("report", "counts", "files[]", "issues[]", "response", "answers[]", "targets[]", "prefill", "respondent"),
    "message",
]
CSV_FILES = ["responses.csv", "files.csv", "chase.csv", "targets.csv", "priorities.csv"]
MAIL_FILES = ["invite-report.csv", "sent-log.csv"]  # nps-xlsx mail's, checked in test_mail.py
JSON_TYPES = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list, "null": type(None)}


def documented(table: str) -> list[str]:
    names = [f.name for f in CONTRACT[table]]
    assert len(names) == len(set(names)), f"a field listed twice in {table}"
    return names


def field(table: str, name: str) -> Field:
    return next(f for f in CONTRACT[table] if f.name == name)


def only_with(table: str, words: str) -> list[str]:
    """The columns documented as written only in some runs: their value starts with ``words``."""
    return [f.name for f in CONTRACT[table] if f.value.startswith(words)]


RESPONDENT_MODE_ONLY = "respondent mode only"
WITH_RESPONDENTS_ONLY = "with `--respondents` only"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Returns whose files and councils take every status, from copies ``generate`` personalised.

    Dacorum accepted (its copy pre-filled with an earlier round's answers), Watford accepted with warnings (and an
    older copy superseded), Hertsmere rejected, Three Rivers blank, St Albans held (another council's name
    typed), Oxford not returned, a lock file skipped; a respondent's copy of a council not on the list (so collect
    runs in respondent mode, each council's own return used alone); Watford's return again, attached to a saved
    email.
    """
    root = tmp_path_factory.mktemp("contracts")
    councils = root / "councils.csv"
    councils.write_text("".join(",".join(row) + "\n" for row in COUNCILS), encoding="utf-8")
    run("generate", "--councils", str(councils), "--out-dir", str(root / "copies"))
    copy = {code: next((root / "copies").glob(f"{code}-*.xlsx")).read_bytes() for code, *_ in COUNCILS[1:]}
    earlier = root / "responses-2021.csv"
    rows = ["source_file,council,council_code,area,code_id,value_code,score,level,comment,round,rubric_fingerprint"]
    tail = f"2021,{load_rubric().fingerprint}"
    rows.append(f"d.xlsx,Dacorum Borough Council,{DACORUM},Engaging Councillors,EC1,Reporting,2,Developing,,{tail}")
    earlier.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run("generate", "--councils", str(councils), "--out-dir", str(root / "prefilled"), "--prefill", str(earlier))
    copy[DACORUM] = next((root / "prefilled").glob(f"{DACORUM}-*.xlsx")).read_bytes()
    # a respondent's copy (generate --respondents) of a council not on the list, its role left blank
    respondents = root / "respondents.csv"
    respondents.write_text(
        "code,name,respondent_id,respondent_name,department\n"
        f"{NORTH_HERTS},North Hertfordshire District Council,jsmith,Jane Smith,Finance\n",
        encoding="utf-8",
    )
    run("generate", "--respondents", str(respondents), "--out-dir", str(root / "respondents"))
    copy[NORTH_HERTS] = (
        root / "respondents" / f"{NORTH_HERTS}-north-hertfordshire-district-council-finance-jsmith.xlsx"
    ).read_bytes()
    blank = json.loads(run("validate", "--json", str(root / "copies")))["files"][0]["response"]
    ids = [answer["code_id"] for answer in blank["answers"]]

    folder = root / "returns"
    folder.mkdir()

    def put(name: str, code: str, answers: dict[str, Typed], cover: dict[str, object], targets=None) -> None:
        (folder / name).write_bytes(fill_bytes(copy[code], answers, cover, targets))

    every = {i: Typed("3 - Mature", "A named lead officer." if i == ids[1] else None) for i in ids}
    # Dacorum also marks priorities (every choice, and some left blank), support and two key areas' targets
    marks = [("High", "Yes"), ("Medium", "No"), ("Low", None), (None, "Yes")]
    every |= {i: Typed("3 - Mature", None, *marks[n % 4]) for n, i in enumerate(ids[2:9])}
    targets = {area["area_id"]: level for area, level in zip(blank["targets"], (4, 2), strict=False)}
    dated = {"completion_date": date(2025, 1, 10)}
    put("dacorum.xlsx", DACORUM, {**every, ids[0]: Typed("Unscored")}, dated, targets)
    one = {ids[0]: Typed("2 - Developing", "a start\nmore to do")}
    put("watford-old.xlsx", WATFORD, one, {"completion_date": date(2025, 1, 5)})
    put("watford.xlsx", WATFORD, one, {"completion_date": date(2025, 1, 12), "respondent_name": "A. Officer"})
    put("hertsmere.xlsx", HERTSMERE, {ids[0]: Typed("seven")}, {})
    put("three-rivers.xlsx", THREE_RIVERS, {}, {})
    put("st-albans.xlsx", ST_ALBANS, one, {"council_name": "Luton Borough Council"})
    put("north-herts-finance-jsmith.xlsx", NORTH_HERTS, one, {})
    (folder / "~$dacorum.xlsx").write_bytes(b"\x05Owner" + bytes(160))
    # Watford's return again, attached to an email with a signature image: an identical copy, superseded
    attachments = [("watford.xlsx", (folder / "watford.xlsx").read_bytes()), ("signature.png", b"\x89PNG")]
    write_eml(folder / "reply.eml", Mail("Pat <pat@watford.example>", "Our return", attachments=attachments))
    return root


@pytest.fixture(scope="module")
def report(returns: Path) -> dict[str, object]:
    return json.loads(run("validate", "--json", str(returns / "returns")))


@pytest.fixture(scope="module")
def outputs(returns: Path) -> dict[str, bytes]:
    """The three CSV files of one ``collect`` run, by their names in the README."""
    out = returns / "out"
    out.mkdir()
    paths = {name: out / name for name in CSV_FILES}
    run(
        "collect",
        str(returns / "returns"),
        "--expected",
        str(returns / "councils.csv"),
        "--out",
        str(out / "summary.xlsx"),
        "--csv",
        str(paths["responses.csv"]),
        "--ledger",
        str(paths["files.csv"]),
        "--chase",
        str(paths["chase.csv"]),
        "--targets",
        str(paths["targets.csv"]),
        "--priorities",
        str(paths["priorities.csv"]),
    )
    found = {name: path.read_bytes() for name, path in paths.items()}
    return found | {"responses-consensus.csv": (out / "responses-consensus.csv").read_bytes()}


def instances(report: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    """Every object of the JSON report, by the name of the README table that documents its kind."""
    files: list[dict[str, object]] = report["files"]
    responses = [f["response"] for f in files if f["response"] is not None]
    return {
        "report": [report],
        "counts": [report["counts"]],
        "files[]": files,
        "issues[]": [issue for f in files for issue in f["issues"]],
        "response": responses,
        "answers[]": [answer for r in responses for answer in r["answers"]],
        "targets[]": [target for r in responses for target in r["targets"]],
        "prefill": [r["prefill"] for r in responses if r["prefill"] is not None],
        "respondent": [r["respondent"] for r in responses if r["respondent"] is not None],
        "message": [f["message"] for f in files if f["message"] is not None],
    }


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_readme_documents_each_output() -> None:
    assert set(CONTRACT) == {*JSON_OBJECTS, *CSV_FILES, *MAIL_FILES}
    for table in CONTRACT:
        assert documented(table), f"the table {table} lists no field"


def test_every_json_object_has_exactly_the_documented_keys(report: dict[str, object]) -> None:
    for table, objects in instances(report).items():
        assert objects, f"the returns produced no {table} to check"
        for obj in objects:
            assert set(obj) == set(documented(table)), table


def test_every_json_value_has_the_documented_type(report: dict[str, object]) -> None:
    for table, objects in instances(report).items():
        for f in CONTRACT[table]:
            allowed = {JSON_TYPES[word] for word in f.type.split(" or ")}
            for obj in objects:
                assert type(obj[f.name]) in allowed, (table, f.name, obj[f.name])  # a bool is no integer


def test_json_values_are_those_documented(report: dict[str, object]) -> None:
    objects = instances(report)
    assert report["contract"] == int(field("report", "contract").values()[0])
    statuses = field("files[]", "status").values()
    assert statuses == documented("counts")  # every status is counted, none other
    assert list(report["counts"]) == statuses
    # The returns take every value each enumeration documents, and no other.
    for table, name in (("files[]", "status"), ("issues[]", "severity"), ("answers[]", "status")):
        assert {o[name] for o in objects[table]} == set(field(table, name).values()), (table, name)
    formats = {o["format"] for o in objects["files[]"]} - {None}
    assert formats and formats <= set(field("files[]", "format").values())


def test_the_respondent_is_the_one_the_copy_was_issued_to(report: dict[str, object]) -> None:
    respondents = {f["path"].rsplit("/", 1)[-1]: f["response"]["respondent"] for f in report["files"] if f["response"]}
    assert respondents.pop("north-herts-finance-jsmith.xlsx") == {
        "id": "jsmith",
        "name": "Jane Smith",
        "department": "Finance",
        "role": None,
    }
    assert set(respondents.values()) == {None}  # copies made for councils


def test_identity_has_the_keys_of_the_workbook_contract(report: dict[str, object]) -> None:
    identity = tables(section(TEXT, "## The workbook contract"))["key"]  # the Identity table
    keys = {key for row in identity for key in TICKED.findall(row.cell)}
    for response in instances(report)["response"]:
        assert set(response["identity"]) == keys


@pytest.mark.parametrize("name", CSV_FILES)
def test_csv_columns_are_those_documented_in_order(outputs: dict[str, bytes], name: str) -> None:
    data = outputs[name]
    assert data.startswith(codecs.BOM_UTF8) and data.endswith(b"\r\n")
    header = data[len(codecs.BOM_UTF8) :].split(b"\r\n")[0].decode("utf-8").split(",")
    per_council = [c for c in documented(name) if c not in only_with(name, WITH_RESPONDENTS_ONLY)]
    assert header == per_council + (OWN_COLUMNS if name == "chase.csv" else [])
    assert rows(data), f"{name} has no rows to check"


def test_respondent_mode_columns_are_documented_as_such() -> None:
    assert only_with("responses.csv", RESPONDENT_MODE_ONLY) == [
        "respondent_id",
        "respondent_name",
        "department",
        "role",
    ]
    assert only_with("chase.csv", WITH_RESPONDENTS_ONLY) == ["respondent_id", "respondent_name", "department", "role"]
    ledger = documented("files.csv")
    at = ledger.index("all_unchanged") + 1
    assert ledger[at : at + 4] == ["respondent_id", "respondent_name", "department", "role"]


def test_the_consensus_csv_has_the_columns_of_one_response_per_council(outputs: dict[str, bytes]) -> None:
    data = outputs["responses-consensus.csv"]
    header = data[len(codecs.BOM_UTF8) :].split(b"\r\n")[0].decode("utf-8").split(",")
    assert header == [
        c for c in documented("responses.csv") if c not in only_with("responses.csv", RESPONDENT_MODE_ONLY)
    ]
    assert rows(data)


def test_the_chase_csv_per_respondent_has_the_documented_columns(returns: Path, tmp_path: Path) -> None:
    chase = tmp_path / "chase.csv"
    listing = returns / "respondents.csv"
    run(
        "collect",
        str(returns / "returns"),
        "--respondents",
        str(listing),
        "--out",
        str(tmp_path / "s.xlsx"),
        "--chase",
        str(chase),
    )
    data = chase.read_bytes()
    assert data[len(codecs.BOM_UTF8) :].split(b"\r\n")[0].decode("utf-8").split(",") == documented("chase.csv")
    assert [r["respondent_id"] for r in rows(data)] == ["jsmith"]


@pytest.mark.parametrize("name", CSV_FILES)
def test_csv_integer_columns_hold_integers(outputs: dict[str, bytes], name: str) -> None:
    integers = [f.name for f in CONTRACT[name] if f.type == "integer"]
    assert {f.type for f in CONTRACT[name]} <= {"text", "integer"}
    for row in rows(outputs[name]):
        for column in integers:
            assert re.fullmatch(r"[0-9]*", row[column]), (name, column, row[column])


def test_csv_statuses_and_rows_are_as_documented(report: dict[str, object], outputs: dict[str, bytes]) -> None:
    ledger, chase, responses = rows(outputs["files.csv"]), rows(outputs["chase.csv"]), rows(outputs["responses.csv"])
    assert {r["status"] for r in ledger} == set(field("files.csv", "status").values())
    # the ledger: every entry, in the order validate reads them
    assert [r["path"] for r in ledger] == [f["path"] for f in report["files"]]
    # the chase list: every expected council once, by status in the documented order, then in list order
    order = field("chase.csv", "status").values()
    assert {r["status"] for r in chase} == set(order)
    listed = [code for code, *_ in COUNCILS[1:]]
    key = [(order.index(r["status"]), listed.index(r["council_code"])) for r in chase]
    assert key == sorted(key) and len(chase) == len(listed)
    # responses: the used returns in the ledger's order, each with its value codes in the rubric's order
    used = [r["path"] for r in ledger if r["status"] in ("accepted", "accepted-with-warnings")]
    assert list(dict.fromkeys(r["source_file"] for r in responses)) == used
    ids = [a["code_id"] for a in instances(report)["response"][0]["answers"]]
    assert [r["code_id"] for r in responses] == ids * len(used)


def test_csv_ambition_answers_are_those_validate_reads(
    report: dict[str, object], outputs: dict[str, bytes], rubric: Rubric
) -> None:
    """responses.csv's priority, support and target are each answer's and its key area's as validate --json reads
    them; their values are those documented, and a return without any has them empty."""
    by_path = {f["path"]: f["response"] for f in report["files"] if f["response"] is not None}
    area_ids = {area.name: area.id for area in rubric.areas}
    responses = rows(outputs["responses.csv"])
    for row in responses:
        response = by_path[row["source_file"]]
        answer = next(a for a in response["answers"] if a["code_id"] == row["code_id"])
        assert (row["priority"], row["support"]) == (answer["priority"] or "", answer["support"] or "")
        target = {t["area_id"]: t["level"] for t in response["targets"]}[area_ids[row["area"]]]
        assert row["target"] == ("" if target is None else str(target))
    for name in ("priority", "support"):
        assert {r[name] for r in responses} == {"", *field("responses.csv", name).values()}, name
    assert {r["target"] for r in responses} == {"", "4", "2"}
    watford = [r for r in responses if r["council_code"] == WATFORD]
    assert watford and all(r["priority"] == r["support"] == r["target"] == "" for r in watford)
