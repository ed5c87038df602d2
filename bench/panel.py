"""Draw files for a blind reading panel and write IRIS's answers for the readers.

    .venv/bin/python bench/panel.py --half checking --seed 7 --count 20 --out /tmp/panel

Files come from ``bench/quality.py``'s corpus (code nobody here wrote), from one half of
its deterministic split (``--half``: read the *checking* half for a verdict, the *tuning*
half while developing), drawn at random with ``--seed`` across at least ``--languages``
languages. For each file the folder gets ``NN.txt``: the file's path, language and size
(and ``NN.source.EXT``, a copy of the file), then IRIS's answer (intent, blocks with their
line ranges and descriptions, sub-blocks indented). ``README.md`` there holds the grading
scale of ``shared/READING.md`` for readers who have not seen the engine's code. The seed
and the files are printed, for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import quality  # noqa: E402
from iris_codes.engines.structural import StructuralEngine  # noqa: E402

SCALE = """\
# Reading panel: grade IRIS's tables of contents

IRIS reads one source file and answers with a one-line *file intent* (why the file exists)
and a few *responsibility blocks* (a label, a sentence, and the lines to read, in file
order; a long block may hold indented sub-blocks). It is meant to prepare a developer to
read an unfamiliar file. You have not seen how IRIS works, and should not look.

For each `NN.txt` here:
1. Open the source file it names (a copy sits beside it) and read enough of it to know
   what a good table of contents would be.
2. Read IRIS's answer in `NN.txt` and grade it 0-3 on each criterion below.
3. For the weakest grade, one line on why, quoting IRIS verbatim, and what a person would
   have written instead.
4. Count the reading problems a user would notice: template phrasing, markup or banners in
   text, a clause cut mid-way, identifier salad, counts instead of content, a label that
   repeats a neighbour's, a description that belongs to another block, a cut inside a
   function or a docstring, a block count wrong for the size.

The scale (0-3 each):
- **intent**: 3 says why the file exists as a good human summary would; 2 correct but vague
  or partial; 1 misleading, a fragment, or a template; 0 wrong or garbage.
- **boundaries**: 3 the blocks are the sections a person would cut (contiguous, right
  granularity for the size); 2 mostly; 1 several wrong cuts or merges; 0 arbitrary.
- **labels**: 3 each label names the section's responsibility in plain words; 2 most do;
  1 many are identifier fragments, generic ("X steps", "Helpers"), ordinals or misleading;
  0 useless.
- **descriptions**: 3 each sentence tells a reader what the section does or why; 2 most do;
  1 mostly counts ("3 constants, starting with X"), "The function x." or copied fragments
  (an error message, a comment about something else); 0 useless.

Report, per file: NN, language, lines, blocks, the four grades, the one-line reason, the
problems counted. Then the mean of each criterion, the patterns that cost the most points
with how many files show them, and the ten worst strings verbatim.
"""


def render(body: dict, blocks: list[dict] | None = None, depth: int = 0) -> list[str]:
    """An answer as the CLI prints it: blocks with ranges, sub-blocks indented."""
    out: list[str] = []
    for index, block in enumerate(body["responsibility_blocks"] if blocks is None else blocks, 1):
        ranges = ", ".join(f"{s}-{e}" if s != e else str(s) for s, e in block["ranges"])
        pad = "   " * depth
        out.append(f"{pad}{index}. {block['label']}  (lines {ranges})")
        out.append(f"{pad}   {block['description']}")
        out.extend(render(body, block.get("children", []), depth + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=quality.HALVES, default="checking")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--languages", type=int, default=6)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    corpus, _ = quality.gather(quality.POOL_SIZE)
    rng = random.Random(args.seed)
    pools = {
        lang: [f for f in files if quality.half_of(f.name) == args.half]
        for lang, files in sorted(corpus.items())
    }
    pools = {lang: files for lang, files in pools.items() if files}
    languages = rng.sample(sorted(pools), min(len(pools), max(args.languages, 1)))
    picked: list[tuple[str, quality.Source]] = []
    # One file from each drawn language first, so the languages are all there; then any.
    for lang in languages:
        picked.append((lang, rng.choice(pools[lang])))
    rest = [(lang, f) for lang in languages for f in pools[lang] if (lang, f) not in picked]
    rng.shuffle(rest)
    picked += rest[: max(0, args.count - len(picked))]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "README.md").write_text(SCALE)
    engine = StructuralEngine()
    print(f"seed {args.seed}, {args.half} half, {len(picked)} files:")
    for number, (lang, source) in enumerate(picked, 1):
        path = source.name
        copy = args.out / f"{number:02d}.source{Path(path).suffix or '.txt'}"
        copy.write_text(source.text)
        body = quality.analyse(engine, source.text, lang, Path(source.name).name)
        text = [
            f"file: {path} (a copy: {copy.name})",
            f"language: {lang}, {source.lines} lines",
            "",
            f"intent: {body['file_intent']}",
            "",
            *render(body),
        ]
        (args.out / f"{number:02d}.txt").write_text("\n".join(text) + "\n")
        print(f"{number:02d} {lang} {source.lines} lines {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
