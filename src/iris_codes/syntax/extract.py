"""Turns a file into units: its top-level definitions, or the members of large classes.

Units come in source order, numbered from 1, never nested, and together cover every
non-blank line: comments and blank lines belong to the unit that follows them, and a
container's closing lines belong to its last member.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from . import comments, isolation
from .facts import unit_facts
from .languages import Language, get_language
from .parsing import parse
from .references import identifiers, import_names
from .units import Unit

_IMPORT = re.compile(
    r"import|include|using_directive|use_declaration|package_(?:clause|declaration|header|statement)"
    r"|namespace_use|extern_crate|library_name|part_directive|open_module|^use_statement$"
)
_CLASS = re.compile(
    r"class|trait|impl_item|object_(?:declaration|definition)|protocol_declaration|mixin"
    r"|extension_declaration|^module$|module_definition|singleton_class|^mod_item$"
)
_TYPE = re.compile(
    r"interface|struct|enum|type_alias|type_item|typedef|type_definition|type_declaration|union"
    r"|record|newtype|^data_type|type_synonym|type_spec"
)
_FUNCTION = re.compile(
    r"function|method|^func|procedure|^fn|_fn|subroutine|constructor|^signature$|value_definition"
    r"|^macro_definition$|^bind$"
)
_CONSTANT = re.compile(
    r"const|^var|let_declaration|static|global|assignment|declaration|property|field|lexical"
    r"|variable|define|^let"
)
_TRANSPARENT = re.compile(
    r"namespace_(?:definition|declaration|body)|^namespace$|^preproc_(?:if|ifdef|else|elif)"
    r"|linkage_specification|^ERROR$|internal_module"
    r"|^declarations$|^imports$|^module$|^block_comment_group$"
)
_WRAPPER = re.compile(
    r"^export_statement$|^decorated_definition$|^template_declaration$|^attributed_|^annotated_"
    r"|^ambient_declaration$|^visibility_modifier$"
)
_BODY = re.compile(
    r"body|^block$|declaration_list|do_block|members|compound_statement|statement_block"
    r"|template_body"
)
_NAME_TYPE = re.compile(
    r"identifier|^name$|^constant$|^word$|^alias$|^simple_identifier$|^variable$", re.I
)
_COMPOUND_NAME = re.compile(r"index|field_expression|member|scoped|qualified|dot|attribute")
_ELIXIR_PREAMBLE = ("@impl", "@doc", "@spec", "@decorate", "@deprecated")
# Attributes and tags that belong to the code after them, as comments do.
_PREAMBLE = frozenset({"attribute_item", "inner_attribute_item", "php_tag", "shebang", "pod"})
_MODULE_LIKE = re.compile(r"module|namespace|package")
_ELIXIR_DEFS = {"def", "defp", "defmacro", "defmacrop", "defguard", "defdelegate", "defn"}
_ELIXIR_TYPES = {"defmodule", "defprotocol", "defimpl", "defstruct", "defexception"}
_ELIXIR_IMPORTS = {"alias", "import", "use", "require"}
_REQUIRE = re.compile(r"\brequire(?:_relative)?\s*[\(\s]['\"]|\bsource\s+\S|^\s*\.\s+\S|library\(")
_R_FUNCTION = re.compile(r"^\s*([\w.]+)\s*(?:<-|=)\s*function\b")
_MAX_DEPTH = 3
_PREPROC = re.compile(r"preproc_")
_MAX_WRAPPERS = 8  # preprocessor conditionals and namespaces, nested
_TRAILER_LINES = 5  # a closing comment this long is documentation of its own
_SPLIT_LINES = 60


class _Item(msgspec.Struct):
    start: int
    end: int
    kind: str
    name: str
    node: Any
    parent: str | None = None
    exported: bool = False
    defines: set[str] = msgspec.field(default_factory=set)
    # Where later pieces of one definition begin (overloads, then the implementation),
    # with the line the piece before them ends on: a doc may sit between them.
    gaps: list[tuple[int, int]] = msgspec.field(default_factory=list)


class _File(msgspec.Struct):
    data: bytes
    lines: list[str]
    lang: Language
    line_count: int


def extract_units(source: str, language: str) -> list[Unit]:
    """The file's units in source order, numbered 1..n (see the module docstring)."""
    if isolation.enabled():  # in a parse process, so a grammar's crash costs one parse
        return isolation.extract_units(source, language)
    lang = get_language(language) or Language(language, language, ())
    lines = source.split("\n")
    if source.endswith("\n"):
        lines.pop()
    if not source.strip():
        return []
    data = source.encode("utf-8", "surrogatepass")
    tree = parse(data, lang.grammar)
    file = _File(data, lines, lang, len(lines))
    items = [
        _clamp(item, file.line_count)
        for item in _top_items(tree.root_node, file)
        if item.start <= file.line_count and item.node.end_byte > item.node.start_byte
    ]
    items = _merge_overlaps(sorted(items, key=lambda it: (it.start, it.end)))
    units = _to_units(items, file, _trailer(tree.root_node, file, items))
    found = unit_facts(
        tree.root_node, data, lang.grammar, [u.start for u in units], [u.end for u in units]
    )
    return [msgspec.structs.replace(u, facts=f) for u, f in zip(units, found, strict=True)]


def _trailer(root: Any, file: _File, items: list[_Item]) -> int:
    """The first line of a long comment (or POD) ending the file after its last item."""
    if not items or not root.named_children:
        return 0
    last = root.named_children[-1]
    if last.type == "data_section" and len(root.named_children) > 1:
        last = root.named_children[-2]  # Perl: the POD, then an empty __DATA__ section
    start, end = _line_span(last, file)
    is_doc = _classify(last, file)[0] == "comment"
    if is_doc and start > max(item.end for item in items) and end - start >= _TRAILER_LINES:
        return start
    return 0


# --- walking the tree -----------------------------------------------------------------


def _line_span(node: Any, file: _File | None = None) -> tuple[int, int]:
    start = node.start_point[0] + 1
    end_row, end_col = node.end_point
    trailing_blank = end_col == 0
    if not trailing_blank and file is not None:
        # Some grammars end a block after the next line's indentation (Scala, Python).
        trailing_blank = not file.data[node.end_byte - end_col : node.end_byte].strip()
    end = end_row if trailing_blank and end_row + 1 > start else end_row + 1
    return start, max(start, end)


def _text(node: Any, file: _File, limit: int = 4000) -> str:
    end = min(node.end_byte, node.start_byte + limit)
    return file.data[node.start_byte : end].decode("utf-8", "replace")


def _top_items(root: Any, file: _File) -> list[_Item]:
    children = [c for c in root.named_children if _classify(c, file)[0] != "comment"]
    if len(children) == 1:
        only = children[0]
        start, end = _line_span(only, file)
        members = _members(only)
        kind, name = _classify(only, file)
        # A file that is one container (a class, a module wrapper) reads as its members;
        # a file that is one function stays that function (its paragraphs are sections).
        if kind != "function" and len(members) >= 2 and end - start + 1 >= 0.5 * file.line_count:
            return _split(only, kind, name, members, file, 0)
    items: list[_Item] = []
    for child in children:
        items.extend(_expand(child, file, 0, None))
    return items


def _expand(
    node: Any,
    file: _File,
    depth: int,
    parent: str | None,
    methods: bool = True,
    wrappers: int = 0,
) -> list[_Item]:
    kind, name = _classify(node, file)
    if kind == "comment" or node.type == "data_section":
        return []  # Perl's __DATA__/__END__ section: data (or POD), no code to read
    inner = _unwrap(node)
    splittable = kind in ("class", "type") or (
        kind != "import" and _TRANSPARENT.search(inner.type) is not None
    )
    if depth < _MAX_DEPTH and wrappers < _MAX_WRAPPERS and splittable:
        members = _members(inner)
        start, end = _line_span(node, file)
        transparent = bool(_TRANSPARENT.search(inner.type))
        big = end - start + 1 > _SPLIT_LINES or (
            file.line_count >= 30 and end - start + 1 >= 0.6 * file.line_count
        )
        if members and (transparent or (big and len(members) >= 2)):
            return _split(node, kind, name, members, file, depth, wrappers)
    start, end = _line_span(node, file)
    if parent is None and inner.type == "method_declaration" and file.lang.hook == "go":
        parent = _go_receiver(inner, file)
    if parent is not None and kind == "function" and methods:
        kind = "method"
    item = _Item(start, end, kind, name, node, parent, _exported(node, name, file))
    return [item]


def _split(
    node: Any,
    kind: str,
    name: str,
    members: list[Any],
    file: _File,
    depth: int,
    wrappers: int = 0,
) -> list[_Item]:
    start, end = _line_span(node, file)
    first = _line_span(members[0], file)[0]
    body = _body(_unwrap(node))
    header_end = start
    if body is not None:
        body_start = body.start_point[0] + 1
        header_end = body_start if body_start < first else max(start, body_start - 1)
    header_end = min(header_end, first - 1) if first > start else start
    if body is not None and body.named_child_count and _is_docstring(body.named_children[0]):
        header_end = max(header_end, min(first - 1, _line_span(body.named_children[0], file)[1]))
    is_transparent = _TRANSPARENT.search(_unwrap(node).type) is not None
    items: list[_Item] = []
    if first > start:
        header_kind = "statement" if is_transparent else kind
        header = _Item(
            start, header_end, header_kind, name, node, None, _exported(node, name, file)
        )
        if not is_transparent:
            header.defines.add(name)
        items.append(header)
    member_parent = None if is_transparent else name
    # Functions in a module or namespace stay functions; in a class they are methods.
    methods = not _MODULE_LIKE.search(_unwrap(node).type) and file.lang.hook != "elixir"
    for member in members:
        # A namespace is no nesting a reader sees; an "#if" is a level (descending through
        # them cut C files off their authors' sections: boundaries bench, Pk 0.344 → 0.364).
        if not is_transparent:
            inner_depth, inner_wrappers = depth + 1, 0
        else:
            inner_depth = depth + (1 if _PREPROC.match(node.type) else 0)
            inner_wrappers = wrappers + 1
        items.extend(_expand(member, file, inner_depth, member_parent, methods, inner_wrappers))
    if items:
        last = max(items, key=lambda it: it.end)
        last.end = max(last.end, end)
    return items


def _go_receiver(node: Any, file: _File) -> str | None:
    receiver = node.child_by_field_name("receiver")
    if receiver is None:
        return None
    words = re.findall(r"[A-Za-z_]\w*", _text(receiver, file, 120))
    return words[-1] if words else None


def _unwrap(node: Any) -> Any:
    seen = 0
    while _WRAPPER.search(node.type) and seen < 3:
        inner = (
            node.child_by_field_name("declaration")
            or node.child_by_field_name("definition")
            or node.child_by_field_name("value")
        )
        if inner is None:
            named = [c for c in node.named_children if "comment" not in c.type]
            if not named:
                return node
            inner = named[-1]
        node = inner
        seen += 1
    return node


def _body(node: Any) -> Any:
    body = node.child_by_field_name("body")
    if body is not None and body.named_child_count:
        return body
    for child in node.named_children:
        if _BODY.search(child.type) and child.named_child_count:
            return child
    return None


def _members(node: Any) -> list[Any]:
    node = _unwrap(node)
    body = _body(node)
    if body is None:
        if not _TRANSPARENT.search(node.type):
            return []
        body = node
    node_start = node.start_point[0]
    members = []
    for child in body.named_children:
        if "comment" in child.type:
            continue
        if body is node and child.start_point[0] == node_start and not child.named_child_count:
            continue  # part of the container's own header line (e.g. #ifdef NAME)
        members.append(child)
    if members and _is_docstring(members[0]):
        members = members[1:]
    return members


def _is_docstring(node: Any) -> bool:
    if node.type in ("string", "concatenated_string"):
        return True
    return (
        node.type == "expression_statement"
        and node.named_child_count == 1
        and (node.named_children[0].type in ("string", "concatenated_string"))
    )


# --- classifying nodes ----------------------------------------------------------------


def _classify(node: Any, file: _File) -> tuple[str, str]:
    if (
        "comment" in node.type
        or node.type in _PREAMBLE
        or (file.lang.docstrings and _is_docstring(node))
        or (file.lang.hook == "elixir" and _text(node, file, 20).startswith(_ELIXIR_PREAMBLE))
    ):
        return "comment", ""
    inner = _unwrap(node)
    kind_type = inner.type
    if file.lang.hook == "elixir" and kind_type == "call":
        return _classify_elixir(inner, file)
    if file.lang.hook == "zig" and kind_type in ("Decl", "TestDecl"):
        return _classify_zig(inner, file)
    text_start = _text(inner, file, 200)
    if _IMPORT.search(kind_type) or (
        kind_type not in ("function_definition",)
        and _REQUIRE.search(text_start)
        and "\n" not in text_start.strip()
    ):
        return "import", _find_name(inner, file)
    if file.lang.hook == "r":
        match = _R_FUNCTION.match(text_start)
        if match:
            return "function", match.group(1)
    name = _find_name(inner, file)
    if _FUNCTION.search(kind_type):
        return "function", name
    if _CLASS.search(kind_type):
        return "class", name
    if _TYPE.search(kind_type):
        return "type", name
    if "assert" in kind_type:
        return "statement", ""  # C++'s static_assert(…) checks; it defines nothing
    if _CONSTANT.search(kind_type) or _is_assignment(inner):
        if file.lang.arrow_functions and re.search(
            r"=\s*(?:async\s*)?(?:\(|function|\w+\s*=>)", text_start.split("\n")[0]
        ):
            return "function", name
        return "constant", name
    return "statement", name if _is_assignment(inner) else ""


def _is_assignment(node: Any) -> bool:
    if node.type in ("expression_statement", "assignment_statement"):
        first = node.named_children[0] if node.named_child_count else None
        return first is not None and "assignment" in first.type
    return False


def _classify_zig(node: Any, file: _File) -> tuple[str, str]:
    if node.type == "TestDecl":
        return "function", _text(node, file, 120).split("{")[0].strip()
    first = node.named_children[0] if node.named_child_count else None
    name = _find_name(first, file) if first is not None else ""
    if first is not None and first.type == "FnProto":
        return "function", name
    if "@import" in _text(node, file, 200):
        return "import", name
    return "constant", name


def _classify_elixir(node: Any, file: _File) -> tuple[str, str]:
    target = node.child_by_field_name("target")
    word = _text(target, file, 40) if target is not None else ""
    name = ""
    for child in node.named_children:
        if child.type == "arguments":
            name = _first_identifier(child, file, 0) or _text(child, file, 80).split("(")[0]
            break
    if word in _ELIXIR_DEFS:
        return "function", name
    if word in _ELIXIR_TYPES:
        return "class", name
    if word in _ELIXIR_IMPORTS:
        return "import", name
    return "statement", ""


def _find_name(node: Any, file: _File, depth: int = 0) -> str:
    if depth > 4:
        return ""
    fields = ("name", "declarator", "left", "pattern", "function", "variable_type_function")
    for field_name in fields:
        child = node.child_by_field_name(field_name)
        if child is None:
            continue
        if child.named_child_count == 0 or _NAME_TYPE.search(child.type):
            return _text(child, file, 120).strip()
        if _COMPOUND_NAME.search(child.type) and child.start_point[0] == child.end_point[0]:
            return _text(child, file, 120).strip()  # ``Inventory:add``, ``pkg.Name``
        found = _find_name(child, file, depth + 1)
        if found:
            return found
    named = node.named_children[:6]
    for child in named:
        # A declaration's declarator names it; its type field does not (``Repo _repo;``).
        if "declarator" in child.type:
            found = _find_name(child, file, depth + 1)
            if found:
                return found
    child = node.child_by_field_name("type")  # e.g. Rust ``impl Trait for Type``
    if child is not None:
        found = (
            _text(child, file, 120).strip()
            if not child.named_child_count
            else (_find_name(child, file, depth + 1))
        )
        if found:
            return found
    for child in named:
        if _NAME_TYPE.search(child.type) and child.named_child_count == 0:
            return _text(child, file, 120).strip()
    for child in named[:3]:
        if child.named_child_count and "body" not in child.type and "block" not in child.type:
            found = _find_name(child, file, depth + 1)
            if found:
                return found
    return ""


def _first_identifier(node: Any, file: _File, depth: int) -> str:
    if depth > 4:
        return ""
    for child in node.named_children[:3]:
        if _NAME_TYPE.search(child.type) and child.named_child_count == 0:
            return _text(child, file, 120)
        found = _first_identifier(child, file, depth + 1)
        if found:
            return found
    return ""


def _exported(node: Any, name: str, file: _File) -> bool:
    head = _text(node, file, 160)
    rule = file.lang.exports
    if rule == "keyword":
        return head.startswith(("export", "module.exports", "exports."))
    if rule == "capital":
        return name[:1].isupper()
    if rule == "pub":
        return head.lstrip().startswith("pub")
    if rule == "public":
        return re.search(r"\bpublic\b", head) is not None
    if rule == "not_static":
        return "static" not in head.split("(")[0]
    return bool(name) and not name.startswith("_")


# --- from items to units --------------------------------------------------------------


def _clamp(item: _Item, line_count: int) -> _Item:
    # Zero-width or trailing nodes (MISSING tokens, a final newline) may sit past the last line.
    item.end = max(item.start, min(item.end, line_count))
    return item


def _merge_overlaps(items: list[_Item]) -> list[_Item]:
    merged: list[_Item] = []
    for item in items:
        if merged and (item.start <= merged[-1].end or _same_definition(merged[-1], item)):
            last = merged[-1]
            if item.start > last.end:
                last.gaps.append((last.end, item.start))
            last.end = max(last.end, item.end)
            last.exported = last.exported or item.exported
            last.defines |= item.defines | ({item.name} if item.name else set())
            if last.kind in ("statement", "import") and item.kind not in ("statement", "import"):
                last.kind, last.name = item.kind, item.name or last.name
            continue
        merged.append(item)
    return merged


def _same_definition(last: _Item, item: _Item) -> bool:
    """Consecutive pieces of one definition: a signature and its equations, overloads, setters."""
    callable_kinds = ("function", "method", "constant")
    return (
        bool(item.name)
        and item.name == last.name
        and item.parent == last.parent
        and item.kind in callable_kinds
        and last.kind in callable_kinds
    )


def _to_units(items: list[_Item], file: _File, trailer: int = 0) -> list[Unit]:
    """Units from items; ``trailer``: the first line of documentation after the last item
    (Perl's POD after ``__END__``), which is a unit of its own rather than that item's."""
    lines = file.lines
    nonblank = [i + 1 for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return []
    first_line, last_line = nonblank[0], nonblank[-1]
    if not items:
        return [
            Unit(
                1,
                "comment",
                "",
                first_line,
                last_line,
                doc=_doc_for(lines, first_line, last_line, last_line),
            )
        ]
    units: list[Unit] = []
    previous_end = first_line - 1
    for index, item in enumerate(items):
        start = previous_end + 1
        while start < item.start and not lines[start - 1].strip():
            start += 1
        last = index == len(items) - 1
        end = (trailer - 1 if trailer > item.end else last_line) if last else item.end
        end = max(end, start)
        while end > start and not lines[end - 1].strip():
            end -= 1
        units.append(_make_unit(len(units) + 1, item, start, end, file))
        previous_end = end
    if trailer > previous_end:
        doc = _doc_for(lines, trailer, last_line, last_line)
        units.append(Unit(len(units) + 1, "comment", "", trailer, last_line, doc=doc))
    return units


def _make_unit(unit_id: int, item: _Item, start: int, end: int, file: _File) -> Unit:
    body = "\n".join(file.lines[start - 1 : end])
    if len(body) > 200_000:
        body = body[:200_000]
    names = set(item.defines)
    if item.kind == "import":
        names |= import_names(_text(item.node, file), file.lang.imports)
    elif item.name:
        names.add(item.name)
        names.add(re.split(r"[.:/\\]+", item.name)[-1])
    names.discard("")
    uses = identifiers(body) - names
    signature = file.lines[item.start - 1].strip()[:160]
    doc = _doc_for(file.lines, start, item.start, end, file.lang.docstrings)
    for before, part in reversed(item.gaps):
        if doc:
            break
        # TypeScript's overloads, then the implementation under its doc comment (a /**
        # block: a line comment between overloads is a note on the next one).
        gap = file.lines[before : part - 1]
        if any(line.lstrip().startswith("/**") for line in gap):
            doc = comments.leading_comment(gap)
    return Unit(
        id=unit_id,
        kind=item.kind,
        name=item.name,
        start=start,
        end=end,
        defines=frozenset(names),
        uses=frozenset(uses),
        parent=item.parent,
        doc=doc,
        signature=signature,
        exported=item.exported,
    )


def _doc_for(
    lines: list[str], start: int, code_start: int, end: int, docstrings: bool = True
) -> str:
    leading = (
        comments.leading_comment(lines[start - 1 : code_start - 1]) if code_start > start else ""
    )
    if leading:
        return leading
    if not docstrings:
        return ""
    # The docstring opens the body: after the signature's last line (which may be many
    # lines below when the parameters are wrapped), not somewhere further down.
    body_start = code_start - 1
    for offset, line in enumerate(lines[code_start - 1 : min(end, code_start + 40)]):
        if line.split("#")[0].rstrip().endswith(":"):
            body_start = code_start + offset
            break
    after = lines[body_start : min(end, body_start + 8)]
    for index, line in enumerate(after):
        if not line.strip():
            continue
        # Only the body's first statement is its docstring (a string further down is an
        # error message or data).
        if line.lstrip()[:1] in ("'", '"') or line.lstrip()[:2].lower() in ('r"', "r'"):
            return comments.docstring(after[index:])
        return ""
    return ""
