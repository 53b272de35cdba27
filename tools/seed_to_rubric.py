"""Extract the rubric text from the NPS 2018 diagnostic export (the seed).

The seed is one council's response exported from the original web tool. This
script turns its text into the ``areas`` part of ``rubric/nps2018.yaml``; the
hand-written parts of that file (ids, sheet names, guidance) stay as they are.
A test re-runs :func:`parse_seed` and compares it with the rubric word for word.

Usage: python tools/seed_to_rubric.py SEED  (prints the areas as YAML)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DRAFT = re.compile(r"\s*\*?\(draft\)\*?\s*$")
UL_TAG = re.compile(r"\s*<ul[^>]*>\s*")
BULLET = re.compile(r"\s*•\s*")
PARA_BREAK = re.compile(r"\s*</p>\s*<p>\s*")
P_TAG = re.compile(r"\s*</?p>\s*")


def clean(text: str) -> str:
    """Remove the HTML markup, keeping paragraphs and bullets as line breaks."""
    text = PARA_BREAK.sub("\n", text)
    text = P_TAG.sub(" ", text)
    text = UL_TAG.sub("\n", text)
    text = BULLET.sub("\n• ", text)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _outline(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The area and value-code names from the seed's opening summary."""
    outline: list[tuple[str, list[str]]] = []
    for line in lines[lines.index("Summary") + 1 : lines.index("Summary *(draft)*")]:
        if line.startswith("- "):
            outline[-1][1].append(line[2:])
        elif line.strip():
            outline.append((line.strip(), []))
    return outline


def parse_seed(path: Path) -> list[dict]:
    """Parse the seed into a list of areas, each with its value codes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [ln for ln in lines[lines.index("Summary *(draft)*") :] if ln.strip()]
    body = body[: body.index("Appendix A: Guidance")]
    areas = []
    pos = 0
    for area_name, code_names in _outline(lines):
        while DRAFT.sub("", body[pos]) != area_name:
            pos += 1
        pos += 1
        intro: list[str] = []
        while not body[pos].startswith("What it is:"):
            intro.append(clean(body[pos]))
            pos += 1
        what = clean(body[pos].removeprefix("What it is:"))
        why = re.sub(r"^Why it is important:?", "", body[pos + 1])
        pos += 2
        codes = []
        for code_name in code_names:
            heading = DRAFT.sub("", body[pos])
            if heading != code_name:
                raise ValueError(f"expected value code {code_name!r}, found {heading!r}")
            description = body[pos + 1].removeprefix("Description:")
            header = body[pos + 2].split("\t")
            statements = body[pos + 3].split("\t")
            if len(header) != 5 or len(statements) != 5 or body[pos + 4] != "Comment":
                raise ValueError(f"unexpected layout at value code {code_name!r}")
            codes.append(
                {
                    "name": code_name,
                    "description": clean(description),
                    "statements": [clean(s) for s in statements],
                }
            )
            pos += 6
        areas.append(
            {
                "name": area_name,
                "introduction": "\n".join(intro),
                "what_it_is": what,
                "why_it_is_important": clean(why),
                "value_codes": codes,
            }
        )
    return areas


if __name__ == "__main__":
    import yaml

    yaml.safe_dump(parse_seed(Path(sys.argv[1])), sys.stdout, allow_unicode=True, sort_keys=False, width=100)
