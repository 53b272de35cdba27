"""Make ``samples/returns/``: realistic filled returns from the real template, plus problem files.

Deterministic (seeded). Each council on ``samples/councils.csv`` but three gets a personalised
workbook filled with a maturity profile and comments; then the problem files are added:
a duplicate (a later resubmission), a byte-identical copy, a blank-heavy return, a return
with wrongly typed scores (that council's only one, rejected), a LibreOffice-saved ``.ods``
(needs ``soffice``), and an Office lock file. Of the last three councils, one sends nothing,
one sends its personalised copy back untouched (nothing answered), and one's copy comes back
filled in under the name of a council that returned its own (held for review). So the chase list shows every
status. Run: ``SOURCE_DATE_EPOCH=1764115200 python tools/make_samples.py`` (the epoch fixes
the template date).

Then the previous round, 2021 (``samples/previous/responses-2021.csv``), from this round's answers: most councils
a little lower then, a few higher, two that did not take part then, one that took part only then, and two that
filled in the blank template under a name spelled their own way (matched by name). Its returns are collected by
nps-xlsx itself in a temporary folder, so the file is the responses CSV as ``collect --csv --round 2021`` writes
it. ``--previous-only`` remakes only that file.

Then ``samples/respondents/``: one council (Dacorum) with seven respondents in three departments
(``respondents.csv``, as ``generate --respondents`` takes it) and their filled returns (``returns/``), each made from
that respondent's own copy. Answers differ by department the way they do in practice: Finance, which runs the
central procurement team, rates the council higher than the service departments, a head of service higher than
their officers, and on a few value codes the views are far apart (CR4 "Savings and benefits delivery" from 1 to 5).
``--respondents-only`` remakes only that folder (byte-identical on every run).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import median

import pandas as pd

from nps_xlsx.collect.job import CollectOutputs, run_collect
from nps_xlsx.councils import Council, load_councils, workbook_filename
from nps_xlsx.output import build_time
from nps_xlsx.respondents import load_respondents, respondent_filename
from nps_xlsx.rubric import load_rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "samples" / "returns"
NOT_RETURNED = 3  # the last councils on the list send no filled return of their own (the chase list)

GOOD = [
    "A corporate procurement strategy approved by Cabinet sets out how we apply this.",
    "Evidence: quarterly reports to the Audit Committee and the published contracts register.",
    "Practice is consistent in the larger directorates; smaller services are catching up.",
    "We have a named lead officer and a small central team supporting service areas.",
    "Shared with neighbouring districts through our joint procurement partnership.",
]
WEAK = [
    "This is an area for improvement; we have no formal approach yet.",
    "Practice varies between departments and is not monitored.",
    "Support from the LGA or the regional hub would help here.",
    "Capacity in the team is the main constraint this year.",
]
EXEMPLARY = [
    "We would be happy to act as a case study: see our 2018 annual procurement report.",
    "Recognised in the regional awards; approach adopted by two neighbouring councils.",
]
ODD = [
    '=HYPERLINK("http://example.com") is how one officer pasted their note.',
    "+44 1442 228000 is the number to call about this.",
    "-- see the action plan --",
    "@procurement team to confirm.",
    "https://www.example.gov.uk/procurement-strategy",
]
ROLES = ["Head of Procurement", "Procurement Manager", "Commercial Lead", "Strategic Procurement Officer"]
FIRST = ["Sam", "Alex", "Priya", "Jordan", "Chris", "Morgan", "Aisha", "Tom", "Helen", "Rhys"]
LAST = ["Patel", "Jones", "Smith", "O'Neill", "Williams", "Evans", "Khan", "Brown", "Taylor", "Davies"]


def profile_answers(rubric, rng: random.Random, mean: float, blank_rate: float = 0.03) -> dict[str, Typed]:
    """Scores around a council's overall maturity, varying by key area, with comments."""
    levels = [f"{i} - {label}" for i, label in enumerate(rubric.levels, 1)]
    answers = {}
    for area in rubric.areas:
        area_mean = mean + rng.uniform(-0.9, 0.9)
        for code in area.value_codes:
            draw = rng.random()
            if draw < blank_rate:
                answers[code.id] = Typed(None, None)
                continue
            if draw < blank_rate + 0.03:
                answers[code.id] = Typed(rubric.unscored, "Not applicable to a district council.")
                continue
            score = min(5, max(1, round(rng.gauss(area_mean, 0.7))))
            bank = WEAK if score <= 2 else EXEMPLARY if score == 5 else GOOD
            comment = None
            if rng.random() < 0.45:
                comment = " ".join(rng.sample(bank, min(len(bank), rng.randint(1, 2))))
                if rng.random() < 0.3:
                    comment += "\n\n" + rng.choice(GOOD)
            answers[code.id] = Typed(levels[score - 1], comment)
    return answers


def ambition(rubric, answers: dict[str, Typed], rng: random.Random) -> tuple[dict[str, Typed], dict[str, str]]:
    """``answers`` with priority and support wanted (High and Yes more often where the score is low), and target
    levels for most key areas of most councils (where they stand, or a level or two above)."""
    levels = [f"{i} - {label}" for i, label in enumerate(rubric.levels, 1)]
    targets = {}
    if rng.random() < 0.8:
        for area in rubric.areas:
            scores = [
                int(s[0]) for c in area.value_codes if isinstance(s := answers[c.id].score, str) and s[0].isdigit()
            ]
            if rng.random() < 0.85:
                now = round(median(scores)) if scores else 3
                targets[area.id] = levels[min(len(levels), now + rng.choice((0, 1, 1, 2))) - 1]
    out = {}
    for code_id, answer in answers.items():
        low = isinstance(answer.score, str) and answer.score[:1] in ("1", "2")
        weights = (4, 3, 1, 2) if low else (2, 3, 2, 3)
        priority = rng.choices(["High", "Medium", "Low", None], weights=weights)[0]
        support = ("Yes" if rng.random() < (0.5 if low else 0.12) else "No") if rng.random() < 0.8 else None
        out[code_id] = replace(answer, priority=priority, support=support)
    return out, targets


def cover(council_name: str, rng: random.Random, completed: date) -> dict[str, object]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = "".join(ch for ch in council_name.lower().split(" council")[0] if ch.isalnum())[:20]
    return {
        "council_name": council_name,
        "respondent_name": f"{first} {last}",
        "respondent_role": rng.choice(ROLES),
        "respondent_email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@{domain}.gov.uk",
        "completion_date": completed,
    }


PREVIOUS = REPO / "samples" / "previous" / "responses-2021.csv"
NOT_THEN = ("E08000035", "E07000178")  # Leeds and Oxford did not take part in 2021
ONLY_THEN = "E09000033"  # Westminster took part in 2021 only
HIGHER_THEN = ("E08000003", "E06000052", "E06000001")  # Manchester, Cornwall, Hartlepool: higher in 2021
TYPED_NAMES = {  # filled in the blank template in 2021, the name typed their own way
    "E07000240": "St Albans City & District Council",
    "E08000021": "Newcastle-upon-Tyne City Council",
}


def collect_csv(returns: Path, work: Path, councils: list[Council] | None, round_label: str) -> pd.DataFrame:
    """``returns`` collected by nps-xlsx, with relative paths: its responses CSV, also left in ``work``."""
    here = Path.cwd()
    os.chdir(work)
    try:
        outputs = CollectOutputs(Path("summary.xlsx"), Path("responses.csv"))
        run_collect([returns.relative_to(work) if returns.is_relative_to(work) else returns], load_rubric(), outputs,
                    councils, round_label=round_label, workers=1)  # fmt: skip
        return pd.read_csv("responses.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    finally:
        os.chdir(here)


def previous_answers(rubric, now: pd.DataFrame, rng: random.Random, higher: bool) -> dict[str, Typed]:
    """A council's 2021 answers from its answers now: a score a level lower (higher, if ``higher``) at times."""
    levels = [f"{i} - {label}" for i, label in enumerate(rubric.levels, 1)]
    answers = {}
    for code_id, score, level in zip(now["code_id"], now["score"], now["level"], strict=True):
        if not score:
            answers[code_id] = Typed(rubric.unscored if level == rubric.unscored else None)
            continue
        draw = rng.random()
        step = (1 if draw < 0.35 else -1 if draw > 0.92 else 0) * (1 if higher else -1)
        then = min(5, max(1, int(score) + step))
        comment = rng.choice(WEAK if then <= 2 else EXEMPLARY if then == 5 else GOOD) if rng.random() < 0.4 else None
        answers[code_id] = Typed(levels[then - 1], comment)
    return answers


def previous_round(rubric, councils: list[Council]) -> None:
    """Write :data:`PREVIOUS`: the 2021 round, made from this round's answers and collected by nps-xlsx."""
    rng = random.Random(2021)
    issued = datetime(2021, 2, 1, tzinfo=timezone.utc)
    by_code = {council.code: council for council in councils}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "now").mkdir()
        now = collect_csv(OUT, work / "now", councils, "2025")
        returns = work / "returns"
        returns.mkdir()
        profiles = [(code, group) for code, group in now.groupby("council_code", sort=False) if code not in NOT_THEN]
        westminster = now[now["council_code"] == now["council_code"].iloc[0]].assign(
            score=[str(min(5, max(1, round(rng.gauss(3.0, 0.8))))) for _ in range(len(rubric.value_codes))],
            level="",
        )
        profiles.append((ONLY_THEN, westminster))
        for index, (code, group) in enumerate(profiles):
            council = by_code[code]
            answers = previous_answers(rubric, group, rng, higher=code in HIGHER_THEN)
            typed = TYPED_NAMES.get(code)
            template = build_workbook(rubric, BuildOptions(issued), None if typed else council)
            completed = date(2021, 3, 1) + timedelta(days=index)
            data = fill_bytes(template, answers, cover(typed or council.name, rng, completed))
            (returns / workbook_filename(council)).write_bytes(data)
        collect_csv(returns, work, None, "2021")
        PREVIOUS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "responses.csv", PREVIOUS)
    print(f"wrote {PREVIOUS}")


RESPONDENTS = REPO / "samples" / "respondents"
# department, its maturity as its respondents see it (a head of service a little higher), the respondents
DEPARTMENTS = {
    "Finance": (
        3.6,
        [
            ("pchen", "Paula Chen", "Head of Finance"),
            ("dokafor", "David Okafor", "Procurement Manager"),
            ("lmurray", "Lucy Murray", "Category Manager"),
        ],
    ),
    "Housing": (
        2.7,
        [("rbegum", "Rukhsana Begum", "Head of Housing"), ("gwalsh", "Gareth Walsh", "Contracts Officer")],
    ),
    "Environmental Services": (
        2.1,
        [
            ("mfisher", "Mark Fisher", "Head of Environmental Services"),
            ("knowak", "Kasia Nowak", "Fleet and Waste Contracts Officer"),
        ],
    ),
}
# value codes where the departments' views are far apart: the level each department gives (head, then officers)
APART = {
    "CR4": {"Finance": [5, 5, 4], "Housing": [3, 2], "Environmental Services": [2, 1]},
    "CO1": {"Finance": [4, 4, 3], "Housing": [2, 2], "Environmental Services": [1, 1]},
    "SV1": {"Finance": [2, 2, 2], "Housing": [4, 4], "Environmental Services": [3, 3]},
}
APART_COMMENTS = {
    ("CR4", "Finance"): "Savings are tracked centrally against every contract and reported to Cabinet each quarter.",
    (
        "CR4",
        "Environmental Services",
    ): "Nobody tracks benefits once a contract is let; the waste contract is a case in point.",
    ("SV1", "Housing"): "Our repairs contracts carry social value commitments that tenants helped to set.",
}


def respondent_samples(rubric) -> None:
    """``samples/respondents/``: the respondent list and a filled return per respondent (see the docstring)."""
    council = Council("E07000096", "Dacorum Borough Council")
    if RESPONDENTS.exists():
        shutil.rmtree(RESPONDENTS)
    (RESPONDENTS / "returns").mkdir(parents=True)
    lines = ["code,name,respondent_id,respondent_name,department,role"]
    for department, (_mean, people) in DEPARTMENTS.items():
        lines += [
            f"{council.code},{council.name},{rid}@dacorum.gov.uk,{name},{department},{role}"
            for rid, name, role in people
        ]
    listing = RESPONDENTS / "respondents.csv"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    levels = [f"{i} - {label}" for i, label in enumerate(rubric.levels, 1)]
    options = BuildOptions(build_time())
    listed = {line.respondent.id: line for line in load_respondents(listing)}
    for day, (department, (mean, people)) in enumerate(DEPARTMENTS.items()):
        for rank, (rid, name, role) in enumerate(people):
            rng = random.Random(f"respondent-{rid}")
            answers = profile_answers(rubric, rng, mean + (0.4 if rank == 0 else 0.0), blank_rate=0.02)
            for code_id, given in APART.items():
                comment = APART_COMMENTS.get((code_id, department)) if rank == 0 else None
                answers[code_id] = Typed(levels[given[department][rank] - 1], comment)
            line = listed[f"{rid}@dacorum.gov.uk"]
            details = {
                "respondent_name": name,
                "respondent_role": role,
                "respondent_email": line.respondent.id,
                "completion_date": date(2026, 10, 5) + timedelta(days=3 * day + rank),
            }
            template = build_workbook(rubric, options, council, line.respondent)
            path = RESPONDENTS / "returns" / respondent_filename(council, line.respondent)
            path.write_bytes(fill_bytes(template, answers, details))
    print(f"wrote {listing} and {len(list((RESPONDENTS / 'returns').iterdir()))} returns")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--previous-only", action="store_true", help="remake only the previous round's CSV")
    parser.add_argument("--respondents-only", action="store_true", help="remake only samples/respondents/")
    arguments = parser.parse_args()
    if arguments.previous_only:
        previous_round(load_rubric(), load_councils(REPO / "samples" / "councils.csv"))
        return
    if arguments.respondents_only:
        respondent_samples(load_rubric())
        return
    rubric = load_rubric()
    rng = random.Random(2018)
    options = BuildOptions(build_time())
    councils = load_councils(REPO / "samples" / "councils.csv")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    returning = councils[:-NOT_RETURNED]
    start = date(2026, 10, 1)
    written = {}
    for index, council in enumerate(returning):
        mean = rng.uniform(1.6, 4.2)
        answers, targets = ambition(rubric, profile_answers(rubric, rng, mean), random.Random(council.code))
        if index == 4:  # odd comments that must stay text
            for code_id, text in zip(["EC1", "EC2", "EC3", "SM1", "SM2"], ODD, strict=True):
                answers[code_id] = Typed(answers[code_id].score or "2 - Developing", text)
        template = build_workbook(rubric, options, council)
        data = fill_bytes(template, answers, cover(council.name, rng, start + timedelta(days=index)), targets)
        path = OUT / workbook_filename(council)
        path.write_bytes(data)
        written[council.code] = (council, template, answers, targets)

    # A resubmission: the same council's corrected return, completed later (supersedes the first).
    council, template, answers, targets = written[returning[1].code]
    fixed = dict(answers, EC1=Typed("3 - Mature", "Corrected after review by the Head of Service."))
    data = fill_bytes(template, fixed, cover(council.name, random.Random(1), start + timedelta(days=40)), targets)
    (OUT / f"{Path(workbook_filename(council)).stem}-resubmitted.xlsx").write_bytes(data)
    # A byte-identical copy (the same email forwarded twice).
    first = OUT / workbook_filename(returning[2])
    shutil.copyfile(first, OUT / f"{first.stem} (1).xlsx")
    # A blank-heavy return (this council's only one).
    council, template, _answers, _targets = written[returning[3].code]
    sparse = profile_answers(rubric, random.Random(3), 2.0, blank_rate=0.8)
    data = fill_bytes(template, sparse, cover(council.name, random.Random(3), start + timedelta(days=41)))
    (OUT / workbook_filename(council)).unlink()
    (OUT / f"{Path(workbook_filename(council)).stem}-partial.xlsx").write_bytes(data)
    # Wrongly typed scores (the drop-down bypassed by paste): accepted spellings and two errors.
    council, template, answers, targets = written[returning[5].code]
    typed = dict(answers, EC1=Typed(3), EC2=Typed("4 - leader "), EC3=Typed("seven"), SM1=Typed(3.5))
    data = fill_bytes(template, typed, cover(council.name, random.Random(5), start + timedelta(days=42)), targets)
    (OUT / workbook_filename(council)).unlink()  # this council's only return, so it is chased as rejected
    (OUT / f"{Path(workbook_filename(council)).stem}-typed.xlsx").write_bytes(data)
    # Of the councils with no filled return of their own, the first sends nothing; the second sends
    # its personalised copy back untouched (nothing answered, its only return); the third's copy is
    # filled in under the name of a council that has returned its own (an officer who works for both):
    # held for review. So each of the five chase statuses has a council.
    _silent, blank, shared = councils[-NOT_RETURNED:]
    (OUT / workbook_filename(blank)).write_bytes(build_workbook(rubric, options, blank))
    template = build_workbook(rubric, options, shared)
    answers = profile_answers(rubric, random.Random(7), 3.0)
    typed_name = returning[0].name
    data = fill_bytes(template, answers, cover(typed_name, random.Random(7), start + timedelta(days=43)))
    (OUT / workbook_filename(shared)).write_bytes(data)
    # Saved by LibreOffice as .ods (the council uses LibreOffice).
    soffice = shutil.which("soffice")
    ods_source = OUT / workbook_filename(returning[6])
    if soffice:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--headless",
                    "--convert-to",
                    "ods",
                    "--outdir",
                    tmp,
                    str(ods_source),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            ods_source.unlink()
            shutil.copyfile(Path(tmp) / f"{ods_source.stem}.ods", OUT / f"{ods_source.stem}.ods")
    else:
        print("soffice not found: no .ods sample written", file=sys.stderr)
    # An Office lock file left by someone who had a return open.
    (OUT / f"~${ods_source.stem}.xlsx").write_bytes(bytes([8]) + b"J Bloggs".ljust(164, b" "))
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT}")
    previous_round(rubric, councils)
    respondent_samples(rubric)


if __name__ == "__main__":
    main()
