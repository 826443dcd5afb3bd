"""The one reader of YAML files that people own (config, codebook, vocabulary, analysis files).

Plain ``yaml.safe_load`` lets a second ``Male: female`` silently win over ``Male: male`` and ends
a syntax error in a traceback about ``"<unicode string>"``. ``read_yaml`` refuses duplicate keys
and reports every problem located as ``file:line:column``, through ``InputProblems``.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import InputProblems, raise_if_any


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that records duplicate mapping keys instead of keeping the last one."""

    def __init__(self, stream, source: str):
        super().__init__(stream)
        self.source = source
        self.duplicates: list[tuple[int, int, str]] = []


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue  # SafeLoader reports unhashable keys itself
        if key in seen:
            first = seen[key].start_mark
            mark = key_node.start_mark
            loader.duplicates.append(
                (
                    mark.line,
                    mark.column,
                    f"{loader.source}:{mark.line + 1}:{mark.column + 1}: key {key!r} given twice "
                    f"(first at line {first.line + 1}): each key may appear once in a mapping",
                )
            )
        else:
            seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode):
    """A date or time; one that looks like a date but is none (`2025-13-45`) is a located
    problem (PyYAML itself ends in a ValueError without the file or line)."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a date ({error}): write YYYY-MM-DD", node.start_mark
        ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _DecimalLoader(_StrictLoader):
    """The strict loader, with decimal numbers kept as ``Decimal`` (printed precision kept)."""


def _decimal(loader: _DecimalLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = loader.construct_scalar(node)
    try:
        return Decimal(str(text).replace("_", ""))
    except InvalidOperation:
        return str(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def plain(value):
    """Decimals as floats, recursively (a decimal file's numbers for computing;
    printed ones stay Decimal)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


# The same loaders over libyaml's parser (when PyYAML was built with it): ten times faster on the
# review's larger files, which every rule and the workflow itself read. A file it refuses is read
# again by the pure-Python loaders above, whose messages are the ones reviewers see.
if hasattr(yaml, "CSafeLoader"):

    class _FastStrictLoader(yaml.CSafeLoader):
        def __init__(self, stream, source: str):
            super().__init__(stream)
            self.source = source
            self.duplicates: list[tuple[int, int, str]] = []

    class _FastDecimalLoader(_FastStrictLoader):
        pass

    _FastStrictLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
    )
    _FastStrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _FastDecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
    _FAST = {False: _FastStrictLoader, True: _FastDecimalLoader}
else:  # pragma: no cover - PyYAML without libyaml
    _FAST = {}


def _fast_parse(text: str, source: str, decimals: bool) -> tuple[bool, Any, list]:
    """(parsed, data, duplicates) with libyaml's parser; parsed is False when it is missing, or
    refused or bounded the text (the pure-Python loader then says why, located)."""
    loader_class = _FAST.get(decimals)
    if loader_class is None:
        return False, None, []
    loader = loader_class(text, source)
    try:
        node = loader.get_single_node()
        if bound_problems(node, source):
            return False, None, []
        data = loader.construct_document(node) if node is not None else None
        return True, data, loader.duplicates
    except (yaml.YAMLError, RecursionError):
        return False, None, []
    finally:
        loader.dispose()


MAX_DEPTH = 100  # levels of nesting a file people write may have
MAX_NODES = 100_000  # values once every alias is expanded (a hand-written file has far fewer)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def bound_problems(root: yaml.Node | None, source: str) -> list[str]:
    """Aliases and nesting bounded before anything is built: a value that contains itself, more
    than MAX_NODES values once aliases are expanded (an "alias bomb" grows a few lines into
    gigabytes) or more than MAX_DEPTH levels of nesting, located at its start."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values once expanded, depth)
    open_nodes: set[int] = set()  # the nodes whose parts are being walked: a cycle
    # (node, its parts once they are being walked, else None)
    stack: list[tuple[yaml.Node, list | None]] = [(root, None)] if root is not None else []
    while stack:
        node, parts = stack.pop()
        if parts is not None:
            open_nodes.discard(id(node))
            size, depth = 1, 0
            for part in parts:
                part_size, part_depth = sizes[id(part)]
                size, depth = size + part_size, max(depth, part_depth)
            if size > MAX_NODES:
                return [
                    f"{_where(node, source)}: more than {MAX_NODES} values once its aliases "
                    "(*name) are expanded: write the values out, or use fewer aliases"
                ]
            if depth + 1 > MAX_DEPTH:
                return [
                    f"{_where(node, source)}: nested more than {MAX_DEPTH} levels deep: flatten it"
                ]
            sizes[id(node)] = (size, depth + 1)
        elif isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = (1, 1)
        elif id(node) in open_nodes:
            return [
                f"{_where(node, source)}: an alias (*name) inside the value it names: a value "
                "cannot contain itself"
            ]
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            parts = _children(node)
            stack.append((node, parts))
            stack += [(part, None) for part in parts if id(part) not in sizes]
    return []


def _where(node: yaml.Node, source: str) -> str:
    """`source:line:column` of the start of `node`."""
    return f"{source}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def syntax_hint(text: str, error: yaml.MarkedYAMLError) -> str:
    """What usually causes a syntax error like `error` in `text` and how to fix it ("" when none
    of the usual causes fits): a tab used for indentation, an unquoted ": " or "," in a value, an
    unclosed quote or bracket, text after a closing quote."""
    problem, context = error.problem or "", error.context or ""
    mark, opened = error.problem_mark, error.context_mark
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "'\\t'" in problem:
        return (
            f"line {mark.line + 1} is indented with a tab: YAML indents with spaces only "
            "(replace the tab by spaces)"
        )
    if "quoted scalar" in context and opened is not None:
        return (
            f"the quote opened at line {opened.line + 1}, column {opened.column + 1} is never "
            "closed: close it on the same line"
        )
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[ ... ]" if "sequence" in context else "{ ... }"
        at = f" at line {opened.line + 1}" if opened is not None else ""
        return (
            f"the {bracket} opened{at} is not closed, or an item in it holds an unquoted "
            '"," or ":": close the bracket, and quote such a value ("Size, cm")'
        )
    if "mapping values are not allowed" in problem:
        key, _, value = line.partition(":")
        value = value.strip().replace('"', '\\"')
        example = f'{key.strip()}: "{value}"' if key.strip() and value else 'title: "Note: x"'
        return f'a value holding ": " (or ", ") must be in quotes, e.g. {example}'
    if "expected <block end>, but found '<scalar>'" in problem:
        return 'text after a closing quote: quote the whole value ("Size" cm -> "Size cm")'
    if "expected <block end>" in problem or "expected key" in problem:
        return (
            f"line {mark.line + 1} is indented unlike the keys around it: indent the keys of "
            "one mapping alike, with spaces"
        )
    return ""


def parse_yaml(text: str, source: str, *, decimals: bool = False) -> Any:
    """Parse YAML ``text`` (named ``source`` in messages); duplicate keys and syntax errors raise
    ``InputProblems`` located as ``source:line:column``. With ``decimals``, floats are ``Decimal``.
    """
    parsed, data, duplicates = _fast_parse(text, source, decimals)
    if parsed:
        if duplicates:
            raise InputProblems(source, [message for *_, message in sorted(duplicates)])
        return data
    loader_class = _DecimalLoader if decimals else _StrictLoader
    loader = loader_class(text, source)
    try:
        node = loader.get_single_node()
        raise_if_any(source, bound_problems(node, source))
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        problem = f"{source}: nested too deeply (more than {MAX_DEPTH} levels): flatten it"
        raise InputProblems(source, [problem]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        what = " ".join(part for part in (error.context, error.problem) if part)
        hint = syntax_hint(text, error)
        raise InputProblems(
            source, [f"{where}: not valid YAML: {what}" + (f": {hint}" if hint else "")]
        ) from None
    except yaml.YAMLError as error:
        raise InputProblems(source, [f"{source}: not valid YAML: {error}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise InputProblems(source, [message for *_, message in sorted(loader.duplicates)])
    return data


def read_yaml(path: str | os.PathLike, *, decimals: bool = False) -> Any:
    """Read the YAML file at ``path`` strictly (see ``parse_yaml``); a missing or undecodable file
    raises ``InputProblems`` naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputProblems(str(path), [f"{path}: file not found"]) from None
    except UnicodeDecodeError as error:
        raise InputProblems(
            str(path), [f"{path}: byte {error.start}: not UTF-8 text: save the file as UTF-8"]
        ) from None
    return parse_yaml(text, str(path), decimals=decimals)
