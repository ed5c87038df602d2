#!/usr/bin/env python3
"""Count words in text files and print the most frequent ones."""

import argparse
import collections
import re
import sys
from pathlib import Path

WORD = re.compile(r"[\w']+")
DEFAULT_TOP = 10


def read_words(path: Path, lower: bool) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if lower:
        text = text.lower()
    return WORD.findall(text)


def count_words(paths: list[Path], lower: bool) -> collections.Counter[str]:
    counter: collections.Counter[str] = collections.Counter()
    for path in paths:
        counter.update(read_words(path, lower))
    return counter


def format_table(counts: list[tuple[str, int]]) -> str:
    width = max((len(word) for word, _ in counts), default=4)
    rows = [f"{word:<{width}}  {count:>6}" for word, count in counts]
    return "\n".join(rows)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=DEFAULT_TOP)
    parser.add_argument("--ignore-case", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    missing = [p for p in args.files if not p.exists()]
    if missing:
        print(f"missing: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    counts = count_words(args.files, args.ignore_case)
    print(format_table(counts.most_common(args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
