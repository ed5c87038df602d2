"""What the syntax tree says each unit does: its calls and the strings it passes them, what
it raises and returns, its decorators and base classes.

One tree-sitter query per grammar finds every call, raise, return, decorator and base-class
clause in a single pass in C; the query is put together from the node kinds below that the
grammar has, so no code branches on a language's name. Engines read the result as fields of
``Unit`` (``calls``, ``literals``, ``raises``, ``returns``, ``decorators``, ``bases``).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from typing import Any

from .units import UnitFacts

# Node kinds (and the field naming what is called) across the supported grammars.
_CALLS = (
    ("call", ("function", "method")),
    ("call_expression", ("function",)),
    ("method_invocation", ("name",)),
    ("invocation_expression", ("function",)),
    ("function_call", ("name",)),
    ("function_call_expression", ("function",)),
    ("member_call_expression", ("name",)),
    ("method_call_expression", ("method",)),
    ("ambiguous_function_call_expression", ("function",)),
    ("command", ("name",)),
    ("macro_invocation", ("macro",)),
    ("object_creation_expression", ("type",)),
    ("new_expression", ("constructor",)),
)
_RAISES = ("raise_statement", "throw_statement", "throw_expression")
_RETURNS = ("return_statement", "return_expression")
_DECORATORS = ("decorator", "annotation", "marker_annotation", "attribute_item")
_BASES = (
    ("class_definition", "superclasses"),
    ("superclass", ""),
    ("super_interfaces", ""),
    ("extends_interfaces", ""),
    ("class_heritage", ""),
    ("base_class_clause", ""),
    ("delegation_specifier", ""),
    ("base_list", ""),
    ("inheritance_clause", ""),
)
_STRINGS = (
    "string", "string_literal", "template_string", "raw_string_literal", "heredoc_body",
    "interpreted_string_literal", "raw_string", "heredoc_redirect",
    "line_string_literal", "multi_line_string_literal", "text_block",
)  # fmt: skip
_LIMIT = 40
_NAME = re.compile(
    r"[\w$@.:>\-]+"
)  # facts kept per unit and kind: enough to describe, bounded on odd input
_STRING_EDGE = re.compile(r"^[A-Za-z@$]{0,3}(\"\"\"|'''|\"|'|`)|(\"\"\"|'''|\"|'|`)$")
_NOT_BASE = frozenset(
    {"extends", "implements", "public", "private", "protected", "virtual", "object", "metaclass",
     "with", "class", "interface", "abstract", "final", "sealed", "open", "override"}
)  # fmt: skip


@functools.cache
def _query(grammar: str) -> Any | None:
    """The facts query for ``grammar``: the patterns of the tables above it can compile."""
    from tree_sitter import Query, QueryError

    from .parsing import _language

    language = _language(grammar)
    patterns: list[str] = []

    def add(pattern: str) -> None:
        try:
            Query(language, pattern)
        except QueryError:
            return
        patterns.append(pattern)

    for kind, fields in _CALLS:
        for field in fields:
            add(f"({kind} {field}: (_) @callee) @call")
    for kind in _RAISES:
        add(f"({kind}) @raise")
    for kind in _RETURNS:
        add(f"({kind}) @return")
    for kind in _DECORATORS:
        add(f"({kind}) @decorator")
    for kind in _STRINGS:
        add(f"({kind}) @string")
    for kind in ("comment", "block_comment", "multiline_comment", "line_comment", "pod"):
        add(f"({kind}) @comment")
    for kind, field in _BASES:
        add(f"({kind} {field}: (_) @bases)" if field else f"({kind}) @bases")
    return Query(language, "\n".join(patterns)) if patterns else None


def unit_facts(
    root: Any, data: bytes, grammar: str, starts: Sequence[int], ends: Sequence[int]
) -> list[UnitFacts]:
    """Facts for each unit spanning ``starts[i]..ends[i]`` (1-based lines, sorted)."""
    found = [UnitFacts() for _ in starts]
    query = _query(grammar)
    if query is None or not starts:
        return found
    from tree_sitter import QueryCursor

    cursor = QueryCursor(query)
    cursor.set_max_start_depth(64)
    # Capture lists come in match order, which is not source order: sort them, so the first
    # call of a name is the one kept and answers never depend on the match order.
    captures = {
        name: sorted(nodes, key=lambda node: node.start_byte)
        for name, nodes in cursor.captures(root).items()
    }

    def owner(line: int) -> UnitFacts | None:
        index = bisect.bisect_right(starts, line) - 1
        if index < 0 or line > ends[index]:
            return None
        return found[index]

    for node in captures.get("string", ()):
        first, last = node.start_point[0] + 1, node.end_point[0] + 1
        facts = owner(first) if last > first else None
        if facts is not None and len(facts.strings) < 4 * _LIMIT:
            facts.strings.append((first, last))
    for node in captures.get("comment", ()):
        first, last = node.start_point[0] + 1, node.end_point[0] + 1
        facts = owner(first) if last > first else None
        if facts is not None and len(facts.comments) < 4 * _LIMIT:
            facts.comments.append((first, last))
    _calls(captures.get("callee", ()), data, owner)
    for kind, field in (("raise", "raises"), ("return", "returns")):
        for node in captures.get(kind, ()):
            line = node.start_point[0] + 1
            if (facts := owner(line)) is not None:
                _add(getattr(facts, field), line, _head(node, data))
    for node in captures.get("decorator", ()):
        line = node.start_point[0] + 1
        if (facts := owner(line)) is not None:
            _add(facts.decorators, line, _one_line(_text(node, data, 120)))
    for node in captures.get("bases", ()):
        line = node.start_point[0] + 1
        if (facts := owner(line)) is not None:
            for name in re.findall(r"[A-Za-z_][\w.:]*", _text(node, data)):
                if name.lower() not in _NOT_BASE:
                    _add(facts.bases, line, name)
    return found


def _add(items: list[Any], line: int, *value: str) -> None:
    if value[-1] and len(items) < _LIMIT and all(item[1:] != value for item in items):
        items.append((line, *value))


def _text(node: Any, data: bytes, limit: int = 200) -> str:
    end = min(node.end_byte, node.start_byte + limit)
    return data[node.start_byte : end].decode("utf-8", "replace")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _calls(callees: Sequence[Any], data: bytes, owner: Any) -> None:
    """Each unit's callees in order, once each; the string a call opens with only for names
    called more than once in the file (only those can be a theme, and it costs a walk)."""
    named: list[tuple[UnitFacts, int, str, Any]] = []
    times: dict[str, int] = {}
    seen: dict[int, set[str]] = {}
    for callee in callees:
        if callee.end_byte - callee.start_byte > 80:
            continue
        line = callee.start_point[0] + 1
        facts = owner(line)
        if facts is None or len(facts.calls) >= _LIMIT:
            continue
        name = data[callee.start_byte : callee.end_byte].decode("utf-8", "replace")
        if not _NAME.fullmatch(name):
            continue  # a call of a call's result, a lambda, a subscript: no name to speak of
        times[name] = times.get(name, 0) + 1
        named.append((facts, line, name, callee))
        own = seen.setdefault(id(facts), set())
        if name not in own:
            own.add(name)
            facts.calls.append((line, name))
    for facts, line, name, callee in named:
        if times[name] < 2 or len(facts.literals) >= _LIMIT:
            continue
        literal = _first_string(callee.parent, data)
        if literal and not any(item[1] == name for item in facts.literals):
            facts.literals.append((line, name, literal))


def _first_string(call: Any, data: bytes) -> str:
    """The string literal that opens a call's arguments (``'USER %s'`` of ``f('USER %s' %
    u)``), or ""."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        arguments = call.child_by_field_name("argument")  # a shell command's first word
        if arguments is not None and arguments.type == "word":
            return _text(arguments, data, 60)
    if arguments is None or not arguments.named_child_count:
        return ""
    node = arguments.named_children[0]
    for _ in range(3):
        if "string" in node.type:
            text = _STRING_EDGE.sub("", _text(node, data, 120))
            return _one_line(text)[:60]
        if not node.named_child_count:
            return ""
        node = node.named_children[0]  # 'USER %s' % user, "a" + b: the string leads
    return ""


def _head(statement: Any, data: bytes) -> str:
    """What a return or raise hands back: ``X()`` for a call of X, ``new X`` for a new X,
    a name, or the kind of a literal (``<str>``, ``<num>``, ``<none>``...)."""
    if not statement.named_child_count:
        return ""
    node = statement.named_children[0]
    kind = node.type
    if kind in ("call", "call_expression", "method_invocation", "invocation_expression"):
        callee = node.child_by_field_name("function") or node.child_by_field_name("name")
        return f"{_one_line(_text(callee, data, 60))}()" if callee is not None else ""
    if kind in ("new_expression", "object_creation_expression"):
        made = node.child_by_field_name("constructor") or node.child_by_field_name("type")
        return f"new {_one_line(_text(made, data, 60))}" if made is not None else ""
    if kind in ("identifier", "attribute", "member_expression", "field_expression"):
        return _one_line(_text(node, data, 60))
    if "string" in kind:
        return "<str>"
    if kind in ("integer", "float", "number", "number_literal", "decimal_integer_literal"):
        return "<num>"
    if kind in ("true", "false", "boolean", "boolean_literal"):
        return "<bool>"
    if kind in ("none", "null", "nil", "null_literal", "undefined"):
        return "<none>"
    if kind in ("list", "array", "list_comprehension", "array_creation_expression"):
        return "<list>"
    if kind in ("dictionary", "object", "dictionary_comprehension"):
        return "<dict>"
    return ""
