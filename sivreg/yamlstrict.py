"""Strict YAML reading: no implicit booleans or dates, no duplicate keys, line numbers kept.

YAML 1.1 turns `NO` (Norway), `yes` and `off` into booleans and `2026-01-01` into a date.
In sivreg every scalar stays a string unless the schema says otherwise, so `NO` stays "NO"
and answers are "yes" / "no" / "unknown" as typed. Mappings remember the line of each key so
that errors can point at it.

Answers files (`text=True`) go further: YAML 1.1 also reads `010` as 8, `12:30` as 750,
`1_000` as 1000, `1.10` as 1.1 and `.nan` as a float, so an id or a title would silently
change. There every plain scalar is text, exactly the characters written (only `~` / empty
stay "not answered"); a field that needs a number checks the text itself (sivreg.io). The
rulebook's own files keep YAML numbers. Only regular files are read: a FIFO would block
forever and a device never ends.

Speed: documents are parsed by libyaml (PyYAML's C parser, `yaml.CSafeLoader`) with the same
resolvers, constructors and shape checks, so the objects and their lines are the same. The
Python parser stays the reference for errors: a document libyaml refuses, or that any check
refuses, is read again by the Python loader, whose message and line are the ones reported
(libyaml words its errors differently). Where PyYAML was built without libyaml the Python
loader reads everything, with one warning.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import InputError, Problem

_DROPPED_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}

# Limits against hostile files: an answers file is a few kB, nested three or four levels.
MAX_BYTES = 1_000_000      # larger files are refused before they are parsed
MAX_DEPTH = 40             # mappings/lists inside each other
MAX_NODES = 200_000        # values after every alias (*name) is expanded ("billion laughs")
MAX_SEQUENCE = 1_000       # items in one list, refused before the values are built (sivreg.io
                           # has tighter limits per field: 50 modules, 100 choices)


@dataclass(frozen=True)
class KeyedProblem(Problem):
    """A Problem whose message is also a rulebook message (`key`, in messages/core.yaml) with
    its arguments, so that it can be shown in nb or en (`sivreg.io.problem_text`). `message`
    is the English text, for logs and the Python API."""

    key: str = ""
    args: tuple = ()   # ((name, value), ...); a Term value is itself a message key


class Term(str):
    """A message argument that is a message key too (e.g. the name of a type, "a list")."""


# English of this module's messages, for the rulebook's own files (read before any rulebook
# exists); answers files are shown in the user's language from messages/core.yaml.
_EN = {
    "input.too_large": "the file is too large (more than {limit} bytes); an answers file is a few kB",
    "input.nested": "nested more than {n} levels deep",
    "input.aliases": "too many values once the aliases (*name) are expanded (more than {n})",
    "input.yaml_syntax": "YAML syntax error: {detail}",
    "input.yaml_error": "YAML error: {detail}",
    "input.cannot_read": "cannot read file: {reason}",
    "input.not_utf8": "the file is not UTF-8 text (save it as UTF-8)",
    "input.not_regular": "is not a regular file but {kind}; only files are read",
    "input.kind.fifo": "a named pipe (FIFO)",
    "input.kind.device": "a device",
    "input.kind.socket": "a socket",
    "input.kind.other": "a special file",
    "input.bad_number": "a number that cannot be read ({detail})",
    "input.list_too_long": "the list is too long ({n} values; at most {limit})",
}


def problem(source, line, field, key, **args) -> KeyedProblem:
    shown = {k: _EN.get(v, v) if isinstance(v, Term) else v for k, v in args.items()}
    return KeyedProblem(source, line, field, _EN[key].format(**shown), key, tuple(args.items()))


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


class _TextLoader(_StrictLoader):
    """Answers files: no implicit numbers either (plain `010` stays the text "010")."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in _StrictLoader.yaml_implicit_resolvers.items()
}

HAVE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False)) and hasattr(yaml, "CSafeLoader")

if HAVE_LIBYAML:
    class _CStrictLoader(yaml.CSafeLoader):
        """libyaml's parser with _StrictLoader's resolvers and constructors (CParser resolves
        each scalar through these Python tables, and builds the same yaml.nodes objects)."""

    _CStrictLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers
    _CStrictLoader.yaml_constructors = _StrictLoader.yaml_constructors

    class _CTextLoader(_CStrictLoader):
        """libyaml for answers files (_TextLoader's resolvers)."""

    _CTextLoader.yaml_implicit_resolvers = _TextLoader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML without libyaml
    _CStrictLoader = _CTextLoader = None

# What the Python reader refuses before parsing (yaml.reader.Reader.NON_PRINTABLE); such text
# goes to the Python loader, so the error is its own.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
_warned = False


def _warn_no_libyaml() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn("PyYAML was built without libyaml: sivreg reads YAML with the slower Python "
                      "parser (install PyYAML with libyaml for speed)", RuntimeWarning, stacklevel=3)


def _too_big(text: str, source: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > MAX_BYTES else len(text)
    if size > MAX_BYTES:
        raise InputError([problem(source, None, "", "input.too_large", limit=f"{MAX_BYTES:,}")])


def _check_shape(node, source: str) -> None:
    """Refuse documents nested too deeply or that expand to too many values through aliases
    (an anchor referenced many times, repeated at each level, grows exponentially)."""
    sizes: dict[int, int] = {}
    # iterative post-order walk; an alias is the same node object, so its size is memoised
    stack = [(node, 1, False)]
    while stack:
        n, depth, done = stack.pop()
        if id(n) in sizes and not done:
            continue
        if depth > MAX_DEPTH:
            raise InputError([problem(source, n.start_mark.line + 1, "", "input.nested", n=MAX_DEPTH)])
        children = []
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
            for k, v in n.value:  # 25,000 modules: one message naming the key, not 25,000 objects
                if not done and isinstance(v, yaml.SequenceNode) and len(v.value) > MAX_SEQUENCE:
                    raise InputError([problem(source, k.start_mark.line + 1, str(k.value)[:80], "input.list_too_long",
                                              n=f"{len(v.value):,}", limit=f"{MAX_SEQUENCE:,}")])
        if done:
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_NODES:
                raise InputError([problem(source, n.start_mark.line + 1, "", "input.aliases",
                                          n=f"{MAX_NODES:,}")])
            sizes[id(n)] = total
            continue
        stack.append((n, depth, True))
        for c in children:
            if id(c) not in sizes:
                stack.append((c, depth + 1, False))


def loads(text: str, source: str = "<string>", text_only: bool = False):
    """Parse YAML text strictly; a syntax error becomes an InputError naming source and line.
    Files over MAX_BYTES, nested deeper than MAX_DEPTH or expanding to more than MAX_NODES
    values are refused with an InputError too. `text_only`: every plain scalar is a string
    (answers files)."""
    _too_big(text, source)
    if HAVE_LIBYAML:
        if not _NON_PRINTABLE.search(text):
            try:
                return _parse(_CTextLoader if text_only else _CStrictLoader, text, source)
            except Exception:  # noqa: BLE001  refused: the Python loader says why, in its words
                pass
    else:
        _warn_no_libyaml()
    return _python_loads(text, source, text_only)


def _parse(loader_class, text: str, source: str):
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_shape(node, source)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _python_loads(text: str, source: str, text_only: bool):
    """The Python loader: the reference for what is refused and how it is said."""
    try:
        return _parse(_TextLoader if text_only else _StrictLoader, text, source)
    except RecursionError:
        raise InputError([problem(source, None, "", "input.nested", n=MAX_DEPTH)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise InputError([problem(source, line, "", "input.yaml_syntax", detail=what)]) from None
    except yaml.YAMLError as exc:
        raise InputError([problem(source, None, "", "input.yaml_error", detail=str(exc))]) from None
    except (ValueError, OverflowError) as exc:  # !!int with 5,000 digits (Python's int limit)
        raise InputError([problem(source, None, "", "input.bad_number", detail=str(exc)[:80])]) from None


def _kind(mode: int) -> Term:
    if stat.S_ISFIFO(mode):
        return Term("input.kind.fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Term("input.kind.device")
    if stat.S_ISSOCK(mode):
        return Term("input.kind.socket")
    return Term("input.kind.other")


def read_regular(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` + 1 bytes of a regular file. A FIFO, device or socket is refused at
    once (opened without blocking, then checked on the open file, so a swap between the check
    and the read changes nothing); a link is followed and its target judged."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket cannot be opened like a file
            raise InputError([problem(str(path), None, "", "input.not_regular",
                                      kind=Term("input.kind.socket"))]) from None
        raise InputError([problem(str(path), None, "", "input.cannot_read",
                                  reason=exc.strerror or str(exc))]) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError([problem(str(path), None, "", "input.cannot_read",
                                      reason=os.strerror(errno.EISDIR))])
        if not stat.S_ISREG(mode):
            raise InputError([problem(str(path), None, "", "input.not_regular", kind=_kind(mode))])
        with os.fdopen(fd, "rb", closefd=False) as fh:  # never more than the limit
            return fh.read(limit + 1)
    except OSError as exc:
        raise InputError([problem(str(path), None, "", "input.cannot_read",
                                  reason=exc.strerror or str(exc))]) from None
    finally:
        os.close(fd)


def load_file(path: str | Path, text_only: bool = False):
    """Read a YAML file strictly: undecodable bytes and syntax errors become InputErrors, and
    so does anything that is not a regular file (see read_regular)."""
    path = Path(path)
    raw = read_regular(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if len(raw) <= MAX_BYTES:
            raise InputError([problem(str(path), line, "", "input.not_utf8")]) from None
        text = ""
    if len(raw) > MAX_BYTES:
        raise InputError([problem(str(path), None, "", "input.too_large", limit=f"{MAX_BYTES:,}")])
    return loads(text, str(path), text_only)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that also writes what the strict loader read (LineDict is a plain mapping)."""


_Dumper.add_representer(LineDict, yaml.SafeDumper.represent_dict)


def dumps(data) -> str:
    """Write YAML that reads back identically under the strict loader (strings quoted when
    YAML 1.1 would otherwise read them as booleans, numbers or dates). Accepts what `loads`
    returned, so a file can be read, changed and written back."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
