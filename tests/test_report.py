"""Rendering of batch results: Markdown links that work on a forge, the summary line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iris_codes.batch import FileResult, Run
from iris_codes.report import json_document, markdown_report, summary_line
from iris_codes.walk import Skipped


def body(intent: str, *blocks: tuple[str, list[list[int]]]) -> dict[str, Any]:
    return {
        "success": True,
        "file_intent": intent,
        "responsibility_blocks": [
            {"label": label, "description": f"About {label}.", "ranges": ranges}
            for label, ranges in blocks
        ],
        "metadata": {"engine": "structural", "cache_hit": 0, "latency_ms": 1.0},
    }


RUN = Run(
    results=[
        FileResult(
            "src/app.py",
            "analysed",
            body("Serves [orders] *fast*, reads ``<root>/x`` and <dir>", ("Routes", [[1, 9]])),
        ),
        FileResult(
            "src/db/models.py", "cached", body("Tables", ("Order model", [[3, 3], [7, 12]]))
        ),
        FileResult("src/db/bad.py", "failed", error="HTTP 401: no key", code="unauthorized"),
    ],
    skipped=[Skipped("src/node_modules", "vendored"), Skipped("src/a.min.js", "minified")],
    total=3,
    seconds=0.5,
)


def test_ranges_link_to_lines_relative_to_the_report(tmp_path: Path) -> None:
    report = markdown_report(RUN, ["src"], str(tmp_path / "docs" / "toc.md"))
    assert "[1-9](../src/app.py#L1-L9)" in report
    assert "[3](../src/db/models.py#L3), [7-12](../src/db/models.py#L7-L12)" in report
    assert "### [`src/db/models.py`](../src/db/models.py)" in report


def test_overview_groups_files_by_folder_and_shows_failures(tmp_path: Path) -> None:
    report = markdown_report(RUN, ["src"], str(tmp_path / "toc.md"))
    overview = report.partition("## Files")[0]
    assert overview.index("**`src/`**") < overview.index("app.py") < overview.index("**`src/db/`**")
    assert "*failed: HTTP 401: no key*" in overview


def test_markdown_special_characters_in_answers_are_escaped(tmp_path: Path) -> None:
    report = markdown_report(RUN, ["src"], str(tmp_path / "toc.md"))
    assert r"Serves \[orders\] \*fast\*" in report
    assert r"reads ``<root>/x`` and \<dir\>" in report, "code spans stay whole"


def test_the_report_carries_no_timings(tmp_path: Path) -> None:
    report = markdown_report(RUN, ["src"], str(tmp_path / "toc.md"))
    assert "3 files, 1 failed; 2 paths skipped (minified 1, vendored 1)." in report
    assert " s " not in report.splitlines()[2]


def test_summary_counts_statuses_and_skip_reasons() -> None:
    summary = RUN.summary()
    assert (summary["analysed"], summary["cache_hits"], summary["failed"]) == (1, 1, 1)
    assert summary["skipped"] == {"minified": 1, "vendored": 1}
    assert summary_line(summary).startswith("3 files in 0.50 s")
    assert "2 skipped (minified 1, vendored 1)" in summary_line(summary)
    document = json_document(RUN)
    assert document["files"][2] == {
        "path": "src/db/bad.py",
        "status": "failed",
        "error": "HTTP 401: no key",
        "code": "unauthorized",
    }
    assert "success" not in document["files"][0]
