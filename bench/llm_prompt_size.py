"""Prompt and answer size of the LLM engine, guided versus ranges mode, on real files.

    .venv/bin/python bench/llm_prompt_size.py

For each file: characters and estimated tokens (about 4 characters a token) of the
prompt each mode sends (system + user text), and of the JSON each mode asks the model
to emit. The answer is the structural engine's grouping of the same file, written as
unit ids (guided) or as merged line ranges (ranges), with the same labels and
descriptions, so only what the mode changes differs. No network, no timing.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from iris_codes.engines import prompts  # noqa: E402
from iris_codes.engines.llm import unit_list  # noqa: E402
from iris_codes.engines.structural import StructuralEngine  # noqa: E402
from iris_codes.models import Analysis  # noqa: E402
from iris_codes.syntax.languages import detect_language  # noqa: E402
from iris_codes.syntax.units import Unit  # noqa: E402

REPO_FILES = (
    "src/iris_codes/service.py",
    "src/iris_codes/config.py",
    "src/iris_codes/postprocess.py",
    "src/iris_codes/metrics.py",
    "src/iris_codes/engines/llm.py",
    "src/iris_codes/engines/prompts.py",
    "src/iris_codes/syntax/extract.py",
    "src/iris_codes/testing.py",
)


@dataclass
class Row:
    name: str
    lines: int
    units: int
    guided_prompt: int
    ranges_prompt: int
    guided_answer: int
    ranges_answer: int


def corpus() -> list[Path]:
    """Every non-trivial sample under tests/samples plus some of this repo's own modules."""
    samples = sorted((ROOT / "tests" / "samples").glob("*.*"))
    picked = [p for p in samples if p.stat().st_size >= 300 and not p.name.startswith(".")]
    return picked + [ROOT / name for name in REPO_FILES if (ROOT / name).exists()]


def answers(analysis: Analysis, units: list[Unit]) -> tuple[str, str]:
    """The same grouping as the JSON a guided and a ranges answer would carry."""
    owner: dict[int, int] = {}
    for number, unit in enumerate(units, start=1):
        best, most = -1, 0
        for index, block in enumerate(analysis.blocks):
            overlap = sum(
                max(0, min(unit.end, e) - max(unit.start, s) + 1) for s, e in block.ranges
            )
            if overlap > most:
                best, most = index, overlap
        if best >= 0:
            owner[number] = best
    guided, ranges = [], []
    for index, block in enumerate(analysis.blocks):
        text = {"label": block.label, "description": block.description}
        ids = [n for n, b in owner.items() if b == index]
        guided.append({**text, "unit_ids": ids})
        ranges.append({**text, "ranges": [list(r) for r in block.ranges]})
    intent = analysis.file_intent
    return (
        json.dumps({"file_intent": intent, "blocks": guided}),
        json.dumps({"file_intent": intent, "blocks": ranges}),
    )


def measure(path: Path, engine: StructuralEngine) -> Row | None:
    source = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    language = detect_language(path.name, source)
    if language is None or not source.strip():
        return None
    units = unit_list(source, language.id)
    guided = prompts.guided_prompt(source, units, path.name, language.id)
    ranges = prompts.ranges_prompt(source, path.name, language.id)
    guided_answer, ranges_answer = answers(engine.analyze(source, language.id, path.name), units)
    lines = source.count("\n") + (0 if source.endswith("\n") else 1)
    return Row(
        path.name,
        lines,
        len(units),
        guided.chars,
        ranges.chars,
        len(guided_answer),
        len(ranges_answer),
    )


def table(rows: list[Row]) -> str:
    tok = prompts.estimate_tokens
    out = [
        "| file | lines | units | prompt chars guided / ranges | prompt tokens≈ guided / ranges "
        "| guided/ranges | answer chars guided / ranges | answer tokens≈ guided / ranges |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r.name} | {r.lines} | {r.units} | {r.guided_prompt} / {r.ranges_prompt} "
            f"| {tok(r.guided_prompt)} / {tok(r.ranges_prompt)} "
            f"| {r.guided_prompt / r.ranges_prompt:.2f} "
            f"| {r.guided_answer} / {r.ranges_answer} "
            f"| {tok(r.guided_answer)} / {tok(r.ranges_answer)} |"
        )
    gp, rp = sum(r.guided_prompt for r in rows), sum(r.ranges_prompt for r in rows)
    ga, ra = sum(r.guided_answer for r in rows), sum(r.ranges_answer for r in rows)
    out.append(
        f"| **total ({len(rows)} files)** | {sum(r.lines for r in rows)} | "
        f"{sum(r.units for r in rows)} | {gp} / {rp} | {tok(gp)} / {tok(rp)} | {gp / rp:.2f} "
        f"| {ga} / {ra} | {tok(ga)} / {tok(ra)} |"
    )
    return "\n".join(out)


def main() -> None:
    engine = StructuralEngine()
    rows = [row for path in corpus() if (row := measure(path, engine)) is not None]
    print(f"{len(rows)} files; tokens estimated as characters / 4")
    print(table(rows))
    smaller = sum(r.guided_prompt < r.ranges_prompt for r in rows)
    print(f"\nguided prompt smaller on {smaller}/{len(rows)} files")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
