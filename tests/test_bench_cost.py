"""bench/cost.py: the cost model's arithmetic, and docs/cost.md showing what it prints."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).parent.parent
SCRIPT = REPO / "bench" / "cost.py"


@pytest.fixture(scope="module")
def cost() -> dict[str, Any]:
    return runpy.run_path(str(SCRIPT))


def test_every_price_is_dated_and_sourced(cost: dict[str, Any]) -> None:
    assert cost["PRICES_READ_ON"].count("-") == 2
    for name, (value, source) in cost["PRICES"].items():
        assert value > 0, name
        assert len(source) > 10, name


def test_serverless_costs_grow_with_traffic_and_the_vm_does_not(cost: dict[str, Any]) -> None:
    workload = cost["Workload"]
    small, large = cost["totals"](workload(1_000)), cost["totals"](workload(1_000_000))
    assert large["lambda+dynamodb"] > 50 * small["lambda+dynamodb"]
    assert large["vm"] - small["vm"] < 1  # only egress grows
    idle = cost["totals"](workload(0))
    assert idle["lambda+dynamodb"] < 0.1  # nothing at rest but storage
    assert idle["lambda+elasticache"] > 12  # the node is billed idle


def test_hits_cost_no_tokens_and_structural_none_at_all(cost: dict[str, Any]) -> None:
    workload = cost["Workload"]
    assert cost["llm_tokens"](workload(1000, hit_rate=1.0)) == 0
    assert cost["llm_tokens"](workload(1000, engine="structural")) == 0
    assert cost["llm_tokens"](workload(1000, hit_rate=0.0)) == pytest.approx(
        1000 * (2100 * 0.40 + 250 * 1.60) / 1e6
    )


def test_crossover_is_where_the_cheaper_option_changes(cost: dict[str, Any]) -> None:
    base = cost["Workload"](0)
    point = cost["crossover"](base, "lambda+dynamodb", "vm")
    assert point is not None
    before = cost["totals"](cost["_with"](base, int(point * 0.98)))
    after = cost["totals"](cost["_with"](base, int(point * 1.02)))
    assert before["lambda+dynamodb"] < before["vm"]
    assert after["lambda+dynamodb"] > after["vm"]


@pytest.mark.parametrize("args", [[], ["--engine", "structural"]])
def test_docs_show_the_tables_the_script_prints(args: list[str]) -> None:
    printed = subprocess.run(
        [sys.executable, str(SCRIPT), "--markdown", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = "\n".join(line for line in printed.splitlines() if line.startswith("|"))
    assert table in (REPO / "docs" / "cost.md").read_text()
