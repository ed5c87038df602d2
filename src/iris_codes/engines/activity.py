"""What a block's functions do together, from their names' verbs and nouns.

``activity_label`` turns a block of methods such as ``create``, ``revoke`` and ``_write_keys``
into "Key creation and revocation": the verbs become nouns of action, the other words of the
names (or of the docstrings) the object they act on.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from ..syntax.references import STOPWORDS, split_words
from ..syntax.units import Unit

# Leading name words that say *what a function does*, as a noun of action.
ACTIONS = {
    "acquire": "locking",
    "add": "addition",
    "allow": "admission",
    "analyse": "analysis",
    "analyze": "analysis",
    "append": "appending",
    "apply": "application",
    "auth": "authentication",
    "authenticate": "authentication",
    "authorize": "authorisation",
    "backoff": "backoff",
    "build": "building",
    "cache": "caching",
    "calc": "calculation",
    "cancel": "cancellation",
    "check": "checks",
    "classify": "classification",
    "clear": "clearing",
    "close": "cleanup",
    "commit": "commits",
    "compare": "comparison",
    "compute": "computation",
    "configure": "configuration",
    "connect": "connection",
    "convert": "conversion",
    "copy": "copying",
    "count": "counting",
    "create": "creation",
    "decode": "decoding",
    "dedent": "indentation",
    "delete": "deletion",
    "deserialize": "deserialization",
    "detect": "detection",
    "dispatch": "dispatch",
    "div": "arithmetic",
    "divmod": "arithmetic",
    "drop": "deletion",
    "dump": "dumping",
    "emit": "emission",
    "encode": "encoding",
    "enter": "entry",
    "enqueue": "queueing",
    "dequeue": "queueing",
    "escape": "escaping",
    "evict": "eviction",
    "execute": "execution",
    "expire": "expiry",
    "export": "export",
    "extract": "extraction",
    "fallback": "fallback",
    "fetch": "fetching",
    "fill": "filling",
    "filter": "filtering",
    "find": "lookup",
    "flush": "flushing",
    "format": "formatting",
    "generate": "generation",
    "get": "lookup",
    "handle": "handling",
    "hash": "hashing",
    "inc": "counting",
    "incr": "counting",
    "increment": "counting",
    "indent": "indentation",
    "init": "initialisation",
    "insert": "insertion",
    "install": "installation",
    "join": "joining",
    "kill": "shutdown",
    "list": "listing",
    "listen": "listening",
    "load": "loading",
    "lock": "locking",
    "log": "logging",
    "lookup": "lookup",
    "make": "construction",
    "match": "matching",
    "merge": "merging",
    "mod": "arithmetic",
    "mul": "arithmetic",
    "normalize": "normalisation",
    "notify": "notification",
    "open": "opening",
    "parse": "parsing",
    "pay": "payment",
    "pop": "removal",
    "prepare": "preparation",
    "pow": "arithmetic",
    "process": "processing",
    "prune": "pruning",
    "publish": "publishing",
    "push": "pushing",
    "put": "insertion",
    "query": "queries",
    "quote": "quoting",
    "read": "reading",
    "record": "recording",
    "refresh": "refreshing",
    "register": "registration",
    "refuse": "refusal",
    "reject": "rejection",
    "release": "locking",
    "reload": "loading",
    "remove": "removal",
    "render": "rendering",
    "respond": "responses",
    "reset": "resetting",
    "resolve": "resolution",
    "restart": "restarts",
    "retry": "retries",
    "revoke": "revocation",
    "run": "running",
    "save": "saving",
    "schedule": "scheduling",
    "scan": "scanning",
    "search": "search",
    "send": "sending",
    "serialize": "serialization",
    "serve": "serving",
    "set": "storage",
    "setup": "setup",
    "shorten": "shortening",
    "sign": "signing",
    "signal": "signalling",
    "sleep": "waiting",
    "snapshot": "snapshots",
    "sort": "sorting",
    "split": "splitting",
    "start": "startup",
    "stop": "shutdown",
    "store": "storage",
    "sub": "arithmetic",
    "subscribe": "subscriptions",
    "sync": "synchronisation",
    "touch": "access tracking",
    "transform": "transformation",
    "translate": "translation",
    "trunc": "rounding",
    "unlock": "locking",
    "unsubscribe": "subscriptions",
    "update": "updates",
    "upsert": "storage",
    "validate": "validation",
    "verify": "verification",
    "wait": "waiting",
    "watch": "watching",
    "wrap": "wrapping",
    "write": "writing",
}
# Names, or name words, that say what a method does without a verb (``qsize``, ``_body``).
_NAME_ACTIONS = {
    "empty": "size queries",
    "full": "size queries",
    "qsize": "size queries",
    "size": "size queries",
    "len": "size queries",
    "length": "size queries",
    "health": "health checks",
    "healthcheck": "health checks",
    "stats": "statistics",
    "statistics": "statistics",
    "body": "body reading",
    "single_flight": "single-flight coordination",
    "singleflight": "single-flight coordination",
    "warm_up": "warm-up",
    "warmup": "warm-up",
    "task_done": "task tracking",
    "ping": "health checks",
    "timeout": "timeouts",
    "retry_delay": "retries",
    "on": "subscriptions",
    "off": "subscriptions",
    "once": "subscriptions",
}
# Leading words that only modify the verb after them (``try_lock``, ``do_get``).
_MODIFIERS = {"try", "do", "maybe", "safe", "async", "on", "did", "will"}
# Leading words that make a function an accessor or a predicate rather than an action.
_PREFIX_ACTIONS = {
    "is": "checks",
    "has": "checks",
    "can": "checks",
    "should": "checks",
    "to": "conversion",
    "as": "conversion",
    "from": "construction",
}
_DUNDERS: dict[str, str] = {
    "__init__": "initialisation",
    "__new__": "construction",
    "__post_init__": "initialisation",
    "__del__": "cleanup",
    "__enter__": "context management",
    "__exit__": "context management",
    "__aenter__": "context management",
    "__aexit__": "context management",
    "__iter__": "iteration",
    "__next__": "iteration",
    "__aiter__": "iteration",
    "__anext__": "iteration",
    "__reversed__": "iteration",
    "__repr__": "representation",
    "__str__": "representation",
    "__format__": "representation",
    "__len__": "container access",
    "__getitem__": "container access",
    "__setitem__": "container access",
    "__delitem__": "container access",
    "__contains__": "container access",
    "__getattr__": "attribute access",
    "__getattribute__": "attribute access",
    "__setattr__": "attribute access",
    "__delattr__": "attribute access",
    "__reduce__": "pickling",
    "__getstate__": "pickling",
    "__setstate__": "pickling",
    "__copy__": "copying",
    "__deepcopy__": "copying",
    "__hash__": "hashing",
    "__bool__": "numeric conversion",
    "__int__": "numeric conversion",
    "__float__": "numeric conversion",
    "__complex__": "numeric conversion",
    "__index__": "numeric conversion",
    "__round__": "rounding",
    "__trunc__": "rounding",
    "__floor__": "rounding",
    "__ceil__": "rounding",
}
_COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "richcmp", "cmp"}
_OPERATORS = {
    "add", "sub", "mul", "matmul", "truediv", "floordiv", "div", "mod", "divmod", "pow",
    "neg", "pos", "abs", "invert", "lshift", "rshift", "and", "or", "xor",
}  # fmt: skip
# Actions most classes have; named when they lead a block, never as its third action.
_BOILERPLATE = frozenset({"initialisation", "construction", "conversion", "representation",
    "numeric conversion", "checks", "cleanup"})  # fmt: skip
_CALL_REQUEST_HINTS = ("environ", "start_response", "request", "scope")
# Stop words that still name what a method acts on (``get(key)``, ``put(item)``).
_OBJECT_WORDS = frozenset({"key", "keys", "item", "items", "name", "names", "line", "lines", "text",
    "index", "size", "error", "errors", "value", "values", "option", "options", "context",
    "test", "count"})  # fmt: skip
# Name words that qualify a method rather than name what it acts on.
_NOT_OBJECTS = frozenset({"nowait", "now", "once", "fast", "safe", "quietly", "current", "inner",
    "raw", "unlocked", "locked", "impl", "internal", "helper", "abs", "all", "many", "one",
    "new", "old", "ms", "seconds", "after", "before"})  # fmt: skip
_WEAK_OBJECTS = frozenset({"name", "text", "value", "line", "option", "context", "index", "data",
    "arg", "args", "kwargs", "param", "params", "result", "obj", "object", "cmd"})  # fmt: skip
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_OBJECT_STOPWORDS = (STOPWORDS - _OBJECT_WORDS) | _NOT_OBJECTS


def _dunder_action(unit: Unit) -> str:
    name = unit.name
    if name in _DUNDERS:
        return _DUNDERS[name]
    core = name.strip("_")
    if core in _COMPARISONS:
        return "comparison"
    bare = core[1:] if core[:1] in ("r", "i") and core[1:] in _OPERATORS else core
    if bare in _OPERATORS:
        return "arithmetic"
    if name == "__call__":
        # A WSGI or ASGI app's __call__ is its request handling, not a generic "call".
        signature = unit.signature.lower()
        if "environ" in signature or "start_response" in signature:
            return "WSGI request handling"
        return (
            "request handling" if any(h in signature for h in _CALL_REQUEST_HINTS) else "invocation"
        )
    return ""


def _leading_action(word: str) -> str:
    """The action a name's first word is or starts with (``enterabs`` → ``enter``)."""
    if word in ACTIONS:
        return word
    for size in range(len(word) - 1, 3, -1):
        if word[:size] in ACTIONS and len(word) - size <= 4:
            return word[:size]
    return ""


def _action_and_objects(unit: Unit) -> tuple[str, list[str]]:
    """The noun of action a function's name (else its docstring) starts with, and its objects."""
    if unit.name.startswith("__") and unit.name.endswith("__"):
        return _dunder_action(unit), []
    words = list(split_words(unit.name))
    while len(words) > 1 and words[0] in _MODIFIERS:
        words = words[1:]
    if not words:
        return "", []
    first, rest = words[0], words[1:]
    if first in _PREFIX_ACTIONS and rest:
        return _PREFIX_ACTIONS[first], _objects(rest)
    verb = _leading_action(first)
    if verb:
        return ACTIONS[verb], _objects(rest)
    if first in _COMPARISONS and not rest:
        return "comparison", []
    whole = "_".join(words)
    for known in (whole, "_".join(words[:2]), first, words[-1]):
        if known in _NAME_ACTIONS:
            return _NAME_ACTIONS[known], _objects([w for w in words if w not in known.split("_")])
    action = _doc_action(unit.doc)
    if action:
        return action, _objects(words)  # ``keys_create``: "Create a key ..."
    # An accessor such as ``local_counters`` names its object: its head noun, last.
    return "", _objects(words[-1:])


def _doc_action(doc: str) -> str:
    """The action a docstring opens with ("Load the engines ..." → loading), or ""."""
    match = _DOC_VERB.match(doc)
    if not match:
        return ""
    word = match.group(1).lower()
    return ACTIONS[word] if word in ACTIONS and word not in _WEAK_DOC_VERBS else ""


_DOC_VERB = re.compile(r"([A-Z][a-z]+)\s+(?:an?|the|this|that|every|each|one|all|its|our|``)\b")
# Docstring openers too vague to name an action ("Get the ...": what is wanted is the object).
_WEAK_DOC_VERBS = frozenset({"get", "set", "make", "handle", "process", "run", "do", "apply"})


def _objects(words: Sequence[str]) -> list[str]:
    return [w for w in words if len(w) > 2 and w not in _OBJECT_STOPWORDS and w not in ACTIONS]


def _parameter_words(unit: Unit) -> list[str]:
    """Words of the parameter list in a unit's signature (names and types alike)."""
    signature = unit.signature
    at = signature.find(unit.name)
    opened = signature.find("(", at + len(unit.name) if at >= 0 else 0)
    closed = signature.find(")", opened)
    if opened < 0 or closed < 0:
        return []
    words: list[str] = []
    for parameter in signature[opened + 1 : closed].split(","):
        if "=" not in parameter:  # parameters with defaults are options, not the object
            for ident in _IDENT.findall(parameter):
                words.extend(_objects(split_words(ident)))
    return words


@lru_cache(maxsize=16384)
def singular(word: str) -> str:
    """``entries`` → ``entry``, ``keys`` → ``key``; other words unchanged."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def lead_topic(units: Sequence[Unit], action: str) -> list[str]:
    """The object words, in name order, of the largest function doing ``action``."""
    best: tuple[int, int, list[str]] | None = None
    for unit in units:
        if unit.kind not in ("function", "method"):
            continue
        found, words = _action_and_objects(unit)
        if found == action and words:
            key = (unit.start - unit.end, unit.start, words[:2])
            best = key if best is None or key < best else best
    return best[2] if best else []


def _weight(unit: Unit) -> float:
    """A unit's say in its block: its lines, halved for a private helper (``_lead``)."""
    lines = unit.end - unit.start + 1
    private = unit.name.startswith("_") and not unit.name.endswith("__")
    return lines / 2 if private else float(lines)


def _doc_objects(unit: Unit, known: set[str]) -> list[str]:
    """Words of a docstring's opening clause that the block's identifiers also spell."""
    clause = re.split(r"[.,;:(]|``", unit.doc, maxsplit=1)[0].lower()
    words = re.findall(r"[a-z]{4,}", clause)
    return [w for w in dict.fromkeys(words) if singular(w) in known and w not in _OBJECT_STOPWORDS]


def _identifier_words(units: Sequence[Unit]) -> set[str]:
    names: set[str] = set()
    for unit in units:
        names.update(unit.uses)
        names.update((unit.name, unit.parent or ""))
    known = {singular(w) for name in names for w in split_words(name)}
    known.update(singular(w) for unit in units for w in _parameter_words(unit))
    return known


def _is_accessor(unit: Unit) -> bool:
    """A short method whose name holds no action: a property or a getter."""
    return unit.kind == "method" and unit.end - unit.start < 6 and not unit.name.startswith("__")


def activity(units: Sequence[Unit]) -> tuple[list[str], list[list[str]]]:
    """Nouns of action of a block's functions (most lines first) and the objects they name.

    An object is one word, or two when several names spell them together
    (``build_email_message``, ``send_email_message``). Empty when under half the block's
    function lines (private helpers' counting half) do a recognised action.
    """
    pairs: Counter[tuple[str, str]] = Counter()
    actions: dict[str, float] = {}
    objects: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    total = 0.0
    functions = [u for u in units if u.kind in ("function", "method") and u.name]
    known = _identifier_words(functions) if any(u.doc for u in functions) else set()
    docs = {unit.id: _doc_objects(unit, known) for unit in functions}
    shared = Counter(w for words in docs.values() for w in words)
    for unit in functions:
        lines = _weight(unit)
        total += lines
        action, words = _action_and_objects(unit)
        pairs.update(set(itertools.pairwise(words)))
        if action:
            actions[action] = actions.get(action, 0.0) + lines
            first_seen.setdefault(action, unit.start)
        if action.endswith("request handling"):
            continue  # a WSGI app's environ is not what its block is about
        # The name's own nouns count most, then what it takes and what its docstring names,
        # then its class's name.
        weighted = [(w, 1.0) for w in words]
        weighted += [
            (w, 0.5 / (1 + k)) for k, w in enumerate(dict.fromkeys(_parameter_words(unit)))
        ]
        # A docstring speaks for a name that names nothing, else only with another docstring.
        weighted += [
            (w, 0.5 if not weighted else 0.15)
            for w in docs[unit.id]
            if (not weighted and not unit.name.endswith("__")) or shared[w] >= 2
        ]
        if unit.parent:
            weighted += [(w, 0.25) for w in _objects(split_words(unit.parent))]
        for word, weight in weighted:
            word = singular(word)
            # "name", "text", "value": any function takes one; they rarely say what it is about.
            weight = weight / 4 if word in _WEAK_OBJECTS else weight
            objects[word] = objects.get(word, 0.0) + weight * lines
            first_seen.setdefault(word, unit.start)
    verbless = sum(actions.values()) * 2 < total
    if verbless and len(functions) >= 2 and all(_is_accessor(u) for u in functions):
        actions = {"accessors": total}  # ``cache_path``, ``keys_path``: properties, getters
        first_seen["accessors"] = functions[0].start
    if not actions or sum(actions.values()) * 2 < total:
        return [], []
    # Every class has an __init__: it leads a block only when nothing else does much.
    rank = {a: n / 2 if a in _BOILERPLATE else n for a, n in actions.items()}
    ranked_actions = sorted(actions, key=lambda a: (-rank[a], first_seen[a], a))
    # A third action is named only when it is a real part of the block, not a helper.
    lead = rank[ranked_actions[0]]
    third = [a for a in ranked_actions[2:] if a not in _BOILERPLATE and actions[a] * 4 >= lead]
    ranked_actions = ranked_actions[:2] + third[:1]
    ranked_objects = sorted(objects, key=lambda w: (-objects[w], first_seen[w], w))
    topics = [[w] for w in ranked_objects[:3]]
    if ranked_objects:
        top = ranked_objects[0]
        compounds = [p for p, n in sorted(pairs.items()) if n >= 2 and singular(p[1]) == top]
        if compounds:
            topics.insert(0, [compounds[0][0], top])
    return ranked_actions, topics


def action_phrase(actions: Sequence[str]) -> str:
    """``creation and revocation`` (or ``listing, addition and removal``) from leading actions."""
    if len(actions) >= 3 and all(" " not in a for a in actions[:3]):
        return f"{actions[0]}, {actions[1]} and {actions[2]}"
    if len(actions) >= 2 and len(actions[0].split()) + len(actions[1].split()) <= 3:
        return f"{actions[0]} and {actions[1]}"
    return actions[0]
