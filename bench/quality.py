"""Quality benchmark of the structural engine over real files nobody on this project wrote.

    .venv/bin/python bench/quality.py [--per-language N] [--pairs N]

The corpus is gathered at run time from what is installed: the Python standard library,
npm's bundled packages, Go's sources (Debian package golang-src), the JDK's src.zip,
C and C++ headers and sources, Perl modules, shell scripts, and TypeScript sources of
rxjs in ~/.cache/iris-bench (or $IRIS_BENCH_CORPUS). It reports, per language:

- validator pass rate: every file through the engine and ``postprocess.enforce`` must
  pass ``tests/invariants.assert_valid_analysis`` (must be 100%);
- the interleave test: the top-level definitions of two unrelated real modules are
  interleaved (each keeps its order); line-weighted block purity (share of each block's
  lines from its majority module) and block count, median over pairs;
- speed: median and p95 ms per file and lines per second, plus a real 1,000-line file
  (median of 20 runs after warm-up) and a 20,000-line file built from real modules.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import sysconfig
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.invariants import assert_valid_analysis  # noqa: E402

from iris_codes.engines.structural import StructuralEngine  # noqa: E402
from iris_codes.postprocess import count_lines, enforce  # noqa: E402
from iris_codes.syntax import extract_units, get_language  # noqa: E402
from iris_codes.syntax.parsing import parse  # noqa: E402

CORPUS_DIR = Path(os.environ.get("IRIS_BENCH_CORPUS", Path.home() / ".cache" / "iris-bench"))
MIN_LINES, MAX_LINES = 30, 3000
PAIR_MIN_LINES, PAIR_MAX_LINES = 60, 600
MIN_DEFINITIONS = 4
POOL_SIZE = 250  # files per language considered for interleave pairs
PURITY_LANGUAGES = ("python", "javascript", "typescript", "go")
INSTALL_HINTS = {
    "go": "apt-get install -y golang-src",
    "typescript": f"npm install --no-save --prefix {CORPUS_DIR} rxjs@7",
    "java": "apt-get install -y openjdk-17-jdk-headless  (provides src.zip)",
}


@dataclass
class Source:
    name: str
    text: str

    @property
    def lines(self) -> int:
        return count_lines(self.text)


@dataclass
class LanguageResult:
    files: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)
    lines: int = 0
    purities: list[float] = field(default_factory=list)
    block_counts: list[int] = field(default_factory=list)
    baseline_purities: list[float] = field(default_factory=list)
    parse_ms: list[float] = field(default_factory=list)


# --- corpus --------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _files(
    roots: list[Path], suffixes: tuple[str, ...], skip: tuple[str, ...] = ()
) -> Iterator[Path]:
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in suffixes and path.is_file() and not any(s in str(path) for s in skip):
                yield path


def _pick(paths: Iterator[Path], limit: int, base: Path | None = None) -> list[Source]:
    """Up to ``limit`` readable files of a sensible size, spread over the candidates."""
    candidates: list[Source] = []
    for path in paths:
        text = _read(path)
        if text is None or "\n" not in text[:2000]:
            continue  # skip minified bundles here; robustness tests cover them
        if MIN_LINES <= count_lines(text) <= MAX_LINES:
            name = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
            candidates.append(Source(name, text))
    return spread(candidates, limit)


def spread(items: list[Source], limit: int) -> list[Source]:
    """At most ``limit`` items taken evenly across ``items``."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _java(limit: int) -> list[Source]:
    for zip_path in sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip")) + sorted(
        Path("/usr/lib/jvm").glob("*/src.zip")
    ):
        with zipfile.ZipFile(zip_path) as archive:
            names = sorted(
                n
                for n in archive.namelist()
                if n.startswith("java.base/java/util/") and n.endswith(".java")
            )
            sources = []
            for name in names:
                text = archive.read(name).decode("utf-8", "replace")
                if MIN_LINES <= count_lines(text) <= MAX_LINES:
                    sources.append(Source(name, text))
            return spread(sources, limit)
    return []


def _shell(limit: int) -> list[Source]:
    paths = []
    for root in (
        Path("/usr/bin"),
        Path("/usr/sbin"),
        Path("/etc/init.d"),
        Path("/usr/share/go-1.19/src"),
    ):
        if not root.exists():
            continue
        for path in sorted(root.glob("*")):
            if path.suffix in (".sh", ".bash") or (path.is_file() and not path.suffix):
                try:
                    with path.open("rb") as handle:
                        head = handle.read(64)
                except OSError:
                    continue
                if head.startswith((b"#!/bin/sh", b"#!/bin/bash", b"#!/usr/bin/env bash")):
                    paths.append(path)
    return _pick(iter(paths), limit)


def gather(per_language: int) -> tuple[dict[str, list[Source]], list[str]]:
    """The corpus per language, and the install hints for languages that are missing."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    site = Path(sysconfig.get_paths()["purelib"])
    npm = Path("/usr/lib/node_modules/npm")
    go_src = next(iter(sorted(Path("/usr/share").glob("go-*/src"))), Path("/usr/lib/go/src"))
    corpus: dict[str, list[Source]] = {
        "python": _pick(
            _files([stdlib], (".py",), ("/test", "site-packages", "idlelib")), per_language, stdlib
        ),
        "javascript": _pick(
            _files([npm / "lib", npm / "node_modules"], (".js",), (".min.",)), per_language, npm
        ),
        "typescript": _pick(
            _files([CORPUS_DIR / "node_modules" / "rxjs" / "src"], (".ts",), (".d.ts",)),
            per_language,
            CORPUS_DIR,
        ),
        "go": _pick(
            _files(
                [go_src / "net", go_src / "encoding", go_src / "strings", go_src / "text"],
                (".go",),
                ("_test.go", "testdata"),
            ),
            per_language,
            go_src,
        ),
        "java": _java(per_language),
        "c": _pick(
            _files([site, Path("/usr/share/doc"), go_src / "runtime/cgo"], (".c",)), per_language
        ),
        "cpp": _pick(
            _files(sorted(Path("/usr/include/c++").glob("*/bits")), (".h", ".tcc")), per_language
        ),
        "perl": _pick(
            _files([Path("/usr/share/perl"), Path("/usr/share/perl5")], (".pm",)), per_language
        ),
        "shellscript": _shell(per_language),
    }
    missing = [
        f"{lang}: no sources found; install with: {INSTALL_HINTS[lang]}"
        for lang, files in corpus.items()
        if not files and lang in INSTALL_HINTS
    ]
    return {lang: files for lang, files in corpus.items() if files}, missing


# --- measurements --------------------------------------------------------------------


def analyse(engine: StructuralEngine, source: str, language: str, name: str) -> dict:
    analysis = enforce(engine.analyze(source, language, name), source, name)
    body = analysis.to_dict()
    body["metadata"].setdefault("cache_hit", 0)
    body["metadata"].setdefault("latency_ms", 0)
    return body


def grammar_of(language: str) -> str:
    found = get_language(language)
    return found.grammar if found else language


def validate(
    engine: StructuralEngine, language: str, files: list[Source], result: LanguageResult
) -> None:
    for source in files:
        result.files += 1
        started = time.perf_counter()
        try:
            body = analyse(engine, source.text, language, Path(source.name).name)
            result.times_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            parse(source.text.encode("utf-8", "surrogatepass"), grammar_of(language))
            result.parse_ms.append((time.perf_counter() - started) * 1000)
            result.lines += source.lines
            assert_valid_analysis(body, source.text)
            result.passed += 1
        except Exception as exc:  # a benchmark reports every failure and goes on
            result.failures.append(f"{source.name}: {type(exc).__name__}: {str(exc)[:160]}")


def chunks(source: str, language: str) -> tuple[list[str], int]:
    """The module's top-level pieces as text (a split class stays one piece), and how many
    of them are definitions (not imports or comments)."""
    units = extract_units(source, language)
    lines = source.split("\n")
    pieces: list[tuple[int, int, bool]] = []
    for unit in units:
        defines = unit.kind not in ("import", "comment")
        if unit.parent and pieces:
            pieces[-1] = (pieces[-1][0], unit.end, True)
        else:
            pieces.append((unit.start, unit.end, defines))
    if sum(d for *_, d in pieces) < MIN_DEFINITIONS:
        # One class per file (Java): its members are the definitions.
        pieces = [(u.start, u.end, u.kind not in ("import", "comment")) for u in units]
    texts = ["\n".join(lines[s - 1 : e]) for s, e, _ in pieces]
    return texts, sum(d for *_, d in pieces)


def interleave(a: list[str], b: list[str]) -> tuple[str, list[int]]:
    """Alternate chunks of a and b; return the text and each line's origin (0, 1)."""
    out: list[str] = []
    origin: list[int] = []
    for index in range(max(len(a), len(b))):
        for which, parts in ((0, a), (1, b)):
            if index < len(parts):
                chunk_lines = parts[index].split("\n")
                out.extend(chunk_lines)
                origin.extend([which] * len(chunk_lines))
                out.append("")
                origin.append(-1)
    return "\n".join(out) + "\n", origin


def purity(body: dict, origin: list[int]) -> tuple[float, int]:
    good = total = 0
    for block in body["responsibility_blocks"]:
        counts = [0, 0]
        for start, end in block["ranges"]:
            for line in range(start, end + 1):
                which = origin[line - 1]
                if which >= 0:
                    counts[which] += 1
        good += max(counts)
        total += sum(counts)
    return (good / total if total else 1.0), len(body["responsibility_blocks"])


def positional_purity(origin: list[int], blocks: int) -> float:
    """Baseline: the same number of blocks cut as equal contiguous slices of the file."""
    lines = [o for o in origin if o >= 0]
    size = max(1, -(-len(lines) // max(1, blocks)))
    good = 0
    for start in range(0, len(lines), size):
        piece = lines[start : start + size]
        good += max(piece.count(0), piece.count(1))
    return good / max(1, len(lines))


def interleave_test(
    engine: StructuralEngine, language: str, files: list[Source], pairs: int, result: LanguageResult
) -> None:
    # Interleaving needs modules with several definitions: one-function files have no order.
    sized = [
        (f, parts)
        for f in files
        if PAIR_MIN_LINES <= f.lines <= PAIR_MAX_LINES
        and (parts := chunks(f.text, language))[1] >= MIN_DEFINITIONS
    ]
    half = len(sized) // 2
    for i in sorted({int(k * half / pairs) for k in range(pairs)} if half > pairs else range(half)):
        (_, (a, _)), (_, (b, _)) = sized[i], sized[i + half]
        text, origin = interleave(a, b)
        body = analyse(engine, text, language, "interleaved")
        assert_valid_analysis(body, text)
        score, blocks = purity(body, origin)
        result.purities.append(score)
        result.block_counts.append(blocks)
        result.baseline_purities.append(positional_purity(origin, blocks))


def timed(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def speed_cases(
    engine: StructuralEngine, python_files: list[Source]
) -> list[tuple[str, int, float, float]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    real = [Source(str(p), _read(p) or "") for p in sorted(stdlib.glob("*.py"))]
    near = min(real, key=lambda s: abs(s.lines - 1000))
    big_parts: list[str] = []
    total = 0
    for source in sorted(real, key=lambda s: s.name):
        if total >= 20_000:
            break
        big_parts.append(source.text)
        total += source.lines
    big = "\n".join(big_parts)
    big = "\n".join(big.split("\n")[:20_000]) + "\n"
    for _ in range(3):
        engine.analyze(near.text, "python", "warmup.py")
    return [
        (
            f"1,000-line file ({Path(near.name).name}, {near.lines} lines)",
            near.lines,
            timed(lambda: engine.analyze(near.text, "python", "x.py"), 20),
            timed(lambda: parse(near.text.encode(), "python"), 20),
        ),
        (
            "20,000-line file (stdlib modules concatenated)",
            count_lines(big),
            timed(lambda: engine.analyze(big, "python", "big.py"), 3),
            timed(lambda: parse(big.encode(), "python"), 3),
        ),
    ]


# --- report --------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-language", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=15)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus, missing = gather(max(args.per_language, POOL_SIZE))
    for line in missing:
        print(f"MISSING {line}")
    engine = StructuralEngine()
    results: dict[str, LanguageResult] = {}
    for language, pool in corpus.items():
        result = LanguageResult()
        validate(engine, language, spread(pool, args.per_language), result)
        interleave_test(engine, language, pool, args.pairs, result)
        results[language] = result
    speed = speed_cases(engine, corpus.get("python", []))

    print(
        "| language | files | valid | ms median | ms p95 | lines/s | x parse-only | pairs "
        "| purity median | baseline purity | blocks median |"
    )
    print("|" + "---|" * 11)
    all_times: list[float] = []
    for language, r in results.items():
        all_times += r.times_ms
        rate = r.lines / (sum(r.times_ms) / 1000) if r.times_ms else 0
        pur = f"{statistics.median(r.purities):.3f}" if r.purities else "-"
        base = f"{statistics.median(r.baseline_purities):.3f}" if r.baseline_purities else "-"
        ratio = sum(r.times_ms) / max(1e-9, sum(r.parse_ms))
        blk = f"{statistics.median(r.block_counts):g}" if r.block_counts else "-"
        p50 = statistics.median(r.times_ms or [0])
        p95 = percentile(r.times_ms, 0.95)
        print(
            f"| {language} | {r.files} | {r.passed}/{r.files} | {p50:.1f} | {p95:.1f} "
            f"| {rate:,.0f} | {ratio:.1f} | {len(r.purities)} | {pur} | {base} | {blk} |"
        )
    print()
    print("| speed case | lines | median ms | parse-only ms | x parse-only | target |")
    print("|---|---|---|---|---|---|")
    for (label, lines, ms, parse_ms), target in zip(
        speed, ("<= 30 ms", "<= 1,000 ms"), strict=True
    ):
        print(
            f"| {label} | {lines:,} | {ms:.1f} | {parse_ms:.1f} | {ms / parse_ms:.1f} | {target} |"
        )
    for r in results.values():
        for failure in r.failures[:5]:
            print(f"FAIL {failure}")
    files = sum(r.files for r in results.values())
    passed = sum(r.passed for r in results.values())
    purity_ok = all(
        lang in results
        and results[lang].purities
        and statistics.median(results[lang].purities) >= 0.90
        and 3 <= statistics.median(results[lang].block_counts) <= 10
        for lang in PURITY_LANGUAGES
    )
    speed_ok = speed[0][2] <= 30 and speed[1][2] <= 1000
    ok = passed == files and purity_ok and speed_ok and not missing
    share = 100 * passed / max(1, files)
    print(
        f"\nSUMMARY {'PASS' if ok else 'FAIL'}: {passed}/{files} valid ({share:.1f}%) "
        f"across {len(results)} languages; purity>=0.90 and 3-10 blocks for "
        f"{'/'.join(PURITY_LANGUAGES)}: {'yes' if purity_ok else 'no'}; "
        f"1,000 lines {speed[0][2]:.1f} ms, 20,000 lines {speed[1][2]:.0f} ms; "
        f"p50 {statistics.median(all_times or [0]):.1f} ms/file; "
        f"{time.perf_counter() - started:.0f} s total"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
