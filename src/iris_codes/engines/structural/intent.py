"""The file intent: one sentence on why the file exists.

In order: the module docstring's or header comment's first sentence, cleaned of markup
(RST titles and underlines, banner rules, licence boilerplate, roles and backticks) and
cut at a sentence or clause end within 20 words, past usage synopses and Sphinx
directives (a deprecation's text excepted), and never a later section's heading (the
file's title then stands); a self-description string the language
declares (npm commands' ``description``); else a phrase built from the main definitions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...syntax import comments
from ...syntax.languages import Language
from . import vocabulary

MAX_WORDS = 20
_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+_.:])\1{2,}\s*$")
_RULE_CHARS = re.compile(r"^[\s\-=*#~_+/.|]+|[\s\-=*#~_+/|]+$")
_ROLE = re.compile(r":[a-zA-Z:]+:`~?!?([^`<]+?)(?:\s*<[^>]*>)?`")
_TICKS = re.compile(r"`+([^`]*)`+")
_EMPHASIS = re.compile(r"(\*\*|__|\*)(\S(?:.*?\S)?)\1")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_LEAD_IN = re.compile(
    r"^(?:(?:this|the)\s+(?:python\s+)?(?:module|file|package|library|script|program|header|"
    r"class|plugin|command)|(?:package|module)\s+[\w./-]+|contains)\s+"
    r"(?:provides|implements|contains|defines|holds|has|is|offers)?\s*(?:an?\s+|the\s+)?",
    re.I,
)
_MODULE_NAME_LEAD = re.compile(r"^[\w.:/+-]+\s+(?:-{1,3}|—|:)\s+")
_POD_NAME = re.compile(r"^=head1\s+NAME\s*$")
_SYNOPSIS = re.compile(r"^\W*(?:usage|synopsis)\b\s*:", re.I)
_CLAUSE_CUTS = (
    ";", ":", " — ", " -- ", " - ", ",", " (", " which ", " that ", " where ", " so that ",
    " because ", " when ", " if ", " in order ", " based on ", " using ", " via ",
)  # fmt: skip
SENTENCE = re.compile(
    r"(.+?(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bcf)(?<!\bviz)[.!?])"
    r"(?=\s+[A-Z(\"'`]|\s*$)"
)
_BOILERPLATE = vocabulary.boilerplate()


def is_boilerplate(text: str) -> bool:
    """Licence, credit, tool directive or editor setting rather than prose."""
    return bool(_BOILERPLATE.search(text[:200]))


def module_text(lines: Sequence[str], language: Language | None) -> list[str]:
    """The prose of the module docstring or the first non-boilerplate header comment."""
    head = list(lines[:80])
    while head and (not head[0].strip() or head[0].startswith("#!")):
        head = head[1:]
    if not head:
        return []
    if language is not None and language.docstrings:
        # The docstring may follow a licence or editor-settings comment.
        start = 0
        while start < len(head) and (
            not head[start].strip() or head[start].lstrip().startswith("#")
        ):
            start += 1
        doc = _docstring(head[start:]) if start < len(head) else None
        if doc is not None:
            return doc
    pod = _pod_name(lines)
    if pod:
        return pod
    for block in _comment_blocks(head):
        # What the block says before its first licence or credit paragraph: a licence runs
        # over several paragraphs, and only one of them names the licence.
        block = _before_boilerplate(block)
        if not block or not any(_sentence_like(p) for p in block):
            continue
        if is_note(" ".join(block[0])):
            continue  # a note to maintainers says how to edit the file, not why it exists
        if re.search(r"[A-Za-z]{3}", " ".join(block[0])):
            # A title line (the file's name alone) is followed by the sentence about it.
            return [line for p in block[:3] for line in [*p, ""]]
    return []


def _before_boilerplate(block: list[list[str]]) -> list[list[str]]:
    """The paragraphs of a comment block up to its first licence or credit line (a credit
    may follow the summary in the same paragraph: "x -- a wrapper…\nAdapted from y by z")."""
    kept: list[list[str]] = []
    for paragraph in block:
        for index, line in enumerate(paragraph):
            if _BOILERPLATE.search(line) or _BOILERPLATE.search(" ".join(paragraph[: index + 1])):
                if index:
                    kept.append(paragraph[:index])
                return kept
        kept.append(paragraph)
    return kept


def _sentence_like(paragraph: list[str]) -> bool:
    return len(" ".join(paragraph).split()) >= 3


_TABLE_ROW = re.compile(r"^\W*[A-Za-z_][\w.$-]*(?:\s{2,}|\t)\S")


def identifier_heavy(text: str) -> bool:
    """A table of names rather than a sentence ("NAME_DIR (a) installation root dir")."""
    words = text.split()
    names = [
        w for w in words if re.search(r"[a-z0-9][A-Z]|_|^[A-Z0-9]{2,}[_\d]", w.strip(".,;:()"))
    ]
    return len(names) >= 2 and len(names) >= 0.3 * len(words)


def is_note(text: str) -> bool:
    """A note to the file's maintainers ("We need to…", "Keep this in sync…", "FIXME…")
    rather than a statement of what the file is."""
    words = re.findall(r"[a-z']+", text.lower())[:12]
    if not words:
        return False
    opener = " ".join(words[:2])
    return (
        words[0] in vocabulary.note_openers()
        or opener in vocabulary.note_openers()
        or any(w in ("we", "we're", "we'll", "us", "our") for w in words)
    )


def is_remark(text: str) -> bool:
    """A remark on one line of code rather than words on a section: a note to maintainers,
    a tag ("DEBUG: …"), an assignment spelled out ("Res=1 means…"), an emoticon."""
    return (
        is_note(text)
        or bool(re.match(r"^[A-Z]{2,}\s*:", text))
        or bool(re.search(r"\w=\w|:-?[()]|\bI\b(?!/)", text))
    )


def _pod_name(lines: Sequence[str]) -> list[str]:
    """Perl's ``=head1 NAME`` paragraph ("Module::Name - what it does"), if any."""
    for index, line in enumerate(lines):
        if line.startswith("=head1") and _POD_NAME.match(line):
            paragraph = []
            for text in lines[index + 1 : index + 12]:
                if text.startswith("="):
                    break
                if text.strip():
                    paragraph.append(text.strip())
                elif paragraph:
                    break
            return paragraph
    return []


def _docstring(head: list[str]) -> list[str] | None:
    match = re.match(r"^\s*[rRuUbB]{0,2}(\"\"\"|''')", head[0])
    if not match:
        return None
    quote = match.group(1)
    text = "\n".join(head)[match.end() :]
    body = text.split(quote, 1)[0]
    return body.split("\n")


def _comment_blocks(head: list[str]) -> list[list[list[str]]]:
    """Comment blocks at the top of the file (split by blank lines and ``*/``), each as its
    paragraphs of prose lines."""
    blocks: list[list[list[str]]] = [[[]]]

    def new_paragraph() -> None:
        if blocks[-1][-1]:
            blocks[-1].append([])

    def new_block() -> None:
        new_paragraph()
        if any(blocks[-1]):
            blocks.append([[]])

    inside = False  # within a /* … */ whose inner lines carry no marker (Go's package doc)
    for line in head:
        if not line.strip():
            if inside:
                new_paragraph()
            else:
                new_block()
            continue
        if not inside and not comments.is_comment_line(line):
            break
        if line.lstrip().startswith("/*") and "*/" not in line:
            inside = True
        elif inside and "*/" in line:
            inside = False
        text = comments.clean_comment([line])
        if not text or _RULE_CHARS.sub("", text) == "":
            new_paragraph()
        else:
            blocks[-1][-1].append(text)
        if line.rstrip().endswith("*/"):
            new_block()
    return [[p for p in block if p] for block in blocks if any(block)]


def from_prose(lines: Sequence[str]) -> str:
    """The first sentence of documentation lines, cleaned and cut within 20 words."""
    paragraphs = _paragraphs(lines)
    title = ""
    synopsis = False
    directive: int | None = None  # the indent of the last RST directive
    for indent, paragraph in paragraphs:
        # How to call the file ("Usage: x [-e]") says nothing of why it exists; nor does
        # an RST directive (".. autosummary::") or its body, indented under it, except a
        # deprecation's, which says what became of the file.
        if directive is not None and indent > directive:
            continue
        directive = None
        if paragraph[0].startswith(".. "):
            directive = None if paragraph[0].startswith(".. deprecated::") else indent
            continue
        if _SYNOPSIS.match(paragraph[0]) or synopsis:
            synopsis = _is_bare_synopsis(paragraph)  # "Usage:" over the next paragraph
            continue
        # A first line that reads as a whole summary ends the sentence (PEP 257).
        text = clean(comments.summary("\n".join(paragraph)))
        whole = " ".join(paragraph)
        # The whole paragraph: a licence's first line alone ("This file is available
        # under and governed by the GNU General Public") need not name the licence.
        if not text or _BOILERPLATE.search(text[:200]) or _BOILERPLATE.search(whole[:300]):
            continue
        if identifier_heavy(whole):
            continue
        if sum(1 for line in paragraph if _TABLE_ROW.match(line)) >= 3 or text[:1] in "([<{":
            continue  # a table of names and what each is: no sentence about the file
        if is_note(text):
            continue  # "This line is a placeholder…": for maintainers, not a summary
        if _is_title(paragraph, lines):
            if title:
                break  # a section heading ("Synopsis", "See Also"): the title says more
            title = text
            continue
        sentence = _first_sentence(text)
        if sentence:
            return sentence
        if title:
            return _finish(title)
        return ""
    return _finish(title) if title and len(title.split()) <= MAX_WORDS else ""


def _is_bare_synopsis(paragraph: list[str]) -> bool:
    match = _SYNOPSIS.match(paragraph[0])
    return match is not None and len(paragraph) == 1 and not paragraph[0][match.end() :].strip()


def _paragraphs(lines: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs, stripped, each with its first line's indent."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    indent = 0
    for line in lines:
        if not line.strip() or _UNDERLINE.match(line):
            if current:
                paragraphs.append((indent, current))
                current = []
            continue
        if not current:
            indent = len(line) - len(line.lstrip())
        current.append(line.strip())
    if current:
        paragraphs.append((indent, current))
    return paragraphs


def _is_title(paragraph: list[str], lines: Sequence[str]) -> bool:
    """An RST/Markdown title: one short line, underlined or marked with ``#``."""
    if len(paragraph) != 1:
        return False
    line = paragraph[0]
    if line.startswith("#"):
        return True
    stripped = [x.strip() for x in lines]
    if line in stripped:
        index = stripped.index(line)
        after = lines[index + 1] if index + 1 < len(lines) else ""
        if _UNDERLINE.match(after):
            return True
    # A bare name (the file's own) titles what follows; a short summary line is the summary.
    return len(line.split()) <= 2 and not line.rstrip().endswith((".", ":", ","))


def unmarked(text: str) -> str:
    """``text`` on one line without inline markup: URLs, roles, backticks, links, emphasis."""
    text = re.sub(r"\s*<https?://[^>\s]*>|\s*\(?\bhttps?://\S+?\)?(?=[.,;]?(?:\s|$))", "", text)
    text = _ROLE.sub(r"\1", text)
    text = _TICKS.sub(r"\1", text)
    text = re.sub(r"`([^`']+)'", r"\1", text)  # GNU quoting: `name'
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


_SPACE_BEFORE_STOP = re.compile(r"\s+(?=[.,;:!?](?:\s|$))")


def clean(text: str) -> str:
    """Prose without markup: inline markup, headings, banner rules, lead-ins."""
    text = re.sub(r"^#+\s*", "", unmarked(text))
    text = _RULE_CHARS.sub("", text)
    text = _MODULE_NAME_LEAD.sub("", text)
    text = _SPACE_BEFORE_STOP.sub("", " ".join(text.split()))
    text = _LEAD_IN.sub("", text)
    return text[:1].upper() + text[1:] if text else ""


def sentence(text: str) -> str:
    """``text`` cleaned of markup, as one sentence of 3 to 20 words (or "")."""
    cleaned = clean(text)
    if _BOILERPLATE.search(cleaned) or len(cleaned.split()) < 3:
        return ""
    return _first_sentence(cleaned)


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` words, cut at a clause boundary when longer ("" if none)."""
    if len(text.split()) <= limit:
        return text
    return _cut_at_clause(text, limit)


def _first_sentence(text: str) -> str:
    match = SENTENCE.match(text)
    sentence = match.group(1) if match else text
    words = sentence.split()
    if len(words) <= MAX_WORDS:
        return _finish(sentence)
    return _cut_at_clause(sentence)


def _cut_at_clause(sentence: str, limit: int = MAX_WORDS) -> str:
    """The longest start of ``sentence`` within ``limit`` words that ends at a clause
    boundary."""
    best = ""
    for cut in _CLAUSE_CUTS:
        start = 0
        while True:
            index = sentence.find(cut, start)
            if index < 0:
                break
            piece = sentence[:index]
            count = len(piece.split())
            if 4 <= count <= limit and len(piece) > len(best):
                best = piece
            start = index + 1
    return _finish(best, limit) if best else ""


def _finish(text: str, limit: int = MAX_WORDS) -> str:
    words = text.strip().rstrip(",;:-—(").split()
    while words and words[-1].lower().strip(".,") in vocabulary.dangling():
        words.pop()
    if not words:
        return ""
    text = " ".join(words[:limit]).rstrip(",;:")
    return text if text.endswith((".", "!", "?")) else text + "."


# "Usage: prog [OPTION]... FILE" in a help string, heredoc or comment, and what follows it.
_USAGE_LINE = re.compile(r"(?im)^[^\n]{0,40}?\busage\s*:[^\n]*$")
# Code around a help text's lines: printf("…\n"), echo "…", print('…'), quotes, escapes.
_STRING_WRAP = re.compile(
    r"""^\s*(?:(?:f?printf|fputs|puts|echo|print|say|eprintln!?|println!?|fmt\.\w+)\s*\(?\s*"""
    r"""(?:stderr\s*,\s*|os\.Stderr\s*,\s*)?)?["'`]?|(?:\\n)*["'`]?\s*\)?\s*[;,]?\s*\\?$"""
)


def usage_summary(source: str) -> str:
    """What a program's help text says it does: the first sentence after its "Usage:"
    line ("Compare FILE1 to FILE2, using their uncompressed contents..."), or ""."""
    for match in _USAGE_LINE.finditer(source[:200_000]):
        following = source[match.end() : match.end() + 1500].split("\n")[1:16]
        lines: list[str] = []
        for raw in following:
            line = comments.clean_comment([raw]) if comments.is_comment_line(raw) else raw
            line = _STRING_WRAP.sub("", line).strip()
            if not line:
                if lines:
                    break
                continue
            if lines and _wordy(line):
                lines.append(line)
            elif lines:
                break  # the string ended: code follows
            elif _prose_line(line):
                lines.append(line)
            elif not _synopsis_line(line):
                break  # an option table or code: no description follows the synopsis
        text = " ".join(lines)
        first = _first_sentence(clean(text)) if _prose_line(text) else ""
        # "Known values for OPTION:" leads into a list; it says nothing of the program.
        if (
            first
            and not identifier_heavy(text)
            and not text.rstrip().endswith(":")
            and not _NOT_A_SUMMARY.match(first)
        ):
            return first
    return ""


# A condition, a pointer or the help option's own line: a note, not what the program does.
_NOT_A_SUMMARY = re.compile(r"(?i)^(?:if|when|without|with|see|note|for|unless)\b|.*\bthis help\b")
_CODE_WORDS = frozenset({"exit", "fi", "done", "esac", "return", "break", "then", "else", "end"})


def _wordy(line: str) -> bool:
    """A line of running text rather than code."""
    words = line.split()
    plain = sum(1 for w in words if re.fullmatch(r"[(\"']?[A-Za-z][\w'-]*[)\"']?[,.;:]?", w))
    return bool(words) and words[0] not in _CODE_WORDS and plain >= 0.6 * len(words)


def _prose_line(line: str) -> bool:
    """A line that starts a sentence: a capitalised word, then words rather than code."""
    words = line.split()
    return (
        len(words) >= 4
        and bool(re.match(r"[A-Z][a-z]+\b", line))
        and sum(1 for w in words if re.fullmatch(r"[A-Za-z][a-z'-]*[,.;:]?", w)) >= 0.6 * len(words)
        and not re.search(r"[{};$]|\s-{1,2}\w", line)
    )


def _synopsis_line(line: str) -> bool:
    """Another synopsis line under "Usage:": ``prog [options] FILE``, ``or: prog -h``."""
    return bool(re.match(r"^(?:or:?\s+)?[\w$.{}#/*-]+\s+(?:\[|-|[A-Z]{2,}\b|\.\.\.)", line))


# "# Description: …" fields in a header (an init script's LSB block, a package spec).
_FIELD = re.compile(r"^\W*(Short-Description|Description|Summary)\s*:\s*(\S.*)$", re.I)
_ANY_FIELD = re.compile(r"^\W*[A-Z][\w-]*\s*:")


def header_fields(lines: Sequence[str]) -> str:
    """What a header's Description (or Short-Description) field says the file is for."""
    found: dict[str, str] = {}
    for index, line in enumerate(lines[:60]):
        if not comments.is_comment_line(line):
            continue
        match = _FIELD.match(line)
        if not match:
            continue
        text = [match.group(2).strip()]
        for more in lines[index + 1 : index + 6]:  # continuation lines, indented, no key
            if not re.match(r"^\s*(?:#|//|\*)\s{2,}\S", more) or _ANY_FIELD.match(more):
                break
            body = comments.clean_comment([more])
            text.append(body)
        found.setdefault(match.group(1).lower(), " ".join(text))
    for key in ("description", "short-description", "summary"):
        said = clean(found.get(key, ""))
        if len(said.split()) >= 3 and not _BOILERPLATE.search(said):
            return _first_sentence(said)
    return ""


def declared_description(source: str, language: Language | None) -> str:
    """A description string the file declares for itself (npm commands do), cleaned."""
    if language is None or not language.description:
        return ""
    match = re.search(language.description, source[:200_000])
    if not match:
        return ""
    return _first_sentence(clean(match.group("text")))


def from_definitions(main_phrase: str, others: Sequence[str], framework: str = "") -> str:
    """A phrase from the main definitions: "Order state machine with its events and history"."""
    if not main_phrase:
        return ""
    main_words = set(main_phrase.lower().split())
    parts = [
        o[:1].lower() + o[1:]
        for o in others
        if o and not main_words & set(o.lower().split())  # no echo of the main phrase
    ][:2]
    head = f"{framework} {main_phrase[:1].lower() + main_phrase[1:]}" if framework else main_phrase
    head = head[:1].upper() + head[1:]
    if not parts:
        return _finish(head)
    tail = parts[0] if len(parts) == 1 else f"{parts[0]} and {parts[1]}"
    return _finish(f"{head}, with {tail}")
