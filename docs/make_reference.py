"""Write docs/reference.md: every codebook type and key, every definitions.yaml, analysis.yaml and
reported_results.yaml key, each with an example, generated (never typed) from

- the codebook's type registry (reviewflow.extraction.types: TYPES, each type's sentence
  `reference`) and keys (reviewflow.extraction.codebook: FIELD_KEYS, DATASET_KEYS, STATUS_KEYS),
  what a cell of each type may hold (`Field.allowed`) and the dataset columns each becomes
  (`Codebook.columns_of`), with a sentence per key from docs/reference_text.yaml (a type or key
  without one stops this script);
- the JSON schemas workflow/schemas/definitions.schema.yaml, analysis.schema.yaml and
  reported_results.schema.yaml (their keys, types, allowed values, defaults and descriptions);
- the reviews shipped in this repository (the first review, tests/data/reviews/, the starter of
  `reviewflow new-review`): the first real use of each type and key is its example.

Run `python docs/make_reference.py` after changing any of these; tests/test_docs_reference.py
fails while the committed reference is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from reviewflow.extraction.codebook import (  # noqa: E402
    DATASET_KEYS,
    FIELD_KEYS,
    STATUS_KEYS,
    load_codebook,
)
from reviewflow.extraction.types import TYPES  # noqa: E402

OUTPUT = REPO / "docs" / "reference.md"
TEXT = REPO / "docs" / "reference_text.yaml"
SCHEMAS = REPO / "workflow" / "schemas"
STARTER = REPO / "scripts" / "reviewflow" / "starter"
# (codebook, vocabulary) of every review shipped here, the first review first
REVIEWS = [
    REPO,
    *sorted(p for p in (REPO / "tests" / "data" / "reviews").iterdir() if p.is_dir()),
    STARTER,
]
EXAMPLE_WIDTH = 110  # characters of an example shown inline


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def inline(value: Any) -> str:
    """A value as one line of YAML flow style, shortened when long."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    text = text.strip().removesuffix("...").strip()
    if len(text) > EXAMPLE_WIDTH:
        text = text[: EXAMPLE_WIDTH - 3].rstrip() + "..."
    return text.replace("|", "\\|")


def cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# --- the codebook ---------------------------------------------------------------------------


def codebook_fields() -> list[tuple[str, dict, Any]]:
    """(review folder name, field as written, the loaded codebook) of every shipped review."""
    found = []
    for review in REVIEWS:
        path = review / "extraction" / "codebook.yaml"
        codebook = load_codebook(path, review / "extraction" / "vocabulary.yaml")
        data = load(path)
        for sheet in data["workbook"]["sheets"]:
            for fld in sheet["fields"]:
                where = review.relative_to(REPO).as_posix()
                found.append((f"{where}/" if where != "." else "", fld, codebook))
    return found


def missing_text(text: dict) -> list[str]:
    problems = [
        f"reviewflow.extraction.types: {name}: no reference text"
        for name, kind in sorted(TYPES.items())
        if not kind.reference
    ]
    for section, names in (
        ("keys", FIELD_KEYS),
        ("dataset_keys", DATASET_KEYS),
        ("status_keys", STATUS_KEYS),
    ):
        have = set(text.get(section) or {})
        problems += [f"{TEXT.name}: {section}.{name}: no text" for name in sorted(names - have)]
        problems += [f"{TEXT.name}: {section}.{name}: not in the codebook" for name in have - names]
    return problems


def codebook_section(text: dict) -> list[str]:
    fields = codebook_fields()
    lines = ["## The codebook (`extraction/codebook.yaml`)", "", text["codebook_intro"].strip(), ""]
    lines += ["### Field types", ""]
    for kind in sorted(TYPES):
        lines += [f"#### `{kind}`", "", cell(TYPES[kind].reference), ""]
        example = next(((r, f, c) for r, f, c in fields if f.get("type") == kind), None)
        if example is None:
            lines += ["(No shipped review uses it yet.)", ""]
            continue
        review, fld, codebook = example
        spec = next(f for s in codebook.sheets for f in s.fields if f.name == fld["name"])
        columns = [c.name for c in codebook.columns_of(fld["name"])] if spec.in_dataset else []
        lines += [
            f"Example (`{review}extraction/codebook.yaml`):",
            "",
            "```yaml",
            yaml.safe_dump([fld], sort_keys=False, allow_unicode=True, width=96).rstrip(),
            "```",
            "",
            f"A cell may hold: {cell(spec.allowed())}.",
            "",
            "Dataset columns: " + (", ".join(f"`{c}`" for c in columns) or "none") + ".",
            "",
        ]
    mappings = [f for _, f, _ in fields]
    lines += ["### Field keys", ""]
    lines += key_table(FIELD_KEYS, text["keys"], mappings)
    lines += ["", "Keys of a field's `dataset:` mapping:", ""]
    lines += key_table(
        DATASET_KEYS, text["dataset_keys"], [f["dataset"] for f in mappings if "dataset" in f]
    )
    lines += ["", "Keys of a number field's `status:` mapping:", ""]
    lines += key_table(STATUS_KEYS, text["status_keys"], [f.get("status") for f in mappings])
    return lines + [""]


def key_table(keys, descriptions: dict, mappings: list) -> list[str]:
    """A Markdown table of `keys`: each key's description and its first use in `mappings` (the
    shipped reviews' fields, or one sub-mapping of them; anything not a mapping is skipped)."""
    lines = ["| key | what it says | example |", "| --- | --- | --- |"]
    for key in sorted(keys):
        example = next((m[key] for m in mappings if isinstance(m, dict) and key in m), None)
        shown = f"`{key}: {inline(example)}`" if example is not None else "(not used yet)"
        lines.append(f"| `{key}` | {cell(descriptions[key])} | {shown} |")
    return lines


# --- the schemas ----------------------------------------------------------------------------


def ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    return None


def resolve(node: Any, root: dict) -> dict:
    """A schema node with its local $ref followed (its own keys win)."""
    if not isinstance(node, dict):
        return {}
    while "$ref" in node:
        target = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_type(node: Any, root: dict) -> str:
    """What a key holds, in words; a definition of the schema is named (its own table)."""
    if not isinstance(node, dict):
        return "any"
    name = ref_name(node)
    if name:
        target = resolve(node, root)
        if target.get("properties") or target.get("oneOf") or target.get("anyOf"):
            return f"`{name}` (see its table)"
        return schema_type({k: v for k, v in target.items() if k != "description"}, root)
    kinds = []
    kind = node.get("type")
    if kind == "array" and isinstance(node.get("items"), dict):
        kinds.append(f"list of {schema_type(node['items'], root)}")
    elif isinstance(kind, list):
        kinds += kind
    elif kind:
        kinds.append(kind)
    if "enum" in node:
        kinds.append("one of " + ", ".join(f"`{v}`" for v in node["enum"]))
    if "const" in node:
        kinds.append(f"`{node['const']}`")
    if "pattern" in node:
        kinds.append(f"matching `{node['pattern']}`")
    for word in ("oneOf", "anyOf"):
        options = [schema_type(o, root) for o in node.get(word, []) if "required" not in o]
        if options:
            kinds.append(" or ".join(options))
    seen = []
    for kind in kinds:
        if kind not in seen:
            seen.append(kind)
    return ", ".join(seen) or "any"


def walk(node: Any, root: dict, path: str, rows: list[dict]) -> None:
    """Every key written inline under `node` (properties, list items `[]`, named entries
    `<name>`); a key holding a definition of the schema names it (documented in its table)."""
    if ref_name(node):
        return
    options = [
        node,
        *[o for w in ("oneOf", "anyOf", "allOf") for o in node.get(w, []) if not ref_name(o)],
    ]
    required = set(node.get("required", []))
    for option in options:
        for key, child in (option.get("properties") or {}).items():
            where = f"{path}.{key}" if path else key
            if any(r["path"] == where for r in rows):
                continue
            rows.append(
                {
                    "path": where,
                    "key": key,
                    "type": schema_type(child, root),
                    "required": key in required,
                    "default": child.get("default") if isinstance(child, dict) else None,
                    "description": child.get("description", "") if isinstance(child, dict) else "",
                }
            )
            if isinstance(child, dict):
                walk(child, root, where, rows)
        extra = option.get("additionalProperties")
        if isinstance(extra, dict) and not ref_name(extra):
            walk(extra, root, f"{path}.<name>" if path else "<name>", rows)
        items = option.get("items")
        if isinstance(items, dict) and not ref_name(items):
            walk(items, root, f"{path}[]", rows)


def split_path(path: str) -> list[str]:
    parts = []
    for part in path.split("."):
        name, brackets = part.rstrip("[]"), (len(part) - len(part.rstrip("[]"))) // 2
        if name:
            parts.append(name)
        parts += ["[]"] * brackets
    return parts


def find_example(data: Any, parts: list[str]) -> Any:
    """The first value at a schema path (`<name>` any key, `[]` any item) in `data`."""
    if not parts:
        return data
    head, rest = parts[0], parts[1:]
    if head == "[]":
        values = data if isinstance(data, list) else []
    elif head == "<name>":
        values = list(data.values()) if isinstance(data, dict) else []
    else:
        values = [data[head]] if isinstance(data, dict) and head in data else []
    for value in values:
        found = find_example(value, rest)
        if found is not None:
            return found
    return None


def mappings(data: Any):
    """Every mapping inside `data`, depth first."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from mappings(value)
    elif isinstance(data, list):
        for value in data:
            yield from mappings(value)


def definition_example(data: list, keys: set[str], path: str) -> Any:
    """The first value at `path` (inside a definition) in a mapping of the shipped files that
    fits the definition (its keys among the definition's)."""
    parts = split_path(path)[1:]  # without the definition's name
    for document in data:
        for mapping in mappings(document):
            if parts and parts[0] in mapping and set(mapping) <= keys:
                found = find_example(mapping, parts)
                if found is not None:
                    return found
    return None


def table(rows: list[dict], example_of) -> list[str]:
    lines = [
        "| key | type | required | default | what it says | example |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        example = example_of(row)
        if example is None and row["default"] is not None:
            example = row["default"]
        shown = f"`{inline(example)}`" if example is not None else "(not used yet)"
        default = f"`{inline(row['default'])}`" if row["default"] is not None else ""
        lines.append(
            f"| `{row['path']}` | {cell(row['type'])} | {'yes' if row['required'] else ''} | "
            f"{default} | {cell(row['description'])} | {shown} |"
        )
    return lines


def schema_section(
    title: str, schema_file: str, config_file: str, also: tuple[str, ...] = ()
) -> list[str]:
    """The section of one schema; examples from the shipped `config_file`s (and, for its
    definitions' tables, from the files `also` names: the conditions of definitions.yaml)."""
    root = load(SCHEMAS / schema_file)
    shipped = [
        load(r / "config" / config_file) for r in REVIEWS if (r / "config" / config_file).is_file()
    ]
    extra = [load(r / "config" / name) for name in also for r in REVIEWS]
    extra = [data for data in extra if data]
    rows: list[dict] = []
    walk(root, root, "", rows)
    lines = [
        f"## {title} (`config/{config_file}`)",
        "",
        cell(root.get("description", "")),
        "",
        f"Schema: `workflow/schemas/{schema_file}`. `<name>`: a name you choose; `[]`: "
        "each item of a list.",
        "",
    ]
    lines += table(
        rows,
        lambda row: next(
            (
                e
                for e in (find_example(d, split_path(row["path"])) for d in shipped)
                if e is not None
            ),
            None,
        ),
    )
    for name, definition in (root.get("$defs") or {}).items():
        defn_rows: list[dict] = []
        walk(definition, root, name, defn_rows)
        if not defn_rows:
            continue
        keys = {r["key"] for r in defn_rows if r["path"].count(".") == 1}
        lines += ["", f"### `{name}`", "", cell(definition.get("description", "")), ""]
        lines += table(
            defn_rows,
            lambda row, keys=keys: definition_example(shipped + extra, keys, row["path"]),
        )
    return lines + [""]


def reference() -> str:
    """The whole of docs/reference.md."""
    text = load(TEXT)
    problems = missing_text(text)
    if problems:
        raise SystemExit("\n".join(problems))
    lines = [
        "# Reference: codebook, definitions, analysis file, reported results",
        "",
        "<!-- Generated by `python docs/make_reference.py` from the codebook's type registry, "
        "the schemas and the shipped reviews; do not edit by hand. -->",
        "",
        cell(text["intro"]),
        "",
        *codebook_section(text),
        *schema_section("The review's definitions", "definitions.schema.yaml", "definitions.yaml"),
        *schema_section("The analysis file", "analysis.schema.yaml", "analysis.yaml"),
        *schema_section(
            "The reported results",
            "reported_results.schema.yaml",
            "reported_results.yaml",
            also=("definitions.yaml",),
        ),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    OUTPUT.write_text(reference(), encoding="utf-8")
    print(f"{OUTPUT.relative_to(REPO)} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
