"""Speed of the structural engine against an older version of it, measured in one run.

    .venv/bin/python bench/engine_versions.py --base 09fd4ab [--rounds 5]

The older version's ``src/`` comes from ``git archive`` into a temporary folder. Both run in
fresh processes taken in turns (new, old, new, old, ...), so the machine's load falls on both
alike; each process warms up, then times the engine on a real 1,000-line module and on
20,000 lines of standard-library modules. Prints the medians and the ratio new/old.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside each process: ``sys.argv[1]`` is the src folder to import from.
PROBE = r"""
import json, sys, sysconfig, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from iris_codes.engines.structural import StructuralEngine
stdlib = Path(sysconfig.get_paths()["stdlib"])
one = (stdlib / "cgi.py").read_text()
parts, total = [], 0
for path in sorted(stdlib.glob("*.py")):
    if total >= 20_000:
        break
    text = path.read_text(errors="replace")
    parts.append(text)
    total += text.count("\n")
big = "\n".join("\n".join(parts).split("\n")[:20_000]) + "\n"
engine = StructuralEngine()
for _ in range(3):
    engine.analyze(one, "python", "cgi.py")
def timed(source, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.analyze(source, "python", "x.py")
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)[len(samples) // 2]
print(json.dumps({"1000": timed(one, 15), "20000": timed(big, 2)}))
"""


def export(rev: str, into: Path) -> Path:
    """The ``src/`` folder of ``rev``, unpacked under ``into``."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into / "src"


def probe(src: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(src)], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the older revision (a commit or tag)")
    parser.add_argument("--rounds", type=int, default=5, help="processes per version")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        old_src = export(args.base, Path(folder))
        new_src = ROOT / "src"
        results: dict[str, list[dict[str, float]]] = {"new": [], "old": []}
        for _ in range(args.rounds):
            results["new"].append(probe(new_src))
            results["old"].append(probe(old_src))
    print(f"| case | this tree ms | {args.base} ms | ratio new/old |")
    print("|---|---|---|---|")
    for case, label in (("1000", "1,000-line file (cgi.py)"), ("20000", "20,000 lines")):
        new = statistics.median(r[case] for r in results["new"])
        old = statistics.median(r[case] for r in results["old"])
        print(f"| {label} | {new:.1f} | {old:.1f} | {new / old:.2f} |")
    print(f"\n{args.rounds} fresh processes per version, taken in turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
