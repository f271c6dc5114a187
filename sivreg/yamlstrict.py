"""Strict YAML reading: no implicit booleans or dates, no duplicate keys, line numbers kept.

YAML 1.1 turns `NO` (Norway), `yes` and `off` into booleans and `2026-01-01` into a date.
In sivreg every scalar stays a string unless the schema says otherwise, so `NO` stays "NO"
and answers are "yes" / "no" / "unknown" as typed. Mappings remember the line of each key so
that errors can point at it.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError, Problem

_DROPPED_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}


class LineDict(dict):
    """A dict that knows the source line (1-based) of each of its keys."""

    lines: dict
    line: int | None = None

    def line_of(self, key) -> int | None:
        return getattr(self, "lines", {}).get(key, self.line)


class _StrictLoader(yaml.SafeLoader):
    pass


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> LineDict:
    own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - own  # flatten puts merged (<<) pairs first; own keys override them
    result = LineDict()
    result.lines = {}
    result.line = node.start_mark.line + 1
    from_merge: set = set()
    for i, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float)) or isinstance(key, bool):
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a plain name, found {key!r}", key_node.start_mark)
        key = str(key)
        if i < merged:
            from_merge.add(key)
        elif key in from_merge:
            from_merge.discard(key)
        elif key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def loads(text: str, source: str = "<string>"):
    """Parse YAML text strictly; a syntax error becomes an InputError naming source and line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise InputError([Problem(source, line, "", f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, None, "", f"YAML error: {exc}")]) from None


def load_file(path: str | Path):
    """Read a YAML file strictly: undecodable bytes and syntax errors become InputErrors."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), None, "", f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(str(path), line, "",
                                  "the file is not UTF-8 text (save it as UTF-8)")]) from None
    return loads(text, str(path))


def dumps(data) -> str:
    """Write YAML that reads back identically under the strict loader (strings quoted when
    YAML 1.1 would otherwise read them as booleans, numbers or dates)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
