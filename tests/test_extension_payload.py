"""The VS Code extension's numbered payload, replayed byte for byte against a real server.

The extension (retz8/iris, ``packages/iris-vscode/src/extension.ts``) sends
``sourceCode.split('\\n').map((line, idx) => `${idx + 1} | ${line}`).join('\\n')`` with
``metadata: {filepath, line_count}`` as ``JSON.stringify`` output, ``x-api-key`` when a key
is set, and treats an answer with no blocks as an error.
"""

from __future__ import annotations

import json

import requests

from invariants import assert_valid_analysis
from support import StartServer, post_analyze

KEY = "extension-key"
FILE_PATH = "/home/dev/project/etl/data_pipeline.py"

# A realistic sample written for this test, in the spirit of the extension's own sample
# (which carries no licence, so it is not copied here).
PIPELINE = '''"""ETL pipeline that loads CSV transaction records and writes daily summaries."""

import csv
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass
class Transaction:
    id: str
    timestamp: datetime
    amount: float
    category: str


def read_transactions(path: Path) -> list[Transaction]:
    """Parse every row of a CSV export, skipping rows that do not parse."""
    records = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                records.append(
                    Transaction(
                        id=row["id"],
                        timestamp=datetime.fromisoformat(row["timestamp"]),
                        amount=float(row["amount"]),
                        category=row.get("category", "other"),
                    )
                )
            except (KeyError, ValueError):
                logger.warning("skipping malformed row %s", row.get("id"))
    return records


def daily_totals(records: list[Transaction]) -> dict[str, dict[str, float]]:
    """Sum amounts per day and category."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for record in records:
        day = record.timestamp.date().isoformat()
        totals[day][record.category] += record.amount
    return {day: dict(categories) for day, categories in totals.items()}


def write_report(totals: dict[str, dict[str, float]], out: Path) -> None:
    """Write the summary as JSON, one key per day."""
    out.write_text(json.dumps(totals, indent=2, sort_keys=True))


def main() -> None:
    records = read_transactions(Path("transactions.csv"))
    write_report(daily_totals(records), Path("report.json"))


if __name__ == "__main__":
    main()
'''


def extension_body(source: str) -> bytes:
    """The request body exactly as extension.ts builds it and JSON.stringify encodes it."""
    numbered = "\n".join(f"{idx + 1} | {line}" for idx, line in enumerate(source.split("\n")))
    payload = {
        "filename": "data_pipeline.py",
        "language": "python",
        "source_code": numbered,
        "metadata": {"filepath": FILE_PATH, "line_count": len(source.split("\n"))},
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def test_numbered_payload_answers_like_the_plain_source(start_server: StartServer) -> None:
    server = start_server({"IRIS_API_KEY": KEY})
    headers = {"Content-Type": "application/json", "x-api-key": KEY}
    numbered = requests.post(
        f"{server.url}/api/iris/analyze",
        data=extension_body(PIPELINE),
        headers=headers,
        timeout=15,  # the extension's own timeout
    )
    assert numbered.status_code == 200, numbered.text
    first = numbered.json()
    assert first["responsibility_blocks"], "the extension treats zero blocks as an error"
    assert_valid_analysis(first, PIPELINE)
    assert first["metadata"]["cache_hit"] == 0
    assert first["metadata"]["filepath"] == FILE_PATH

    plain = post_analyze(
        server,
        {"filename": "data_pipeline.py", "language": "python", "source_code": PIPELINE},
        headers={"x-api-key": KEY},
    ).json()
    assert plain["metadata"]["cache_hit"] == 1, "the numbered payload filled the same entry"
    assert plain["file_intent"] == first["file_intent"]
    assert plain["responsibility_blocks"] == first["responsibility_blocks"]


def test_right_aligned_numbering_hits_the_plain_sources_entry(start_server: StartServer) -> None:
    server = start_server()
    source = PIPELINE.replace("daily summaries", "monthly summaries")
    plain = post_analyze(server, {"filename": "data_pipeline.py", "source_code": source}).json()
    aligned = "\n".join(f"{n:>6}|{line}" for n, line in enumerate(source.split("\n"), start=1))
    again = post_analyze(server, {"filename": "data_pipeline.py", "source_code": aligned}).json()
    assert again["metadata"]["cache_hit"] == 1
    assert again["responsibility_blocks"] == plain["responsibility_blocks"]


def test_a_numbered_payload_with_a_trailing_newline_hits_the_same_entry(
    start_server: StartServer,
) -> None:
    server = start_server()
    source = PIPELINE.replace("daily summaries", "weekly summaries").removesuffix("\n")
    numbered = "\n".join(f"{n} | {line}" for n, line in enumerate(source.split("\n"), start=1))
    body = {"filename": "data_pipeline.py", "language": "python"}
    first = post_analyze(server, {**body, "source_code": numbered}).json()
    again = post_analyze(server, {**body, "source_code": numbered + "\n"}).json()
    assert first["metadata"]["cache_hit"] == 0
    assert again["metadata"]["cache_hit"] == 1, "the trailing newline made a new entry"
    assert again["responsibility_blocks"] == first["responsibility_blocks"]
    assert again["file_intent"] == first["file_intent"]
