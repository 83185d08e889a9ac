"""A mapping's YAML read as nodes, so that every error can name the line it is on.

`yaml.compose` keeps each node's position (`start_mark`); plain values are built from
scalar nodes only, by the safe constructor. Duplicate keys, which YAML would let the
last one win silently, are errors here.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ingest.mapping.errors import MappingError


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


class YamlDoc:
    """The parsed mapping file, and the way to report a problem at a node."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self._constructor = SafeConstructor()
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = int(mark.line) + 1 if mark is not None else 1
            problem = f"not valid YAML: {exc.problem}"
            if exc.context and exc.context_mark is not None:
                problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
            raise MappingError(path, line, problem, "fix the syntax") from None
        except yaml.YAMLError as exc:
            raise MappingError(path, 1, f"not valid YAML: {exc}", "fix the syntax") from None
        if root is None:
            raise MappingError(path, 1, "the mapping is empty", "see ingest/mapping/README.md")
        self.root: Node = root

    def error(self, node: Node, problem: str, fix: str = "") -> MappingError:
        return MappingError(self.path, line_of(node), problem, fix)

    def fields(
        self, node: Node, what: str, allowed: Collection[str], required: Collection[str] = ()
    ) -> dict[str, tuple[Node, Node]]:
        """The keys of a YAML mapping with their key and value nodes, checked."""
        found = self.pairs(node, what)
        for key, (key_node, _) in found.items():
            if key not in allowed:
                raise self.error(key_node, f"{what} has no key {key!r}", choices(key, allowed))
        for key in required:
            if key not in found:
                raise self.error(node, f"{what} needs `{key}`", "add it")
        return found

    def pairs(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        """Every key of a YAML mapping (any names), in order, without duplicates."""
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping of `key: value` lines")
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            self.scalar(key_node, f"a key of {what}")
            name = str(key_node.value)  # as written: `NO` is Norway, not false
            if name in found:
                first = line_of(found[name][0])
                raise self.error(key_node, f"{what} names {name!r} twice (first on line {first})")
            found[name] = (key_node, value_node)
        return found

    def items(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.error(node, f"{what} must be a single value, not a list or mapping")
        try:
            return self._constructor.construct_object(node)
        except ConstructorError as exc:
            raise self.error(node, f"{what}: {exc.problem}") from None

    def value(self, node: Node, what: str) -> Any:
        """A constant for a property. No property is boolean, so YAML 1.1 booleans
        (yes, no, on, off) are kept as the text written: `NO` stays Norway."""
        value = self.scalar(node, what)
        return str(node.value) if isinstance(value, bool) else value

    def text(self, node: Node, what: str) -> str:
        """A non-empty string (numbers are accepted and kept as written)."""
        value = self.scalar(node, what)
        if isinstance(value, bool) or value is None or isinstance(value, list | dict):
            raise self.error(node, f"{what} must be text, found {value!r}")
        text = str(node.value) if not isinstance(value, str) else value
        if not text.strip():
            raise self.error(node, f"{what} is empty")
        return text

    def texts(self, node: Node, what: str) -> list[tuple[str, Node]]:
        """A non-empty list of distinct strings; a single string counts as a list of one."""
        nodes = [node] if isinstance(node, ScalarNode) else self.items(node, what)
        if not nodes:
            raise self.error(node, f"{what} is an empty list")
        seen: dict[str, Node] = {}
        for item in nodes:
            text = self.text(item, f"an entry of {what}")
            if text in seen:
                raise self.error(item, f"{what} names {text!r} twice")
            seen[text] = item
        return list(seen.items())

    def flag(self, node: Node, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.error(node, f"{what} must be true or false, found {value!r}")
        return value


def choices(key: str, allowed: Collection[str], noun: str = "allowed keys") -> str:
    """A hint for a misspelt name: the closest allowed one, and all of them."""
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}{noun}: {', '.join(sorted(allowed))}"
