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

from .errors import InputProblems


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


class _DecimalLoader(_StrictLoader):
    """The strict loader, with decimal numbers kept as ``Decimal`` (printed precision kept)."""


def _decimal(loader: _DecimalLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = loader.construct_scalar(node)
    try:
        return Decimal(str(text).replace("_", ""))
    except InvalidOperation:
        return str(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)

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
    _FastDecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
    _FAST = {False: _FastStrictLoader, True: _FastDecimalLoader}
else:  # pragma: no cover - PyYAML without libyaml
    _FAST = {}


def _fast_parse(text: str, source: str, decimals: bool) -> tuple[bool, Any, list]:
    """(parsed, data, duplicates) with libyaml's parser; parsed is False when it is missing or
    refused the text (the pure-Python loader then says why)."""
    loader_class = _FAST.get(decimals)
    if loader_class is None:
        return False, None, []
    loader = loader_class(text, source)
    try:
        return True, loader.get_single_data(), loader.duplicates
    except yaml.YAMLError:
        return False, None, []
    finally:
        loader.dispose()


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
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        what = " ".join(part for part in (error.context, error.problem) if part)
        raise InputProblems(source, [f"{where}: not valid YAML: {what}"]) from None
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
