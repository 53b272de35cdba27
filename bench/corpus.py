"""The synthetic corpus: N filled returns, planned file by file, built with 2 processes and cached by N.

File *i* is the same in every corpus (:func:`plan_file`); :func:`ensure_corpus` builds the folder and its
manifest (kinds, planted invalid files) unless a complete cached copy exists. Also the synthetic council list
that ``generate`` is timed with, and issue 13's cohort inputs (:func:`ensure_cohort`): a council list with ``type``
and ``region`` columns and a previous round's responses CSV, collected by nps-xlsx from a corpus of its own
(:func:`plan_previous_file`).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from meter import log

CORPUS_VERSION = 1  # bump when the corpus recipe changes, so cached corpora are rebuilt
SEED = 20180
PREVIOUS_SEED = 20210  # the previous round's answers
COHORT_VERSION = 1  # bump when the cohort recipe (council list, previous round) changes
PREVIOUS_ROUND = "2021"
INVALID_EVERY = 50  # one file in 50 (2%) is an invalid return
LONG_EVERY = 5  # one file in 5 (20%) has several 3-5 paragraph comments
SPARSE_EVERY = 20  # one file in 20 (5%) is mostly blank
BUILD_PROCESSES = 2

ROLES = ("Head of Procurement", "Procurement Manager", "Commercial Lead", "Category Manager")
FIRST = ("Sam", "Alex", "Priya", "Jordan", "Chris", "Aisha", "Tom", "Helen", "Rhys", "Zoë")
LAST = ("Patel", "Jones", "Smith", "O'Neill", "Williams", "Evans", "Khan", "Brown", "Davies")
LONG_SENTENCES = (
    "Our approach was reviewed by internal audit in the last financial year, which found reasonable assurance.",
    "The corporate procurement board meets monthly and is chaired by the Section 151 officer.",
    "Service managers own their contracts, and the central team provides templates, training and challenge.",
    "We have mapped our third-party spend by category and identified the ten largest areas for review.",
    "Progress is reported to the Audit and Governance Committee, with exceptions escalated to Cabinet.",
    "The action plan includes a refreshed contract procedure rules document, due for approval in the spring.",
    "We collaborate with the county and neighbouring districts on joint frameworks where it offers value.",
    "Social value commitments are written into contracts above £100,000 and monitored quarterly.",
    "Supplier feedback from the last market engagement event was positive, particularly from local SMEs.",
    "Capacity remains the main constraint: two posts were vacant for most of the year.",
    "A category strategy for adult social care is being developed jointly with the commissioning team.",
    "Evidence: the published contracts register, the annual procurement report and the member briefing pack.",
)


@dataclass(frozen=True)
class CorpusFile:
    """One planned file of the corpus: its name and what kind of return it is."""

    index: int
    name: str
    council: str
    kind: str  # "normal", "long", "sparse", "invalid-text-score", "invalid-number-score", "invalid-truncated"
    seed: int = SEED


def plan_file(index: int) -> CorpusFile:
    """Decide file ``index``'s name, council and kind, deterministically (file i is the same in every corpus)."""
    from nps_xlsx.testing import synthetic_council

    council = synthetic_council(index).name
    if index % INVALID_EVERY == INVALID_EVERY // 2:
        kind = ("invalid-text-score", "invalid-number-score", "invalid-truncated")[(index // INVALID_EVERY) % 3]
    elif index % LONG_EVERY == 1:
        kind = "long"
    elif index % SPARSE_EVERY == 3:
        kind = "sparse"
    else:
        kind = "normal"
    return CorpusFile(index, f"R{index:05d}.xlsx", council, kind)


def previous_shift(n: int) -> int:
    """How far the previous round's councils are shifted from this round's: councils ``shift .. n + shift - 1``
    took part then, so the first ``shift`` are in this round only and the last ``shift`` in the previous round only."""
    return n // 20


def plan_previous_file(n: int, index: int) -> CorpusFile:
    """File ``index`` of the previous round of the ``n``-file corpus: council ``index + previous_shift(n)``,
    answered afresh (another seed), with this round's mix of long and sparse returns but none invalid."""
    from nps_xlsx.testing import synthetic_council

    council = index + previous_shift(n)
    kind = plan_file(council).kind
    kind = "normal" if kind.startswith("invalid") else kind
    return CorpusFile(council, f"P{council:05d}.xlsx", synthetic_council(council).name, kind, PREVIOUS_SEED)


def long_comment(rng) -> str:
    """A comment of 3-5 paragraphs, each of 3-6 sentences."""
    return "\n\n".join(" ".join(rng.sample(LONG_SENTENCES, rng.randint(3, 6))) for _ in range(rng.randint(3, 5)))


def make_return(template: bytes, rubric, planned: CorpusFile) -> bytes:
    """The bytes of one synthetic return, filled with :func:`nps_xlsx.testing.fill_bytes`."""
    import random

    from nps_xlsx.testing import Typed, fill_bytes, random_answers

    rng = random.Random(planned.seed * 1_000_003 + planned.index)
    blank_rate = 0.6 if planned.kind == "sparse" else 0.1
    answers = random_answers(rubric, rng, blank_rate=blank_rate)
    ids = list(answers)
    if planned.kind == "long":
        for code_id in rng.sample(ids, rng.randint(4, 10)):
            answers[code_id] = Typed(answers[code_id].score or "3 - Mature", long_comment(rng))
    elif planned.kind == "invalid-text-score":
        answers[rng.choice(ids)] = Typed("seven", "We think this is a seven.")
    elif planned.kind == "invalid-number-score":
        answers[rng.choice(ids)] = Typed(7, None)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    cover = {
        "council_name": planned.council,
        "respondent_name": f"{first} {last}",
        "respondent_role": rng.choice(ROLES),
        "respondent_email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.gov.uk",
        "completion_date": date(2026, 10, 1) + timedelta(days=rng.randint(0, 60)),
    }
    data = fill_bytes(template, answers, cover)
    if planned.kind == "invalid-truncated":
        data = data[: int(len(data) * rng.uniform(0.3, 0.9))]
    return data


_WORKER: dict[str, object] = {}


def _init_builder(template: bytes, out_dir: str) -> None:
    """Corpus-building worker set-up: load the rubric once per process."""
    from nps_xlsx.rubric import load_rubric

    _WORKER.update(template=template, rubric=load_rubric(), out_dir=Path(out_dir))


def _build_chunk(chunk: list[CorpusFile]) -> int:
    """Write the returns of ``chunk`` into the corpus folder; return how many bytes were written."""
    written = 0
    for planned in chunk:
        data = make_return(_WORKER["template"], _WORKER["rubric"], planned)  # type: ignore[arg-type]
        (_WORKER["out_dir"] / planned.name).write_bytes(data)  # type: ignore[operator]
        written += len(data)
    return written


def ensure_corpus(workdir: Path, n: int, previous: bool = False) -> tuple[Path, dict]:
    """The folder of the N-file corpus (``previous``: of its previous round, ``previous-N``), built (with 2
    processes) unless a complete cached copy exists.

    The manifest sits next to the folder (not in it, so collect does not see it) and is written last.
    """
    import multiprocessing

    stem = f"{'previous' if previous else 'corpus'}-{n}"
    folder, manifest_path = workdir / stem, workdir / f"{stem}.json"
    plans = [plan_previous_file(n, i) if previous else plan_file(i) for i in range(n)]
    if manifest_path.exists() and folder.is_dir():
        manifest = json.loads(manifest_path.read_text())
        complete = sum(1 for _ in folder.iterdir()) == n
        if manifest.get("version") == CORPUS_VERSION and manifest.get("n") == n and complete:
            manifest["cached"] = True
            return folder, manifest
    log(f"building the {'previous round' if previous else 'corpus'} of {n:,} returns in {folder} ...")
    from nps_xlsx.output import build_time
    from nps_xlsx.rubric import load_rubric
    from nps_xlsx.template.builder import BuildOptions, build_workbook

    shutil.rmtree(folder, ignore_errors=True)
    manifest_path.unlink(missing_ok=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    template = build_workbook(load_rubric(), BuildOptions(build_time()))
    chunks = [plans[i : i + 100] for i in range(0, n, 100)]
    total_bytes = done = 0
    with multiprocessing.get_context("fork").Pool(BUILD_PROCESSES, _init_builder, (template, str(folder))) as pool:
        for size in pool.imap_unordered(_build_chunk, chunks):
            total_bytes += size
            done += 1
            if done % max(1, len(chunks) // 10) == 0:
                log(f"  {min(done * 100, n):,}/{n:,} files")
    kinds: dict[str, int] = {}
    for planned in plans:
        kinds[planned.kind] = kinds.get(planned.kind, 0) + 1
    manifest = {
        "version": CORPUS_VERSION,
        "n": n,
        "bytes": total_bytes,
        "kinds": kinds,
        "invalid": [planned.name for planned in plans if planned.kind.startswith("invalid")],
    }
    return folder, _saved(manifest_path, manifest, start, f" ({total_bytes / 1e6:.0f} MB)")


def synthetic_councils(path: Path, count: int) -> None:
    """Write a council list of ``count`` synthetic councils (code,name,region)."""
    from nps_xlsx.testing import synthetic_council

    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "region"])
        for i in range(count):
            council = synthetic_council(i)
            writer.writerow([council.code, council.name, "Synthetic"])


def previous_round_of(path: Path, count: int, seed: int = PREVIOUS_SEED) -> None:
    """An earlier round's responses CSV for the councils of :func:`synthetic_councils` (``generate --prefill``):
    every council's realistic answers (:func:`nps_xlsx.testing.random_answers`), with a priority, support wanted
    and target level (the issue-15 columns), as ``collect --csv`` writes it."""
    import random

    from nps_xlsx.columns import RESPONSE_COLUMNS
    from nps_xlsx.csv_table import write_csv
    from nps_xlsx.layout import PRIORITY_CHOICES, SUPPORT_CHOICES
    from nps_xlsx.rubric import load_rubric
    from nps_xlsx.testing import random_answers, synthetic_council

    rubric = load_rubric()
    rng = random.Random(seed)
    areas = {code.id: area.name for area in rubric.areas for code in area.value_codes}
    rows = []
    for i in range(count):
        council = synthetic_council(i)
        targets = {area.name: rng.choice([None, 3, 4, 5]) for area in rubric.areas}
        answers = random_answers(rubric, rng)
        for code in rubric.value_codes:
            answer = answers[code.id]
            score = int(str(answer.score)[0]) if answer.score and answer.score != rubric.unscored else None
            level = rubric.levels[score - 1] if score else (rubric.unscored if answer.score else "")
            rows.append(
                (f"returns/{council.code}.xlsx", council.name, council.code, areas[code.id], code.id, code.name,
                 score, level, answer.comment or "", PREVIOUS_ROUND, rubric.fingerprint,
                 rng.choice(("", *PRIORITY_CHOICES)), rng.choice(("", *SUPPORT_CHOICES)), targets[areas[code.id]])
            )  # fmt: skip
    write_csv(path, [*RESPONSE_COLUMNS, "priority", "support", "target"], rows)


TYPES = ("Non-metropolitan district", "Unitary", "Metropolitan district", "London borough", "County")
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
)
BLANK_EVERY = (50, 40)  # one council in 50 has no type, one in 40 no region (blanks in the grouped columns)
UNCODED_EVERY = 25  # one council in 25 of the previous round is missing from its list: matched by name


def council_segments(index: int) -> tuple[str, str]:
    """Council ``index``'s ``type`` and ``region`` (deterministic; a few blank)."""
    import random

    rng = random.Random(SEED * 7 + index)
    kind, region = rng.choice(TYPES), rng.choice(REGIONS)
    return ("" if rng.randrange(BLANK_EVERY[0]) == 0 else kind, "" if rng.randrange(BLANK_EVERY[1]) == 0 else region)


def grouped_councils(path: Path, indices: list[int]) -> None:
    """Write a council list (code,name,type,region) of the synthetic councils ``indices``."""
    from nps_xlsx.testing import synthetic_council

    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "type", "region"])
        for i in indices:
            council = synthetic_council(i)
            writer.writerow([council.code, council.name, *council_segments(i)])


def ensure_cohort(workdir: Path, n: int, cli: list[str]) -> tuple[Path, dict]:
    """Issue 13's inputs for the N-file corpus, in ``cohort-N/`` unless a complete cached copy exists:
    ``councils.csv``, the corpus's N councils with ``type`` and ``region``, and ``responses-2021.csv``, the
    previous round: the ``previous-N`` corpus (:func:`plan_previous_file`) collected by ``nps-xlsx collect
    --expected previous-councils.csv --csv … --round 2021``. Its list leaves out one council in 25, whose rows
    then have no council code and are matched by name. The manifest ``cohort-N.json`` is written last.
    """
    from nps_xlsx.rubric import load_rubric

    folder, manifest_path = workdir / f"cohort-{n}", workdir / f"cohort-{n}.json"
    key = {"version": COHORT_VERSION, "corpus_version": CORPUS_VERSION, "n": n, "rubric": load_rubric().fingerprint}
    if manifest_path.exists() and folder.is_dir():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in key.items()):
            manifest["cached"] = True
            return folder, manifest
    previous, _manifest = ensure_corpus(workdir, n, previous=True)
    log(f"building the cohort inputs (council list, previous round {PREVIOUS_ROUND}) in {folder} ...")
    start = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    manifest_path.unlink(missing_ok=True)
    folder.mkdir(parents=True)
    grouped_councils(folder / "councils.csv", list(range(n)))
    shift = previous_shift(n)
    listed = [i for i in range(shift, n + shift) if i % UNCODED_EVERY != UNCODED_EVERY - 1]
    grouped_councils(folder / "previous-councils.csv", listed)
    out = folder / "previous-out"
    out.mkdir()
    command = [
        *cli,
        "collect",
        str(previous),
        "--expected",
        str(folder / "previous-councils.csv"),
        "--csv",
        str(folder / f"responses-{PREVIOUS_ROUND}.csv"),
        "--round",
        PREVIOUS_ROUND,
        "--out",
        str(out / "summary.xlsx"),
        "--ledger",
        str(out / "files.csv"),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        failed = f"collecting the previous round failed (exit {done.returncode}): {' '.join(command)}"
        raise SystemExit(f"{failed}\n{done.stderr[-3000:]}")
    manifest = {
        **key,
        "previous_councils": n,
        "previous_listed": len(listed),
    }
    return folder, _saved(manifest_path, manifest, start)


def _saved(manifest_path: Path, manifest: dict, start: float, size: str = "") -> dict:
    """``manifest`` with its build time, written to ``manifest_path`` (and marked as just built)."""
    manifest["build_seconds"] = round(time.perf_counter() - start, 1)
    manifest["built_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    manifest_path.write_text(json.dumps(manifest, indent=1))
    log(f"  built in {manifest['build_seconds']} s{size}")
    return {**manifest, "cached": False}
