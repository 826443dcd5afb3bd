"""The project's own conventions: every rule has a log and a conda env, envs agree with
pyproject.toml, and CI runs exactly the README's test command."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))
# conda-forge names that differ from the PyPI name
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
NOT_IN_RULE_ENVS = {"snakemake"}  # the scheduler itself, not a rule's dependency


def pyproject_dependencies() -> dict[str, str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    deps = {}
    for spec in data["project"]["dependencies"]:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", spec)
        deps[match.group(1).lower()] = match.group(2).replace(" ", "")
    return deps


def rule_blocks() -> list[tuple[str, str, str]]:
    """(file, rule name, body) for every rule in workflow/rules."""
    blocks = []
    for path in RULE_FILES:
        text = path.read_text()
        starts = list(re.finditer(r"^\s*rule (\w+):", text, flags=re.M))
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            blocks.append((path.name, match.group(1), text[match.end() : end]))
    return blocks


def test_every_rule_has_log_and_conda_env():
    problems = []
    for file, name, body in rule_blocks():
        if not re.search(r"^\s+log:", body, flags=re.M):
            problems.append(f"{file}: rule {name} has no log:")
        conda = re.search(r"^\s+conda:\s*\n?\s*\"([^\"]+)\"", body, flags=re.M)
        if not conda:
            problems.append(f"{file}: rule {name} has no conda:")
        elif not (REPO / "workflow" / "rules" / conda.group(1)).resolve().is_file():
            problems.append(f"{file}: rule {name}: conda env {conda.group(1)} not found")
    assert not problems, "\n".join(problems)


def test_every_rule_has_a_benchmark_and_declares_memory_and_runtime():
    problems = []
    for file, name, body in rule_blocks():
        if not re.search(r"^\s+benchmark:", body, flags=re.M):
            problems.append(f"{file}: rule {name} has no benchmark:")
        resources = re.search(r"^\s+resources:\n((?:\s{8,}.*\n)+)", body, flags=re.M)
        declared = re.findall(r"^\s+(\w+)=", resources.group(1), flags=re.M) if resources else []
        for resource in ("mem_mb", "runtime"):
            if resource not in declared:
                problems.append(f"{file}: rule {name} declares no {resource} in resources:")
    assert not problems, "\n".join(problems)


def test_conda_envs_agree_with_pyproject():
    """Every env's pinned version lies within pyproject.toml's bounds, every package an env
    holds is a dependency there, and every dependency is in some env."""
    deps = pyproject_dependencies()
    used = set()
    problems = []
    for env in sorted((REPO / "envs").glob("*.yaml")):
        for entry in yaml.safe_load(env.read_text())["dependencies"]:
            name, _, spec = str(entry).partition(" ")
            if name == "python":
                continue
            pypi = CONDA_TO_PYPI.get(name, name).lower()
            used.add(pypi)
            pinned = spec.replace(" ", "").removeprefix("==")
            if pypi not in deps:
                problems.append(f"{env.name}: {name} is not a dependency in pyproject.toml")
            elif not SpecifierSet(deps[pypi]).contains(pinned):
                problems.append(f"{env.name}: {name} {spec!r} outside pyproject's {deps[pypi]!r}")
    missing = set(deps) - used - NOT_IN_RULE_ENVS
    problems += [f"{dep} (pyproject.toml) is in no conda env" for dep in sorted(missing)]
    assert not problems, "\n".join(problems)


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", text, flags=re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_starts_with_run_and_test_commands_and_ci_runs_the_test_one():
    run, test = readme_commands()[:2]
    assert "snakemake --cores 4" in run
    assert "pytest" in test
    assert test in (REPO / ".ci" / "run").read_text()


def config_keys(mapping: dict, prefix: str = "", depth: int = 3) -> set[str]:
    """Dotted paths of a config's keys, `depth` levels deep (lists and their items not)."""
    keys = set()
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        keys.add(path)
        if isinstance(value, dict) and depth > 1 and key != "csv_columns":
            keys |= config_keys(value, f"{path}.", depth - 1)
    return keys


def schema_keys(schema: dict, prefix: str = "") -> set[str]:
    """Dotted paths of the keys a config schema declares (following $ref to sibling files)."""
    if "$ref" in schema and not schema["$ref"].startswith("#"):
        schema = yaml.safe_load((REPO / "workflow" / "schemas" / schema["$ref"]).read_text())
    keys = set()
    for key, sub in (schema.get("properties") or {}).items():
        keys.add(f"{prefix}{key}")
        keys |= schema_keys(sub, f"{prefix}{key}.")
    return keys


def test_config_readme_documents_every_key_of_the_config():
    """Every key of config.yaml is described in config/README.md (a key's description covers
    the keys under it), and every key described there exists in the config's schema."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    readme = (REPO / "config" / "README.md").read_text()
    keys = config_keys(config)
    documented = set(re.findall(r"`([a-z0-9_]+(?:\.[a-z0-9_]+)*)`", readme))
    problems = [
        f"config/README.md: {key} not described"
        for key in sorted(keys)
        if not any(key == d or key.startswith(d + ".") for d in documented)
        and not any(other.startswith(key + ".") for other in keys)
    ]
    known = schema_keys(schema)
    problems += [
        f"config/README.md describes {key}, which the config's schema does not declare"
        for key in sorted(documented)
        if "." in key and key.split(".")[0] in config and key not in known
    ]
    assert not problems, "\n".join(problems)


# Words of the first review (its condition, tests, drugs, symptoms): review knowledge lives in its
# files (config/, extraction/), never in the library.
FIRST_REVIEW_WORDS = [
    "igg4",
    "csf",
    "rituximab",
    "dorsalgia",
    "cervicalgia",
    "pachymening",
    "glucocorticoid",
    "azathioprine",
    "phlebitis",
]


def test_the_library_holds_no_knowledge_of_the_first_review():
    library = REPO / "scripts" / "reviewflow"
    found = []
    for path in sorted(library.rglob("*")):
        if path.suffix not in {".py", ".yaml", ".md"} or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8").lower()
        found += [f"{path.relative_to(REPO)}: {w}" for w in FIRST_REVIEW_WORDS if w in text]
    assert found == []
