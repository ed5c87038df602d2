"""Names in source text: identifiers a unit uses, words inside identifiers, import names."""

from __future__ import annotations

import re
from functools import lru_cache

IDENTIFIER = re.compile(r"[A-Za-z_$@][A-Za-z0-9_$]*")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`]*`")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Keywords of the supported languages: never meaningful as references or label words.
KEYWORDS = _words(
    """
    abstract alias and as assert async await begin break case catch chan class const continue
    crate data debugger declare def default defer defmodule defp defmacro defstruct del delete
    deriving do done dyn elif else elsif end ensure enum esac except export extends extern
    fallthrough false fi final finally fn for foreach from func function go goto guard if impl
    implements import in include inout instanceof interface internal is keyof lambda let local
    loop match module mut namespace native new nil none not null object of open operator or
    override package pass private protected pub public raise readonly record ref rescue return
    sealed select self Self static struct super switch synchronized then this throw throws trait
    true try type typedef typeof union unless unsafe until use using val var virtual void
    volatile when where while with yield require include_once require_once echo fun sizeof
    nullptr template typename auto register signed unsigned char int long short float double
    bool boolean string str byte uint usize isize u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 any
    never unknown undefined None True False elif nonlocal global print len list dict set tuple
    bytes object range
    """
)

# Words too common in code to say anything about a file's concern.
STOPWORDS = _words(
    """
    cfg std comptime pragma php strict ipairs println printf fmt console exports derive usize
    isize sprintf elif setmetatable unwrap clone iter void nullptr lambda java util lang
    override async await inline defp impl unsafe frozen literal the and for with from into that
    this self cls args kwargs arg param params value values val data item items obj result
    results res ret tmp temp var name names key keys type types kind get set has new old default
    init main run test str int num idx index len count size list dict map array string number
    bool true false none null nil err error errors ctx context opts options option fn func
    callback cb msg out buf line lines text res req resp info util utils helper helpers misc
    other base impl internal the value2 each all any one two first last next prev see todo fixme
    org com www http https doc docs example examples return returns object class def end begin
    start stop let var const function module package import export
    """
) | frozenset(w.lower() for w in KEYWORDS)


@lru_cache(maxsize=65536)
def split_words(identifier: str) -> tuple[str, ...]:
    """The lower-case words of an identifier: ``parseHTTPRequest`` → parse, http, request."""
    return tuple(w.lower() for w in _WORD.findall(identifier))


def identifiers(text: str) -> set[str]:
    """Every identifier-like token in ``text``, keywords removed."""
    return set(IDENTIFIER.findall(text)) - KEYWORDS


def strip_strings(text: str) -> str:
    """``text`` with its string literals blanked out."""
    return _STRING.sub(" ", text)


def meaningful_words(names: set[str] | frozenset[str]) -> list[str]:
    """Words of the given identifiers that may carry meaning (no stopwords, 3+ letters)."""
    words: list[str] = []
    for name in names:
        for word in split_words(name):
            if len(word) > 2 and word not in STOPWORDS:
                words.append(word)
    return words


_PY_FROM = re.compile(r"^\s*from\s+[\w.]+\s+import\s+\(?([^)]*)\)?", re.S)
_PY_IMPORT = re.compile(r"^\s*import\s+(.+)", re.S)
_JS_FROM = re.compile(r"^\s*import\s+(?:type\s+)?(.+?)\s+from\s", re.S)
_JS_REQUIRE_LEFT = re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s+(.+?)=\s*require", re.S)
_QUOTED = re.compile(r"[\"'`<]([^\"'`>]+)[\"'`>]")
_PATH_TAIL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z0-9]+)?$")
_ALIAS = re.compile(r"(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?")
_LAST_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?=$|[,;}\s)])")


def import_names(text: str, style: str) -> frozenset[str]:
    """The local names an import statement brings into scope (``style``: python, js or "")."""
    if style == "python":
        match = _PY_FROM.match(text)
        if match:
            return frozenset(_aliases(match.group(1)))
        match = _PY_IMPORT.match(text)
        if match:
            names: set[str] = set()
            for part in match.group(1).split(","):
                bits = part.split(" as ")
                names.add(bits[-1].strip() if len(bits) > 1 else bits[0].strip().split(".")[0])
            return frozenset(n for n in names if n.isidentifier())
    if style == "js":
        match = _JS_FROM.match(text) or _JS_REQUIRE_LEFT.match(text)
        if match:
            return frozenset(_aliases(match.group(1)))
        return frozenset()
    names = set()
    for quoted in _QUOTED.findall(text):
        tail = _PATH_TAIL.search(quoted.rstrip("/"))
        if tail:
            names.add(tail.group(1))
    bare = strip_strings(text)
    names.update(_LAST_SEGMENT.findall(bare))
    return frozenset(names - KEYWORDS)


def _aliases(clause: str) -> set[str]:
    names: set[str] = set()
    for part in re.split(r"[,{}\n]", clause):
        part = part.split(":")[-1]
        match = _ALIAS.search(part.strip())
        if match:
            names.add(match.group(2) or match.group(1))
    return names - KEYWORDS
