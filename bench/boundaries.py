"""Boundary benchmark: does the structural engine find the sections authors marked themselves?

    .venv/bin/python bench/boundaries.py [--lang python,go] [--limit N] [--json] [--list]

Nobody on this project chose these files or their sections, so nobody can tune to them.

Corpus. Source files already on this machine or installed from the package registries
(``make bench-deps``): Python's standard library and the venv's site-packages, npm's own
sources, rxjs's TypeScript sources in ~/.cache/iris-bench (or $IRIS_BENCH_CORPUS), Go's
standard library (golang-src), the JDK's src.zip when one is installed, C headers in
/usr/include, C++ headers in /usr/include/c++, Perl modules and shell scripts. Never IRIS's
own code or its test samples. Candidates are ordered by the SHA-1 of their name and taken
in that order until ``--limit`` per language qualify, so every run reads the same files.
A file qualifies when it has 80-3000 lines, at least 3 section markers that each start a
new section, and not all of them in its first 10%.

Section markers. Comments are found with tree-sitter (so strings and heredocs never count),
then a comment line that fills its line is a marker when it is:

- a rule: no letters or digits and a run of 5+ of one of ``= - * # ~ _ + /``
  (``# -----``, ``//=====``, ``/*********/``); a comment of at most 3 lines between two
  rules (a banner) goes with them;
- a titled rule: a title between two runs of 2+ of those characters, with spaces
  (``# --- X ---``, ``// ---- X ----``, ``/*-- X --*/``; not Emacs ``-*-`` mode lines);
- ``// MARK: X``, ``#region X``, ``// #region X``, ``#pragma region X`` (``endregion``
  lines are stripped too, but end nothing);
- a headed comment line ending in ``:`` (``# optional commands:``): one line of at most 6
  words, in column 0, after a blank line and not followed by another comment line.

A block comment of several lines that holds a rule or titled rule is a banner when it has at
most 3 lines of text (it is removed whole); a longer one is a marker only when it opens or
closes with a rule (a box), and then its rule lines go and its opening and closing rules
are reduced to a bare ``/*`` and ``*/`` so it stays a well-formed comment.

Stripping and reference. Marker lines are removed (lines renumbered), so the engine cannot
see them. All markers in one run of consecutive comment lines make one boundary, at the
first non-blank line left at or after the start of that run (an underlined title or a box
comment starts its section). Reference segments run from one boundary to the next; the
lines before the first marker are one segment, the preamble.

Segmentations scored, all on the same stripped text in the same run:

- IRIS: ``iris_codes.analyze`` (structural engine, a fresh cache). Every line takes the
  index of the block whose range covers it; uncovered lines take the previous covered
  line's; a boundary is where the label changes between consecutive lines.
- baseline (a), top-level units: ``iris_codes.syntax.extract_units``; every unit without a
  parent is a block, the members of one parent together are one block.
- baseline (b), astchunk (the cAST method) with its ``max_chunk_size`` tuned per file to
  IRIS's own segment count for that file, so the two differ only in where they cut
  (``--astchunk-at reference`` gives it the authors' section count instead, an oracle no
  engine has): a binary search finds the smallest size giving at most that many chunks, and
  the size one below it is taken instead when its count is strictly closer. astchunk ships
  grammars for Python, Java, C# and TypeScript only: JavaScript goes
  through its TypeScript (TSX) grammar, a superset of JavaScript; for Go, C, C++, Perl and
  shell this baseline is n/a.

Metrics: Pk and WindowDiff from ``nltk.metrics.segmentation`` on boundary strings (one
character per line, '1' where a new segment starts), with k = half the mean reference
segment length (the usual convention, and nltk's own default for Pk; at least 2 lines).
Lower is better. Beside them, "flat" scores the whole file as one segment: these metrics
favour missing boundaries over misplaced ones, so a segmentation worth having beats it too.
This is a benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import statistics
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nltk.metrics.segmentation import pk, windowdiff
from tree_sitter_language_pack import get_parser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from iris_codes import analyze  # noqa: E402

CORPUS_DIR = Path(os.environ.get("IRIS_BENCH_CORPUS", Path.home() / ".cache" / "iris-bench"))
JS_PACKAGES = ("backbone", "underscore")
MIN_LINES, MAX_LINES = 80, 3000
MIN_MARKERS = 3
EARLY_SHARE = 0.10  # markers all in this first share of the file: a header, not sections
DEFAULT_LIMIT = 40
OWN = ("src", "tests", "bench", "docs")  # IRIS's own files; the venv beside them is outside code
BANNER_TEXT_LINES = 3
HEAD_WORDS = 6


@dataclass(frozen=True)
class Lang:
    """How the benchmark reads one language: IRIS id, grammar, comment lead, astchunk."""

    id: str
    grammar: str
    lead: str  # line-comment lead; every language here with "//" also has /* */
    astchunk: str | None
    suffix: str


LANGS: dict[str, Lang] = {
    lang.id: lang
    for lang in (
        Lang("python", "python", "#", "python", ".py"),
        Lang("javascript", "javascript", "//", "typescript", ".js"),
        Lang("typescript", "typescript", "//", "typescript", ".ts"),
        Lang("java", "java", "//", "java", ".java"),
        Lang("go", "go", "//", None, ".go"),
        Lang("c", "c", "//", None, ".h"),
        Lang("cpp", "cpp", "//", None, ".h"),
        Lang("perl", "perl", "#", None, ".pm"),
        Lang("shellscript", "bash", "#", None, ".sh"),
    )
}


# --- corpus --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    name: str
    read: Callable[[], str | None]


def _read_path(path: Path) -> Callable[[], str | None]:
    def read() -> str | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return None if b"\0" in data[:4096] else _text(data)

    return read


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _walk(root: Path, suffixes: tuple[str, ...], skip: tuple[str, ...] = ()) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        parts = set(path.relative_to(root).parts)
        if path.suffix in suffixes and not parts & set(skip) and path.is_file():
            yield path


def _named(root: Path, tag: str, paths: Iterator[Path]) -> list[Candidate]:
    found = []
    for path in paths:
        # Never IRIS's own code or its test samples, wherever they are installed.
        resolved = path.resolve()
        if any(resolved.is_relative_to(ROOT / own) for own in OWN) or "iris_codes" in path.parts:
            continue
        found.append(Candidate(f"{tag}/{path.relative_to(root)}", _read_path(path)))
    return found


def _python() -> list[Candidate]:
    # The standard library only: site-packages change with every install into the venv,
    # and a benchmark must read the same files from one run to the next.
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = ("site-packages", "test", "tests", "idlelib")
    return _named(stdlib, "stdlib", _walk(stdlib, (".py",), skip))


def _javascript() -> list[Candidate]:
    npm = Path("/usr/lib/node_modules/npm")
    paths = (p for p in _walk(npm, (".js", ".cjs", ".mjs")) if ".min." not in p.name)
    found = _named(npm, "npm", paths)
    # Hand-written libraries `make bench-deps` installs beside rxjs: npm's own tree has few
    # files whose authors marked sections.
    modules = CORPUS_DIR / "node_modules"
    for package in JS_PACKAGES:
        files = (
            p
            for p in _walk(modules / package, (".js",))
            if ".min." not in p.name and "/dist/" not in str(p)
        )
        found += _named(modules, package, files)
    return found


def _typescript() -> list[Candidate]:
    rxjs = CORPUS_DIR / "node_modules" / "rxjs" / "src"
    paths = (p for p in _walk(rxjs, (".ts",)) if not p.name.endswith(".d.ts"))
    return _named(rxjs, "rxjs/src", paths)


def _go() -> list[Candidate]:
    found: list[Candidate] = []
    for src in sorted(Path("/usr/share").glob("go-*/src")):
        found += _named(src, src.parent.name, _walk(src, (".go",), ("testdata",)))
    return found


def _java() -> list[Candidate]:
    for archive in sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip")):
        # One open archive for the run: reopening it per member costs minutes.
        opened = zipfile.ZipFile(archive)
        names = [n for n in opened.namelist() if n.endswith(".java")]
        return [Candidate(f"src.zip/{n}", _read_member(opened, n)) for n in names]
    return []


def _read_member(opened: zipfile.ZipFile, name: str) -> Callable[[], str | None]:
    return lambda: _text(opened.read(name))


_CPP = re.compile(
    r"^\s*(?:namespace\s+\w+|template\s*<|class\s+\w+[^;\n]*\{|extern\s+\"C\+\+\")", re.M
)


def _headers(cpp: bool) -> list[Candidate]:
    """The .h files of /usr/include that read as C, or as C++ (a .h can be either)."""
    include = Path("/usr/include")
    found = _named(include, "include", _walk(include, (".h",), ("c++",)))
    return [Candidate(c.name, _only(c.read, cpp)) for c in found]


def _only(read: Callable[[], str | None], cpp: bool) -> Callable[[], str | None]:
    def check() -> str | None:
        text = read()
        return text if text is not None and bool(_CPP.search(text)) == cpp else None

    return check


def _c() -> list[Candidate]:
    return _headers(cpp=False)


def _cpp() -> list[Candidate]:
    cxx = Path("/usr/include/c++")
    # libstdc++ headers mostly have no suffix (<vector>); .h and .tcc hold the rest.
    return _named(cxx, "include/c++", _walk(cxx, ("", ".h", ".tcc"))) + _headers(cpp=True)


def _perl() -> list[Candidate]:
    found: list[Candidate] = []
    for root in sorted(Path("/usr/share").glob("perl*")):
        found += _named(root, root.name, _walk(root, (".pm", ".pl")))
    return found


_SHEBANG = re.compile(rb"#!\s*(?:/usr/bin/env\s+)?(?:/usr)?/bin/(?:ba|da)?sh\b")


def _shell() -> list[Candidate]:
    found: list[Candidate] = []
    roots = [Path("/usr/bin"), Path("/usr/sbin"), Path("/etc"), *Path("/usr/share").glob("go-*")]
    for root in roots:
        paths = root.rglob("*") if root.name == "etc" or "go-" in root.name else root.glob("*")
        found += _named(root, root.name, (p for p in paths if _is_shell(p)))
    return found


def _is_shell(path: Path) -> bool:
    try:
        if not path.is_file() or path.suffix not in ("", ".sh", ".bash"):
            return False
        with path.open("rb") as handle:
            return bool(_SHEBANG.match(handle.read(64)))
    except OSError:
        return False


SOURCES: dict[str, Callable[[], list[Candidate]]] = {
    "python": _python,
    "javascript": _javascript,
    "typescript": _typescript,
    "java": _java,
    "go": _go,
    "c": _c,
    "cpp": _cpp,
    "perl": _perl,
    "shellscript": _shell,
}


def stable_order(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates in SHA-1 order of their names: a spread that is the same on every run."""
    return sorted(candidates, key=lambda c: hashlib.sha1(c.name.encode()).hexdigest())


# --- section markers -----------------------------------------------------------------

RULE_CHARS = "=-*#~_+/"
_RULE_RUN = re.compile(r"([=\-*#~_+/])\1{4,}")
_RULE = re.compile(r"([=\-*#~_+/])\1*")
_TITLED = re.compile(r"^(?P<left>[=\-*#~_+/]{2,})\s+(?P<title>\S.*?)\s+(?P<right>[=\-*#~_+/]{2,})$")
_MARK = re.compile(r"^MARK:")
_REGION = re.compile(r"^(?:#pragma\s+|#\s*|//\s*#?|/\*\s*#?)(?P<end>end)?region\b", re.I)
_HEAD = re.compile(r"^[A-Za-z][\w .,'/()&-]*:$")
_ALNUM = re.compile(r"[A-Za-z0-9]")

MARKERISH = {"rule", "titled", "mark", "region"}


@dataclass
class Comment:
    """One comment node that fills its lines (0-based rows)."""

    first: int
    last: int


def comments_of(text: str, lang: Lang) -> list[Comment]:
    """Comment nodes that have nothing but whitespace beside them on their lines."""
    data = text.encode("utf-8", "surrogatepass")
    rows = data.split(b"\n")
    stack = [get_parser(lang.grammar).parse(data).root_node]  # type: ignore[arg-type]
    found: list[Comment] = []
    while stack:
        node = stack.pop()
        if "comment" in node.type:  # comment, line_comment, block_comment
            (r0, c0), (r1, c1) = node.start_point, node.end_point
            if not rows[r0][:c0].strip() and not rows[r1][c1:].strip():
                found.append(Comment(r0, r1))
            continue
        stack.extend(node.children)
    return sorted(found, key=lambda c: c.first)


def body(line: str, lang: Lang) -> str:
    """A comment line without its comment syntax."""
    text = line.strip()
    for lead in (lang.lead, "/*", "*"):
        if text.startswith(lead) and (lead != "*" or lang.lead == "//"):
            text = text[len(lead) :]
            break
    return text.removesuffix("*/").strip()


def classify(line: str, lang: Lang) -> str:
    """rule | titled | mark | region | end | head | text | empty, for one comment line."""
    raw = line.strip()
    if region := _REGION.match(raw):
        return "end" if region.group("end") else "region"
    text = body(line, lang)
    if not _ALNUM.search(raw):
        # One character repeated: a table border (+-----+-----+) is not a rule.
        is_rule = _RULE_RUN.search(raw) and _RULE.fullmatch(re.sub(r"\s", "", text))
        return "rule" if is_rule else "empty"
    if "-*-" in text:  # an Emacs mode line, not a title
        return "text"
    if _TITLED.match(text):
        return "titled"
    if _MARK.match(text):
        return "mark"
    if _HEAD.match(text) and len(text.split()) <= HEAD_WORDS:
        return "head"
    return "text"


@dataclass
class Stripped:
    """The text without its markers, and where the authors' sections start in it."""

    original_lines: int
    text: str
    lines: int
    boundaries: list[int]  # 1-based lines of the stripped text that start a section
    marker_rows: list[int]  # 0-based rows of the original where marker runs begin


@dataclass
class _Edit:
    removed: set[int] = field(default_factory=set)
    replaced: dict[int, str] = field(default_factory=dict)
    marker_rows: set[int] = field(default_factory=set)  # rows holding a marker


def _block_markers(comment: Comment, rows: list[str], lang: Lang, edit: _Edit) -> None:
    span = range(comment.first, comment.last + 1)
    kinds = [classify(rows[r], lang) for r in span]
    if not MARKERISH & set(kinds):
        return
    text_rows = sum(kind in ("text", "head") for kind in kinds)
    if text_rows <= BANNER_TEXT_LINES:
        edit.removed.update(span)
        edit.marker_rows.add(comment.first)
        return
    if kinds[0] not in ("rule", "titled") and kinds[-1] not in ("rule", "titled"):
        return  # a rule inside a long comment: a table or an underline, not a section
    edit.marker_rows.add(comment.first)
    for row, kind in zip(span, kinds, strict=True):
        indent = rows[row][: len(rows[row]) - len(rows[row].lstrip())]
        if row == comment.first and kind in ("rule", "titled"):
            edit.replaced[row] = indent + "/*"
        elif row == comment.last and kind in ("rule", "titled"):
            edit.replaced[row] = indent + "*/"
        elif row not in (comment.first, comment.last) and kind in MARKERISH:
            edit.removed.add(row)


def _line_markers(singles: list[int], rows: list[str], lang: Lang, edit: _Edit) -> None:
    kinds = {row: classify(rows[row], lang) for row in singles}
    for row, kind in kinds.items():
        if kind in MARKERISH or (kind == "head" and _is_heading(row, rows, kinds)):
            edit.removed.add(row)
            edit.marker_rows.add(row)
        elif kind == "end":
            edit.removed.add(row)
    rules = [row for row, kind in kinds.items() if kind == "rule"]
    for top, bottom in itertools.pairwise(rules):
        between = range(top + 1, bottom)
        if len(between) <= BANNER_TEXT_LINES and all(r in kinds for r in between):
            edit.removed.update(between)  # the title of a banner


def _is_heading(row: int, rows: list[str], kinds: dict[int, str]) -> bool:
    at_column_0 = not rows[row][:1].isspace()
    after_blank = row > 0 and not rows[row - 1].strip()
    return at_column_0 and after_blank and row + 1 not in kinds


def strip_markers(text: str, lang: Lang) -> Stripped:
    """Remove the section markers and place the reference boundaries (see the docstring)."""
    rows = text.split("\n")
    if text.endswith("\n"):
        rows.pop()
    comments = comments_of(text, lang)
    edit = _Edit()
    singles = [c.first for c in comments if c.first == c.last]
    _line_markers(singles, rows, lang, edit)
    for comment in comments:
        if comment.last > comment.first:
            _block_markers(comment, rows, lang, edit)
    comment_rows = {r for c in comments for r in range(c.first, c.last + 1)}
    run_starts = {_run_start(row, comment_rows) for row in edit.marker_rows}
    kept = [row for row in range(len(rows)) if row not in edit.removed]
    new_line = {row: i + 1 for i, row in enumerate(kept)}
    out = [edit.replaced.get(row, rows[row]) for row in kept]
    boundaries = set()
    for start in run_starts:
        line = _next_content(start, kept, new_line, out)
        if line is not None and line > 1 and any(s.strip() for s in out[: line - 1]):
            boundaries.add(line)
    return Stripped(
        len(rows), "\n".join(out) + "\n", len(out), sorted(boundaries), sorted(run_starts)
    )


def _run_start(row: int, comment_rows: set[int]) -> int:
    while row - 1 in comment_rows:
        row -= 1
    return row


def _next_content(
    start: int, kept: list[int], new_line: dict[int, int], out: list[str]
) -> int | None:
    for row in kept:
        if row >= start and out[new_line[row] - 1].strip():
            return new_line[row]
    return None


def _prefilter(text: str, lang: Lang) -> bool:
    """Cheap test before parsing: enough comment lines that could be markers."""
    leads = (lang.lead, "/*", "*") if lang.lead == "//" else (lang.lead,)
    hits = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(leads) and (
            _RULE_RUN.search(stripped)
            or "MARK:" in stripped
            or "region" in stripped
            or stripped.endswith(":")
            or "--" in stripped
        ):
            hits += 1
            if hits >= MIN_MARKERS:
                return True
    return False


def qualify(text: str, lang: Lang) -> Stripped | None:
    """The stripped file when it qualifies for the corpus, else None."""
    lines = text.count("\n") + (not text.endswith("\n"))
    if not MIN_LINES <= lines <= MAX_LINES or not _prefilter(text, lang):
        return None
    stripped = strip_markers(text, lang)
    if len(stripped.boundaries) < MIN_MARKERS:
        return None
    if max(stripped.marker_rows) < EARLY_SHARE * stripped.original_lines:
        return None
    return stripped


@dataclass
class Sample:
    name: str
    stripped: Stripped


def gather(lang: Lang, limit: int) -> tuple[list[Sample], int]:
    """Up to ``limit`` qualifying files in stable order, and how many candidates there were."""
    candidates = stable_order(SOURCES[lang.id]())
    samples: list[Sample] = []
    seen: set[str] = set()
    for candidate in candidates:
        text = candidate.read()
        if text is None or "\n" not in text[:2000]:
            continue  # unreadable, binary or minified
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in seen:
            continue  # the same file under another name (a symlink, an alternative)
        seen.add(digest)
        if stripped := qualify(text, lang):
            samples.append(Sample(candidate.name, stripped))
            if len(samples) >= limit:
                break
    return samples, len(candidates)


# --- segmentations -------------------------------------------------------------------

Piece = tuple[int, int, int]  # (label, first line, last line), 1-based inclusive


def paint(lines: int, pieces: list[Piece]) -> list[int]:
    """Per-line labels; uncovered lines take the previous covered line's label."""
    labels: list[int | None] = [None] * lines
    for label, first, last in pieces:
        for line in range(max(1, first), min(lines, last) + 1):
            labels[line - 1] = label
    current = next((lab for lab in labels if lab is not None), 0)
    filled: list[int] = []
    for found in labels:
        current = current if found is None else found
        filled.append(current)
    return filled


def boundary_string(labels: list[int]) -> str:
    """'1' on each line that starts a new segment, '0' elsewhere."""
    return "0" + "".join("1" if b != a else "0" for a, b in itertools.pairwise(labels))


def reference_string(stripped: Stripped) -> str:
    starts = set(stripped.boundaries)
    return "".join("1" if line in starts else "0" for line in range(1, stripped.lines + 1))


def iris_pieces(text: str, lang: Lang, filename: str, cache_dir: str) -> tuple[list[Piece], int]:
    """IRIS's blocks as painted pieces, and its block count (the public API only)."""
    result = analyze(
        text, filename=filename, language=lang.id, engine="structural", cache_dir=cache_dir
    )
    pieces = [(i, s, e) for i, block in enumerate(result.blocks) for s, e in block.ranges]
    return pieces, len(result.blocks)


def top_level_units(text: str, lang: Lang) -> list[tuple[str, int, int]]:
    """(group key, first line, last line) per unit; the one call into the engine's syntax."""
    from iris_codes.syntax import extract_units

    return [
        (u.parent if u.parent is not None else f"#{u.id}", u.start, u.end)
        for u in extract_units(text, lang.id)
    ]


def unit_pieces(text: str, lang: Lang) -> list[Piece]:
    """Baseline (a): one block per top-level unit, a parent's members together."""
    keys: dict[str, int] = {}
    return [(keys.setdefault(key, len(keys)), s, e) for key, s, e in top_level_units(text, lang)]


def astchunk_pieces(text: str, lang: Lang, target: int) -> list[Piece] | None:
    """Baseline (b): astchunk at the chunk count nearest ``target`` (None: unsupported)."""
    if lang.astchunk is None:
        return None
    from astchunk import ASTChunkBuilder

    def chunks(size: int) -> list[dict[str, Any]]:
        builder = ASTChunkBuilder(
            max_chunk_size=size, language=lang.astchunk, metadata_template="default"
        )
        return builder.chunkify(text)  # type: ignore[no-any-return]

    low, high = 1, max(1, len(re.sub(r"\s", "", text)))
    while low < high:  # smallest size with at most ``target`` chunks
        mid = (low + high) // 2
        if len(chunks(mid)) <= target:
            high = mid
        else:
            low = mid + 1
    best = chunks(low)
    if low > 1:
        below = chunks(low - 1)
        if abs(len(below) - target) < abs(len(best) - target):
            best = below
    return [
        (i, c["metadata"]["start_line_no"] + 1, c["metadata"]["end_line_no"] + 1)
        for i, c in enumerate(best)
    ]


# --- scoring -------------------------------------------------------------------------

# "flat" (the whole file one segment) is no baseline to beat by the brief, but a floor to
# read the others against: Pk and WindowDiff favour too few boundaries over misplaced ones.
METHODS = ("iris", "units", "astchunk", "flat")
ASTCHUNK_AT = "iris"  # or "reference": see the module docstring


@dataclass
class Score:
    pk: float
    windowdiff: float
    segments: int


@dataclass
class FileResult:
    name: str
    lines: int
    sections: int
    k: int
    iris_blocks: int
    scores: dict[str, Score | None]


def score(reference: str, labels: list[int], k: int) -> Score:
    hypothesis = boundary_string(labels)
    return Score(
        pk(reference, hypothesis, k=k, boundary="1"),
        windowdiff(reference, hypothesis, k, boundary="1"),
        hypothesis.count("1") + 1,
    )


def window(stripped: Stripped) -> int:
    """k: half the mean reference segment length, at least 2 lines."""
    sections = len(stripped.boundaries) + 1
    return max(2, round(stripped.lines / (2 * sections)))


def measure(sample: Sample, lang: Lang, cache_dir: str) -> FileResult:
    stripped = sample.stripped
    reference, k, n = reference_string(stripped), window(stripped), stripped.lines
    sections = len(stripped.boundaries) + 1
    filename = Path(sample.name).name
    if Path(filename).suffix != lang.suffix:
        filename += lang.suffix  # shell scripts and C++ headers without one
    pieces, blocks = iris_pieces(stripped.text, lang, filename, cache_dir)
    scores: dict[str, Score | None] = {
        "iris": score(reference, paint(n, pieces), k),
        "units": score(reference, paint(n, unit_pieces(stripped.text, lang)), k),
        "flat": score(reference, [0] * n, k),
    }
    target = sections if ASTCHUNK_AT == "reference" else max(1, len(pieces))
    chunked = astchunk_pieces(stripped.text, lang, target)
    scores["astchunk"] = None if chunked is None else score(reference, paint(n, chunked), k)
    return FileResult(sample.name, n, sections, k, blocks, scores)


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None  # None: valid JSON, unlike NaN


def summarise(results: list[FileResult], lang: Lang) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "files": len(results),
        "astchunk_grammar": lang.astchunk,
        "reference_sections": mean([r.sections for r in results]),
        "iris_blocks": mean([r.iris_blocks for r in results]),
    }
    for method in METHODS:
        scored = [s for r in results if (s := r.scores[method]) is not None]
        summary[method] = (
            {
                "pk": mean([s.pk for s in scored]),
                "windowdiff": mean([s.windowdiff for s in scored]),
                "segments": mean([s.segments for s in scored]),
            }
            if scored
            else None
        )
    summary["verdict"] = verdict(summary)
    return summary


def verdict(summary: dict[str, Any]) -> str:
    """Whether IRIS beats both baselines on both metrics, in one sentence."""
    iris = summary["iris"]
    if not iris:
        return "no files"
    rivals = [m for m in ("units", "astchunk") if summary[m]]
    beaten = all(iris[m] < summary[r][m] for r in rivals for m in ("pk", "windowdiff"))
    missing = "" if summary["astchunk"] else " (astchunk n/a: judged on baseline (a) alone)"
    which = "both baselines" if len(rivals) == 2 else "the baseline"
    flat = all(iris[m] < summary["flat"][m] for m in ("pk", "windowdiff"))
    return (
        f"IRIS beats {which} on Pk and WindowDiff: {'yes' if beaten else 'no'}{missing}; "
        f"beats one flat segment on both: {'yes' if flat else 'no'}"
    )


# --- report --------------------------------------------------------------------------


def _cell(block: dict[str, float] | None, key: str, digits: int = 3) -> str:
    return "n/a" if block is None else f"{block[key]:.{digits}f}"


def print_table(summaries: dict[str, dict[str, Any]]) -> None:
    print(
        "Pk and WindowDiff (WD): lower is better; k = half the mean reference segment length. "
        "units: one block per top-level unit; astchunk: cAST at the reference section count "
        "(JavaScript through its TypeScript grammar; n/a where it has no grammar); "
        "flat: the whole file as one segment, a floor to read the others against."
    )
    print(
        "| language | files | ref sections | Pk IRIS | Pk units | Pk astchunk | Pk flat "
        "| WD IRIS | WD units | WD astchunk | WD flat | segments IRIS (blocks) "
        "| segments units | segments astchunk |"
    )
    print("|" + "---|" * 14)
    for lang, s in summaries.items():
        if not s["files"]:
            print(f"| {lang} | 0 |" + " - |" * 12)
            continue
        metrics = [_cell(s[m], key) for key in ("pk", "windowdiff") for m in METHODS]
        iris_segments = f"{_cell(s['iris'], 'segments', 1)} ({s['iris_blocks']:.1f})"
        print(
            f"| {lang} | {s['files']} | {s['reference_sections']:.1f} | "
            + " | ".join(metrics)
            + f" | {iris_segments} | {_cell(s['units'], 'segments', 1)} "
            f"| {_cell(s['astchunk'], 'segments', 1)} |"
        )
    print()
    for lang, s in summaries.items():
        print(f"{lang}: {s['verdict']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", default=",".join(LANGS), help="comma-separated language ids")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="files per language")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--list", action="store_true", help="print the corpus files and stop")
    parser.add_argument(
        "--astchunk-at",
        choices=("iris", "reference"),
        default="iris",
        help="the chunk count astchunk is tuned to: IRIS's (default) or the authors'",
    )
    args = parser.parse_args(argv)
    global ASTCHUNK_AT
    ASTCHUNK_AT = args.astchunk_at
    started = time.perf_counter()
    names = [name.strip() for name in args.lang.split(",") if name.strip()]
    for name in names:
        if name not in LANGS:
            print(f"unknown language {name!r}; known: {', '.join(LANGS)}", file=sys.stderr)
    languages = [LANGS[name] for name in names if name in LANGS]
    corpus = {}
    for lang in languages:
        samples, candidates = gather(lang, args.limit)
        corpus[lang.id] = samples
        if not args.json:
            print(f"{lang.id}: {len(samples)} files qualify (of {candidates} candidates)")
    if args.list:
        for lang_id, samples in corpus.items():
            for sample in samples:
                s = sample.stripped
                print(
                    f"{lang_id}\t{sample.name}\t{s.lines} lines\t{len(s.boundaries) + 1} sections"
                )
        return 0
    results: dict[str, list[FileResult]] = {}
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="iris-boundaries-") as cache_dir:
        for lang in languages:
            results[lang.id] = []
            for sample in corpus[lang.id]:
                try:
                    results[lang.id].append(measure(sample, lang, cache_dir))
                except Exception as exc:  # a benchmark reports a failing file and goes on
                    errors.append(f"{lang.id} {sample.name}: {type(exc).__name__}: {exc}")
    summaries = {lang: summarise(found, LANGS[lang]) for lang, found in results.items()}
    seconds = time.perf_counter() - started
    if args.json:
        body = {
            "languages": summaries,
            "files": {lang: [_file_json(r) for r in found] for lang, found in results.items()},
            "errors": errors,
            "k": "half the mean reference segment length, at least 2",
            "seconds": round(seconds, 1),
        }
        print(json.dumps(body, indent=2))
        return 0
    print()
    print_table(summaries)
    for error in errors:
        print(f"ERROR {error}")
    print(f"\n{sum(len(r) for r in results.values())} files scored in {seconds:.1f} s")
    return 0


def _file_json(result: FileResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "lines": result.lines,
        "sections": result.sections,
        "k": result.k,
        "iris_blocks": result.iris_blocks,
        **{m: (s.__dict__ if s else None) for m, s in result.scores.items()},
    }


if __name__ == "__main__":
    sys.exit(main())
