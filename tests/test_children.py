"""Sub-blocks (``children``): long sections are cut again, and every client shows them.

The engine's words change over time, so these tests check shape and what each client shows
against the answer it was given, never one label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from invariants import assert_valid_analysis
from iris_codes.analysis import Analysis, Block
from iris_codes.engines.structural import StructuralEngine
from iris_codes.lsp import convert
from iris_codes.postprocess import enforce
from iris_codes.report import render_toc


def long_function_source() -> str:
    """One 400-line function in four paragraphs its author parted with blank lines."""
    parts = ["def reconcile(ledger):\n", '    """Reconcile a ledger."""\n', "    total = 0\n"]
    for topic in ("entries", "credits", "debits", "rounding"):
        parts.append("\n")
        parts += [f"    total = total + len(ledger.{topic}) * {n}\n" for n in range(95)]
    parts.append("    return total\n")
    return "".join(parts)


def answer(source: str, language: str = "python", name: str = "ledger.py") -> dict[str, Any]:
    body = enforce(StructuralEngine().analyze(source, language, name), source, name).to_dict()
    body["metadata"].update(cache_hit=0, latency_ms=0)
    assert_valid_analysis(body, source)
    return body


def walk(blocks: list[dict[str, Any]], depth: int = 0) -> list[tuple[int, dict[str, Any]]]:
    found = []
    for block in blocks:
        found.append((depth, block))
        found += walk(block.get("children", []), depth + 1)
    return found


def test_a_block_over_150_lines_has_children_inside_its_ranges() -> None:
    source = long_function_source()
    body = answer(source)
    for _, block in walk(body["responsibility_blocks"]):
        start, end = block["ranges"][0][0], block["ranges"][-1][1]
        if end - start + 1 > 150:
            assert len(block.get("children", [])) >= 2, block["label"]
    parent = body["responsibility_blocks"][0]
    assert parent["ranges"] == [[1, len(source.splitlines())]]  # a function stays whole
    lines = source.split("\n")
    paragraphs = {n for n in range(2, len(lines)) if not lines[n - 2].strip() and lines[n - 1]}
    starts = [child["ranges"][0][0] for child in parent["children"]]
    assert starts[0] == 1
    assert set(starts[1:]) <= paragraphs, (starts, sorted(paragraphs))


def test_every_outside_file_keeps_long_blocks_nested() -> None:
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in ("argparse.py", "tarfile.py", "pydoc.py"):
        source = (stdlib / name).read_text(encoding="utf-8")
        for _, block in walk(answer(source, name=name)["responsibility_blocks"]):
            start, end = block["ranges"][0][0], block["ranges"][-1][1]
            assert end - start + 1 <= 150 or block.get("children"), (name, block["label"])


def test_children_round_trip_through_the_analysis_values() -> None:
    child = Block("Inner part", "What it does.", ((3, 4),))
    block = Block("Outer part", "All of it.", ((1, 9),), (child, Block("Rest", "More.", ((5, 9),))))
    analysis = Analysis("Intent.", (block,), {})
    again = Analysis.from_dict(analysis.to_dict())
    assert again == analysis
    assert "children" not in Analysis("I.", (child,), {}).to_dict()["responsibility_blocks"][0]


def test_postprocess_keeps_children_inside_their_parent_and_drops_a_lone_child() -> None:
    source = "x = 1\n" * 30
    wide = Block("Reaching out", "Past its parent.", ((5, 40),))
    lone = Block("Only part", "Alone.", ((12, 14),))
    blocks = (
        Block("First part", "Lines 1-10.", ((1, 10),), (Block("Head", "h.", ((1, 4),)), wide)),
        Block("Second part", "Lines 11-20.", ((11, 20),), (lone,)),
    )
    cleaned = enforce(Analysis("Intent.", blocks, {}), source)
    first, second = cleaned.blocks
    assert [c.ranges for c in first.children] == [((1, 4),), ((5, 10),)]
    assert second.children == ()


def test_the_terminal_and_the_report_indent_sub_blocks_with_dotted_numbers(
    tmp_path: Path,
) -> None:
    body = answer(long_function_source())
    shown = render_toc("ledger.py", body)
    parent = body["responsibility_blocks"][0]
    for index, child in enumerate(parent["children"], start=1):
        assert f"   1.{index}. " in shown
        assert child["label"] in shown


def test_lsp_outline_nests_the_sub_blocks_under_their_block() -> None:
    source = long_function_source()
    body = answer(source)
    root = convert.document_symbols(body, source.split("\n"))[0]
    first = (root.children or [])[0]
    nested = first.children or []
    assert [s.name for s in nested] == [
        c["label"] for c in body["responsibility_blocks"][0]["children"]
    ]
    for symbol in nested:
        assert first.range.start.line <= symbol.range.start.line <= first.range.end.line


@pytest.mark.parametrize("index", ["1.2", "1.1"])
def test_mcp_read_block_takes_a_dotted_index(tmp_path: Path, index: str) -> None:
    pytest.importorskip("mcp")
    from mcp_client import call, stdio_session

    root = tmp_path / "books"
    root.mkdir()
    source = long_function_source()
    (root / "ledger.py").write_text(source, encoding="utf-8")
    env = {"IRIS_CACHE_DIR": str(tmp_path / "cache"), "IRIS_ENGINE": "structural"}

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with stdio_session(root, env=env, log=tmp_path / "mcp.log") as session:
            outline = await call(session, "outline_file", path="ledger.py")
            block = await call(session, "read_block", path="ledger.py", index=index)
            return outline, block

    outline, block = anyio.run(scenario)
    first, second = (int(part) for part in index.split("."))
    child = outline["blocks"][first - 1]["children"][second - 1]
    assert child["index"] == index
    assert (block["index"], block["label"], block["ranges"]) == (
        index,
        child["label"],
        child["ranges"],
    )
    numbers = [int(row.split("\t", 1)[0]) for row in block["text"].split("\n") if row != "…"]
    start, end = child["ranges"][0]
    assert numbers[0] == start
    assert numbers[-1] == end
