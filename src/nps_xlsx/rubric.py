"""The rubric: key areas, value codes and level statements, loaded from YAML.

A rubric file is data; any file following the schema below works with
``--rubric``. Loading is strict: a missing or unknown key, a duplicate ID or a
value code without one statement per level fails with the file, line and place.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

from . import columns, layout
from .a1 import check_sheet_name
from .errors import RubricError
from .text import utf16_len

SCHEMA = "nps-xlsx-rubric/1"
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
MIN_LEVELS, MAX_LEVELS = 2, 9
# Labels become drop-down entries (an inline list: commas separate entries, quotes delimit it) and the
# unscored label a COUNTIF criterion (a string in a formula, where * ? ~ are wildcards and a leading
# < > = a comparison).
_LABEL_BREAKERS = {'"': "a double quote", ",": "a comma"}
_WILDCARDS = "*?~"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class ValueCode:
    """One scored question, with a statement for each level."""

    id: str
    name: str
    description: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class KeyArea:
    """A key area: its introduction and its value codes, shown on one sheet."""

    id: str
    name: str
    sheet: str
    introduction: str
    what_it_is: str
    why_it_is_important: str
    value_codes: tuple[ValueCode, ...]


@dataclass(frozen=True)
class Guidance:
    """Text for the cover sheet."""

    about: str
    how_to_complete: str


@dataclass(frozen=True)
class Rubric:
    """A whole diagnostic. ``fingerprint`` is a hash of all of its content."""

    id: str
    version: str
    title: str
    short_title: str
    levels: tuple[str, ...]
    unscored: str
    guidance: Guidance
    areas: tuple[KeyArea, ...]

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the rubric's content in a canonical JSON form."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def mature_level(self) -> int:
        """The score of the level named Mature (3 in the NPS 2018 rubric), else of the middle level (the lower of
        two): the line the diagnostic's reports count from ("at Mature or above")."""
        names = [level.casefold() for level in self.levels]
        return names.index("mature") + 1 if "mature" in names else (len(names) + 1) // 2

    @property
    def value_codes(self) -> tuple[ValueCode, ...]:
        """Every value code, in rubric order."""
        return tuple(code for area in self.areas for code in area.value_codes)

    def area_of(self, code_id: str) -> KeyArea:
        """The key area holding the value code ``code_id``."""
        for area in self.areas:
            if any(code.id == code_id for code in area.value_codes):
                return area
        raise KeyError(code_id)


def default_rubric_path() -> Path:
    """The bundled NPS 2018 rubric (inside the installed package, or the repo's ``rubric/``)."""
    bundled = resources.files("nps_xlsx") / "rubric" / "nps2018.yaml"
    if bundled.is_file():
        return Path(str(bundled))
    return Path(__file__).resolve().parents[2] / "rubric" / "nps2018.yaml"


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Load and check a rubric file; ``None`` loads the bundled NPS 2018 rubric."""
    path = Path(path) if path is not None else default_rubric_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: cannot read the rubric file: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML: {exc}") from exc
    if root is None:
        raise RubricError(f"{path}: the rubric file is empty")
    return _RubricReader(path).rubric(root)


class _RubricReader:
    """Builds a :class:`Rubric` from YAML nodes, failing with file, line and place."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node, where: str, message: str) -> RubricError:
        return RubricError(f"{self.path}:{node.start_mark.line + 1}: {where}: {message}")

    def mapping(
        self, node: yaml.Node, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, where, "expected a mapping of keys to values")
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in found:
                raise self.fail(key_node, where, f"duplicate key {key!r}")
            if key not in required + optional:
                raise self.fail(key_node, where, f"unknown key {key!r}; expected {', '.join(required + optional)}")
            found[key] = value_node
        for key in required:
            if key not in found:
                raise self.fail(node, where, f"missing key {key!r}")
        return found

    def text(self, node: yaml.Node, where: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise self.fail(node, where, "expected non-empty text")
        text: str = node.value.strip()
        return text

    def texts(self, node: yaml.Node, where: str) -> list[str]:
        return [self.text(item, f"{where}[{i}]") for i, item in enumerate(self.sequence(node, where))]

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, where, "expected a non-empty list")
        items: list[yaml.Node] = node.value
        return items

    def identifier(self, node: yaml.Node, where: str, seen: dict[str, yaml.Node]) -> str:
        value = self.text(node, where)
        if not ID_PATTERN.match(value):
            raise self.fail(node, where, f"ID {value!r} must be a letter then up to 15 letters or digits")
        if value.upper() in seen:
            first = seen[value.upper()].start_mark.line + 1
            raise self.fail(node, where, f"duplicate ID {value!r} (first used on line {first})")
        fixed = next((c for c in columns.MATRIX_COLUMNS if c.casefold() == value.casefold()), None)
        if fixed:
            raise self.fail(
                node,
                where,
                f"ID {value!r} is the name of a fixed column of the summary's score matrix ({fixed!r}), "
                "whose other columns are named by the IDs; choose another ID",
            )
        seen[value.upper()] = node
        return value

    def property_text(self, node: yaml.Node, where: str) -> str:
        """Text that the workbook also keeps in a custom document property."""
        value = self.text(node, where)
        if utf16_len(value) > layout.MAX_PROPERTY_TEXT:
            raise self.fail(
                node,
                where,
                f"is {utf16_len(value):,} characters long; the workbook keeps it in a document property, "
                f"which holds at most {layout.MAX_PROPERTY_TEXT}; shorten it",
            )
        return value

    def label(self, node: yaml.Node, where: str) -> str:
        """A level or unscored label: an entry of the score drop-down list."""
        value = self.text(node, where)
        for character, name in _LABEL_BREAKERS.items():
            if character in value:
                raise self.fail(
                    node,
                    where,
                    f"label {value!r} holds {name}, which cannot be part of a drop-down entry "
                    f"(Excel's list is the entries between quotes, separated by commas); remove it",
                )
        if _CONTROL.search(value):
            raise self.fail(
                node, where, f"label {value!r} holds a line break or control character; keep it on one line"
            )
        return value

    def unscored(self, node: yaml.Node, levels: list[str], level_nodes: list[yaml.Node]) -> str:
        """The unscored label: a drop-down entry like the levels, and the criterion of the workbook's COUNTIF."""
        value = self.label(node, "unscored")
        for character in _WILDCARDS:
            if character in value:
                raise self.fail(
                    node,
                    "unscored",
                    f"label {value!r} holds {character!r}, which the workbook's COUNTIF formulas read as a "
                    "wildcard; remove it",
                )
        if value[0] in "<>=":
            raise self.fail(
                node,
                "unscored",
                f"label {value!r} starts with {value[0]!r}, which the workbook's COUNTIF formulas read as a "
                "comparison; reword it",
            )
        choices = [columns.level_choice(i, label) for i, label in enumerate(levels, 1)]
        seen: dict[str, str] = {}
        for i, (label, choice) in enumerate(zip(levels, choices, strict=True)):
            if label.casefold() in seen:
                raise self.fail(
                    level_nodes[i],
                    f"levels[{i}]",
                    f"label {label!r} is also {seen[label.casefold()]}; labels must differ",
                )
            seen[label.casefold()] = f"the label of level {i + 1}"
            seen[choice.casefold()] = f"the drop-down entry of level {i + 1}"
        for column in columns.COUNT_COLUMNS:
            seen.setdefault(column.casefold(), f"the name of a fixed column of the summary tables ({column!r})")
        if value.casefold() in seen:
            raise self.fail(node, "unscored", f"label {value!r} is {seen[value.casefold()]}; choose another label")
        return value

    def rubric(self, root: yaml.Node) -> Rubric:
        keys = self.mapping(
            root,
            "rubric",
            ("schema", "id", "version", "title", "levels", "unscored", "guidance", "areas"),
            ("short_title",),
        )
        schema = self.text(keys["schema"], "schema")
        if schema != SCHEMA:
            raise self.fail(keys["schema"], "schema", f"is {schema!r}; this tool reads {SCHEMA!r}")
        level_nodes = self.sequence(keys["levels"], "levels")
        levels = [self.label(node, f"levels[{i}]") for i, node in enumerate(level_nodes)]
        if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
            raise self.fail(
                keys["levels"], "levels", f"has {len(levels)} levels; expected {MIN_LEVELS} to {MAX_LEVELS}"
            )
        unscored = self.unscored(keys["unscored"], levels, level_nodes)
        listed = ",".join(columns.score_choices_of(levels, unscored))
        if utf16_len(listed) > layout.MAX_LIST_VALIDATION:
            raise self.fail(
                keys["levels"],
                "levels",
                f"the score drop-down list ({listed!r}) is {utf16_len(listed)} characters long; Excel allows "
                f"{layout.MAX_LIST_VALIDATION}; shorten the level labels or the unscored label",
            )
        guidance = self.mapping(keys["guidance"], "guidance", ("about", "how_to_complete"))
        ids: dict[str, yaml.Node] = {}
        sheets: dict[str, str] = {}
        names: dict[str, str] = {}
        areas = tuple(
            self.area(node, f"areas[{i}]", len(levels), ids, sheets, names)
            for i, node in enumerate(self.sequence(keys["areas"], "areas"))
        )
        short_key = "short_title" if "short_title" in keys else "title"
        short_title = self.text(keys[short_key], short_key)
        footer = utf16_len(layout.area_footer(short_title))
        if footer > layout.MAX_HEADER_FOOTER:
            raise self.fail(
                keys[short_key],
                short_key,
                f"is too long for the page footers of the workbook ({footer} characters with the page number; "
                f"Excel allows {layout.MAX_HEADER_FOOTER}); set a shorter 'short_title'",
            )
        return Rubric(
            id=self.property_text(keys["id"], "id"),
            version=self.property_text(keys["version"], "version"),
            title=self.property_text(keys["title"], "title"),
            short_title=short_title,
            levels=tuple(levels),
            unscored=unscored,
            guidance=Guidance(
                about=self.text(guidance["about"], "guidance.about"),
                how_to_complete=self.text(guidance["how_to_complete"], "guidance.how_to_complete"),
            ),
            areas=areas,
        )

    def area(
        self,
        node: yaml.Node,
        where: str,
        n_levels: int,
        ids: dict[str, yaml.Node],
        sheets: dict[str, str],
        names: dict[str, str],
    ) -> KeyArea:
        keys = self.mapping(
            node, where, ("id", "name", "introduction", "what_it_is", "why_it_is_important", "value_codes"), ("sheet",)
        )
        area_id = self.identifier(keys["id"], f"{where}.id", ids)
        name = self.text(keys["name"], f"{where}.name")
        if name.casefold() in names:  # the summary's rows per key area are named by it
            raise self.fail(
                keys["name"],
                f"{where}.name ({area_id})",
                f"name {name!r} is already used by {names[name.casefold()]}; "
                "the summary names a row by it, so make them differ",
            )
        names[name.casefold()] = area_id
        sheet_node = keys.get("sheet", keys["name"])
        sheet = self.text(sheet_node, f"{where}.sheet")
        problem = check_sheet_name(sheet, layout.RESERVED_SHEETS)
        if problem:
            raise self.fail(sheet_node, f"{where} ({area_id})", f"sheet name {sheet!r} {problem}; set a 'sheet' key")
        if sheet.casefold() in sheets:
            raise self.fail(
                sheet_node,
                f"{where} ({area_id})",
                f"sheet name {sheet!r} is already used by {sheets[sheet.casefold()]}",
            )
        sheets[sheet.casefold()] = area_id
        codes = tuple(
            self.value_code(code, f"{where}.value_codes[{i}]", n_levels, ids)
            for i, code in enumerate(self.sequence(keys["value_codes"], f"{where}.value_codes"))
        )
        return KeyArea(
            id=area_id,
            name=name,
            sheet=sheet,
            introduction=self.text(keys["introduction"], f"{where}.introduction"),
            what_it_is=self.text(keys["what_it_is"], f"{where}.what_it_is"),
            why_it_is_important=self.text(keys["why_it_is_important"], f"{where}.why_it_is_important"),
            value_codes=codes,
        )

    def value_code(self, node: yaml.Node, where: str, n_levels: int, ids: dict[str, yaml.Node]) -> ValueCode:
        keys = self.mapping(node, where, ("id", "name", "description", "statements"))
        code_id = self.identifier(keys["id"], f"{where}.id", ids)
        statements = self.texts(keys["statements"], f"{where}.statements ({code_id})")
        if len(statements) != n_levels:
            raise self.fail(
                keys["statements"],
                f"{where}.statements ({code_id})",
                f"has {len(statements)} statements; expected one per level ({n_levels})",
            )
        return ValueCode(
            id=code_id,
            name=self.text(keys["name"], f"{where}.name ({code_id})"),
            description=self.text(keys["description"], f"{where}.description ({code_id})"),
            statements=tuple(statements),
        )
