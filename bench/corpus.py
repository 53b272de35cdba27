"""The synthetic corpus: N filled returns, planned file by file, built with 2 processes and cached by N.

File *i* is the same in every corpus (:func:`plan_file`); :func:`ensure_corpus` builds the folder and its
manifest (kinds, planted invalid files) unless a complete cached copy exists. Also the synthetic council list
that ``generate`` is timed with.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from meter import log

CORPUS_VERSION = 1  # bump when the corpus recipe changes, so cached corpora are rebuilt
SEED = 20180
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


def long_comment(rng) -> str:
    """A comment of 3-5 paragraphs, each of 3-6 sentences."""
    return "\n\n".join(" ".join(rng.sample(LONG_SENTENCES, rng.randint(3, 6))) for _ in range(rng.randint(3, 5)))


def make_return(template: bytes, rubric, planned: CorpusFile) -> bytes:
    """The bytes of one synthetic return, filled with :func:`nps_xlsx.testing.fill_bytes`."""
    import random

    from nps_xlsx.testing import Typed, fill_bytes, random_answers

    rng = random.Random(SEED * 1_000_003 + planned.index)
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


def _build_chunk(indices: list[int]) -> int:
    """Write the returns of ``indices`` into the corpus folder; return how many bytes were written."""
    written = 0
    for index in indices:
        planned = plan_file(index)
        data = make_return(_WORKER["template"], _WORKER["rubric"], planned)  # type: ignore[arg-type]
        (_WORKER["out_dir"] / planned.name).write_bytes(data)  # type: ignore[operator]
        written += len(data)
    return written


def ensure_corpus(workdir: Path, n: int) -> tuple[Path, dict]:
    """The folder of the N-file corpus, built (with 2 processes) unless a complete cached copy exists.

    The manifest sits next to the folder (not in it, so collect does not see it) and is written last.
    """
    import multiprocessing

    folder, manifest_path = workdir / f"corpus-{n}", workdir / f"corpus-{n}.json"
    if manifest_path.exists() and folder.is_dir():
        manifest = json.loads(manifest_path.read_text())
        complete = sum(1 for _ in folder.iterdir()) == n
        if manifest.get("version") == CORPUS_VERSION and manifest.get("n") == n and complete:
            manifest["cached"] = True
            return folder, manifest
    log(f"building the corpus of {n:,} returns in {folder} ...")
    from nps_xlsx.output import build_time
    from nps_xlsx.rubric import load_rubric
    from nps_xlsx.template.builder import BuildOptions, build_workbook

    shutil.rmtree(folder, ignore_errors=True)
    manifest_path.unlink(missing_ok=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    template = build_workbook(load_rubric(), BuildOptions(build_time()))
    chunks = [list(range(i, min(i + 100, n))) for i in range(0, n, 100)]
    total_bytes = done = 0
    with multiprocessing.get_context("fork").Pool(BUILD_PROCESSES, _init_builder, (template, str(folder))) as pool:
        for size in pool.imap_unordered(_build_chunk, chunks):
            total_bytes += size
            done += 1
            if done % max(1, len(chunks) // 10) == 0:
                log(f"  {min(done * 100, n):,}/{n:,} files")
    kinds: dict[str, int] = {}
    for index in range(n):
        kind = plan_file(index).kind
        kinds[kind] = kinds.get(kind, 0) + 1
    manifest = {
        "version": CORPUS_VERSION,
        "n": n,
        "bytes": total_bytes,
        "kinds": kinds,
        "invalid": [plan_file(i).name for i in range(n) if plan_file(i).kind.startswith("invalid")],
        "build_seconds": round(time.perf_counter() - start, 1),
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    manifest["cached"] = False
    log(f"  built in {manifest['build_seconds']} s ({total_bytes / 1e6:.0f} MB)")
    return folder, manifest


def synthetic_councils(path: Path, count: int) -> None:
    """Write a council list of ``count`` synthetic councils (code,name,region)."""
    from nps_xlsx.testing import synthetic_council

    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "region"])
        for i in range(count):
            council = synthetic_council(i)
            writer.writerow([council.code, council.name, "Synthetic"])
