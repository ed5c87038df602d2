"""Words: which tokens are English, how verbs become gerunds, how nouns inflect.

Every list lives in ``vocabulary.toml``. Whether a token is an English word at all comes
from wordninja's frequency-ranked word list (Wikipedia unigrams), read straight from the
package's data file: importing wordninja itself builds a language model we do not need.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
import tomllib
import zlib
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

# Words past this rank in wordninja's list are mostly names, typos and fragments.
COMMON_WORDS = 60_000
# A word of three letters is a word only among the commonest (pre, tab; not sem, ver, arr).
SHORT_WORD_RANK = 10_000
COMPOUND_RANK = 20_000
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b|\b[A-Z]{2,4}[a-z]\d{1,2}\b")
_CAMEL_RUN = re.compile(r"[A-Z]{2,6}(?=[A-Z][a-z])")
_VOWELS = frozenset("aeiou")


@cache
def _data() -> dict[str, object]:
    with (Path(__file__).parent / "vocabulary.toml").open("rb") as handle:
        return tomllib.load(handle)


def _word_set(text: object) -> frozenset[str]:
    return frozenset(str(text).split())


@cache
def verbs() -> frozenset[str]:
    """Verbs that open identifiers and docstrings."""
    return _word_set(_data()["verbs"])


@cache
def _words_table() -> dict[str, frozenset[str]]:
    table = _data()["words"]
    assert isinstance(table, dict)
    return {key: _word_set(value) for key, value in table.items()}


def terms() -> frozenset[str]:
    """Programming words accepted as words."""
    return _words_table()["terms"]


def generic() -> frozenset[str]:
    """Words that say nothing on their own."""
    return _words_table()["generic"]


def filler() -> frozenset[str]:
    """Identifier words without a topic, dropped from name phrases."""
    return _words_table()["filler"]


def articles() -> frozenset[str]:
    """Determiners that may open a noun phrase."""
    return _words_table()["articles"]


def dangling() -> frozenset[str]:
    """Words no sentence ends with."""
    return _words_table()["dangling"]


def code_words() -> frozenset[str]:
    """Keywords that are no English words."""
    return _words_table()["code_words"]


def script_noise() -> frozenset[str]:
    """Script tokens without a topic."""
    return _words_table()["script_noise"]


@cache
def boilerplate() -> re.Pattern[str]:
    """Licence, credit, tool directive or editor setting (``vocabulary.toml``)."""
    table = _data()["boilerplate"]
    assert isinstance(table, list)
    return re.compile("|".join(str(item) for item in table), re.I)


def note_openers() -> frozenset[str]:
    """Words and word pairs that open a note to maintainers rather than a summary."""
    table = _data()["note_openers"]
    assert isinstance(table, list)
    return frozenset(str(item) for item in table)


def kind_words() -> frozenset[str]:
    """Words for a kind of code ("functions", "steps"): never a label's only noun."""
    return _words_table()["kinds"]


@lru_cache(maxsize=8192)
def split_compound(word: str) -> tuple[str, ...]:
    """A run-together name read as its two words (``getwelcome`` → get, welcome), or as is."""
    word = word.lower()
    if len(word) < 7 or not word.isalpha() or is_word(word):
        return (word,)
    best: tuple[str, ...] = (word,)
    best_rank = (False, 0)
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        # A short head only as a verb (get, set, put); else both halves real words.
        head_ok = head in verbs() or (len(head) >= 4 and (head in common() or head in terms()))
        tail_ok = len(tail) >= 4 and (tail in common() or (is_word(tail) and head in verbs()))
        tail_ok = tail_ok or tail in abbreviations() or tail in terms()
        if head_ok and tail_ok:
            # Names open with a verb (getwelcome, sendall); else the most even split.
            rank = (head in verbs(), min(len(head), len(tail)))
            if rank > best_rank:
                best, best_rank = (head, tail), rank
    if len(best) > 1 and word in rare_english():
        return (word,)  # a rarer word of its own (verbose, underflow), not two
    return best


def vague_words() -> frozenset[str]:
    """Words that carry no content in a sentence ("These can be useful")."""
    return _words_table()["vague"]


def trivial_calls() -> frozenset[str]:
    """Calls too common to say what a section does (``len``, ``print``, ``echo``)."""
    return _words_table()["trivial_calls"]


def trivial_decorators() -> frozenset[str]:
    """Decorators and annotations that say nothing of a member's job (``Override``)."""
    return _words_table()["trivial_decorators"]


def weak_verbs() -> frozenset[str]:
    """Verbs that cannot name a section by themselves (return, get, make...)."""
    return _words_table()["weak"]


def objectless_verbs() -> frozenset[str]:
    """Verbs a name opens without acting on what follows ("listenUnix", "threadentry")."""
    return _words_table()["objectless"]


def negations() -> frozenset[str]:
    """Words that turn a name's meaning around (non, not, no)."""
    return _words_table()["negations"]


def clause_words() -> frozenset[str]:
    """Words that open a clause rather than continue a noun phrase."""
    return _words_table()["clause"]


@cache
def abbreviations() -> dict[str, str]:
    """Abbreviation → the word it stands for."""
    table = _data()["abbreviations"]
    assert isinstance(table, dict)
    return {str(k): str(v) for k, v in table.items()}


@cache
def special_methods() -> dict[str, str]:
    """``__init__``'s inner name → what it gives its class ("initialisation")."""
    table = _data()["special_methods"]
    assert isinstance(table, dict)
    return {str(k): str(v) for k, v in table.items()}


@cache
def _gerunds() -> dict[str, str]:
    table = _data()["gerunds"]
    assert isinstance(table, dict)
    return {str(k): str(v) for k, v in table.items()}


def _word_file() -> Path | None:
    spec = importlib.util.find_spec("wordninja")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        return None
    return Path(spec.origin).parent / "wordninja" / "wordninja_words.txt.gz"


@cache
def english() -> frozenset[str]:
    return frozenset(_ranked())


@cache
def common() -> frozenset[str]:
    """The commonest words only: both halves of a run-together name must be among them."""
    return frozenset(_ranked()[:COMPOUND_RANK])


@cache
def short_words() -> frozenset[str]:
    """Words of three letters or fewer common enough to be words in a label: the list's
    rarer short entries are mostly fragments and names (sem, ver, arr)."""
    fragments = _words_table()["fragments"]
    return frozenset(w for w in _ranked()[:SHORT_WORD_RANK] if len(w) <= 3 and w not in fragments)


@cache
def _ranked() -> tuple[str, ...]:
    """The most common English words (lower case), from wordninja's data file.

    The list is ranked by frequency, so only its first part is decompressed: the whole
    file took a cold request twice as long as the common words it needs.
    """
    path = _word_file()
    if path is None:  # pragma: no cover
        return ()
    data = path.read_bytes()
    stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    parts: list[bytes] = []
    lines = 0
    for offset in range(0, len(data), 1 << 15):
        parts.append(stream.decompress(data[offset : offset + (1 << 15)]))
        lines += parts[-1].count(b"\n")
        if lines > COMMON_WORDS:
            break
    words = b"".join(parts).decode("utf-8").split(maxsplit=COMMON_WORDS)
    return tuple(words[:COMMON_WORDS])


@cache
def rare_english() -> frozenset[str]:
    """Rarer words of the same list: real words, but also names and fragments."""
    path = _word_file()
    if path is None:  # pragma: no cover
        return frozenset()
    words = gzip.decompress(path.read_bytes()).decode("utf-8").split()
    return frozenset(words[COMMON_WORDS:])


@lru_cache(maxsize=16384)
def is_word(word: str) -> bool:
    """True for an English or programming word, inflected forms included."""
    word = word.lower()
    if len(word) < 2 or not word.isalpha():
        return False
    if word in terms() or word in verbs():
        return len(word) > 2 or word in terms()
    if word in english():
        return len(word) > 3 or word in short_words()
    return any(base in english() or base in verbs() or base in terms() for base in _bases(word))


def _bases(word: str) -> list[str]:
    bases: list[str] = []
    for suffix, replacements in (
        ("ies", ("y",)),
        ("es", ("", "e")),
        ("s", ("",)),
        ("ing", ("", "e")),
        ("ed", ("", "e")),
        ("er", ("", "e")),
        ("ers", ("", "e")),
        ("ation", ("e", "ate", "")),
        ("ition", ("", "e")),
        ("ion", ("", "e")),
        ("ment", ("",)),
        ("able", ("", "e")),
        ("or", ("e", "")),
        ("ors", ("e", "")),
        ("ize", ("",)),
        ("ise", ("",)),
        ("izer", ("",)),
        ("ily", ("y",)),
        ("ly", ("",)),
        ("ness", ("",)),
        ("ity", ("", "e")),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            bases.extend(stem + r for r in replacements)
            if len(stem) > 3 and stem[-1] == stem[-2]:
                bases.append(stem[:-1])  # running → run
    for prefix in ("re", "un", "pre", "sub", "multi", "non"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            bases.append(word[len(prefix) :])  # recompress, unwrap, subtask
    return bases


def is_verb(word: str) -> bool:
    """True when ``word`` is a verb that can open a name."""
    return word.lower() in verbs()


@lru_cache(maxsize=4096)
def gerund(verb: str) -> str:
    """``parse`` → ``parsing``, ``get`` → ``getting``, ``setup`` → ``setting up``."""
    verb = verb.lower()
    if verb in _gerunds():
        return _gerunds()[verb]
    if not is_verb(verb):
        stem = verb[:-3]
        if verb.endswith("ing") and any(map(is_verb, (stem, stem + "e", stem[:-1]))):
            return verb  # already one: "describing", "getting"
        # A doc's "Copies the node" or "Returns the size": the verb's own form.
        for suffix, base in (("ies", "y"), ("es", ""), ("s", "")):
            if verb.endswith(suffix) and is_verb(verb[: -len(suffix)] + base):
                return gerund(verb[: -len(suffix)] + base)
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and len(verb) > 2:
        return verb[:-1] + "ing"
    one_syllable = len(re.findall(r"[aeiouy]+", verb)) == 1
    if (
        one_syllable
        and len(verb) >= 3
        and verb[-1] not in _VOWELS | {"w", "x", "y"}
        and verb[-2] in _VOWELS
        and verb[-3] not in _VOWELS
    ):
        return verb + verb[-1] + "ing"  # get → getting, split → splitting
    return verb + "ing"


@lru_cache(maxsize=4096)
def singular(word: str) -> str:
    """The singular of an English plural; anything else unchanged."""
    lower = word.lower()
    if len(lower) <= 3 or lower.endswith(("ss", "us", "is", "ics", "ous")):
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch")):
        if lower.endswith(suffix):
            candidate = lower[: -len(suffix)] + replacement
            return candidate if is_word(candidate) else word
    if lower.endswith("shes"):
        return lower[:-2]
    if lower.endswith("s"):
        candidate = lower[:-1]
        return candidate if candidate in english() or candidate in terms() else word
    return word


@lru_cache(maxsize=4096)
def third_person(verb: str) -> str:
    """``read`` → ``reads``, ``push`` → ``pushes``, ``copy`` → ``copies``, ``setup`` →
    ``sets up``."""
    verb = verb.lower()
    if verb in _gerunds() and " " in _gerunds()[verb]:
        head, rest = _gerunds()[verb].split(" ", 1)  # "setting up" → "sets up"
        return f"{third_person(_base_of_gerund(head, verb))} {rest}"
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in _VOWELS:
        return verb[:-1] + "ies"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    return verb + "s"


def _base_of_gerund(gerund_word: str, verb: str) -> str:
    stem = gerund_word.removesuffix("ing")
    return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else (stem or verb)


_NOUN_SUFFIXES = ("er", "or", "tion", "sion", "ment", "ness", "ity", "ism", "ist")


_DETERMINERS = frozenset({"all", "each", "every", "any", "some", "none", "both", "either"})


@lru_cache(maxsize=4096)
def plural(word: str) -> str:
    """The plural of an English noun (regular rules); an English word whose plural the
    word list does not hold ("previous", "available", "based") is no count noun and stays."""
    lower = word.lower()
    if lower in terms() and lower.endswith("s"):
        return word
    if lower in _DETERMINERS:
        return word  # "all", "each": no count of them ("Adding alls")
    if singular(lower) != lower or (lower.endswith("s") and not lower.endswith(("ss", "us", "is"))):
        return word  # already plural ("ids", "tags")
    if lower.endswith("is") and len(lower) > 4:
        suffix, cut = "es", 2  # analysis → analyses
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        suffix, cut = "es", 0
    elif lower.endswith("y") and len(lower) > 2 and lower[-2] not in _VOWELS:
        suffix, cut = "ies", 1
    else:
        suffix, cut = "s", 0
    stem = word[: len(word) - cut]
    if (
        lower in english()
        and not lower.endswith(_NOUN_SUFFIXES)
        and (lower[: len(lower) - cut] + suffix) not in english()
    ):
        return word
    return stem + suffix


def expand(word: str) -> str:
    """An abbreviation spelled out (``cfg`` → ``configuration``); other words unchanged."""
    return abbreviations().get(word.lower(), word)


def known_acronyms() -> frozenset[str]:
    """Acronyms always written in capitals (HTTP, JSON, URL)."""
    return _words_table()["acronyms"]


def _acronym(word: str) -> bool:
    # Capitalised English words (AND, DATA, ENTITY) are emphasis, not acronyms.
    if not any(c.isalpha() for c in word):
        return False
    vowelless = not re.search(r"[aeiouy]", word)
    return word in known_acronyms() or word not in english() or vowelless


def acronyms(prose: str) -> frozenset[str]:
    """Lower-cased acronyms the author writes in capitals in prose (``SMTP``, ``POP3``)."""
    counts: Counter[str] = Counter(m.lower() for m in _ACRONYM.findall(prose))
    found = {word for word, n in counts.items() if n >= 2 and _acronym(word)}
    return frozenset(found) | known_acronyms()


def camel_acronyms(code: str) -> frozenset[str]:
    """Acronyms inside the code's CamelCase names (``HTTPServer``, ``XMLParser``)."""
    return frozenset(w for w in {m.lower() for m in _CAMEL_RUN.findall(code)} if _acronym(w))
