"""Monthly cost of running IRIS three ways, at 1k to 1M analyses a month.

    .venv/bin/python bench/cost.py [--hit-rate 0.6] [--engine llm|structural] [--markdown]
                                   [--breakdown 100000]

(a) Lambda + API Gateway HTTP API + DynamoDB on-demand (deploy/aws/template.yaml);
(b) the same with an ElastiCache Redis node instead of DynamoDB (the first deployment);
(c) one small VM running ``iris serve`` behind Nginx (the setup IRIS moved to).
The LLM's token cost is the same whichever option serves it, so it is a column of its own,
from ``iris_codes.engines.pricing``. Everything is list price, no free tier (``--free-tier``
applies the always-free allowances), no tax, one region.

The price table below is the only source of prices; change it when AWS does.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from iris_codes.engines.pricing import BUILTIN_PRICES

# -- Prices -----------------------------------------------------------------------------
PRICES_READ_ON = "2026-12-01"
PRICES_REGION = "us-east-1 list prices (the first deployment ran in us-east-2; not checked there)"
PRICES: dict[str, tuple[float, str]] = {
    # name: (USD, source note)
    "lambda_request": (0.20 / 1e6, "AWS Lambda pricing page as quoted by third-party guides"),
    "lambda_gb_s_x86": (0.0000166667, "same; first 6 billion GB-s a month"),
    "lambda_gb_s_arm": (0.0000133334, "same guides: arm64 is 20% below x86"),
    "http_api_request": (1.00 / 1e6, "AWS whitepaper 'Best Practices for API Gateway Private "
                         "APIs', table 4: HTTP API, first 300 M requests a month"),
    "dynamodb_wru": (0.625 / 1e6, "on-demand write request unit after the Nov 2024 cut "
                     "(third-party guide quoting the DynamoDB pricing page)"),
    "dynamodb_rru": (0.125 / 1e6, "on-demand read request unit, same source"),
    "dynamodb_gb_month": (0.25, "standard table storage: NOT confirmed in the sources read"),
    "elasticache_node_hour": (0.017, "cache.t3.micro on-demand (third-party price list)"),
    "nat_gateway_hour": (0.045, "several third-party NAT gateway pricing guides"),
    "nat_gateway_gb": (0.045, "same: per GB processed, both directions"),
    "public_ipv4_hour": (0.005, "third-party NAT gateway guide (public IPv4 address charge)"),
    "ec2_t4g_small_hour": (0.0168, "t4g.small on-demand Linux: NOT confirmed in the sources "
                           "read; check the EC2 price list"),
    "ebs_gp3_gb_month": (0.08, "gp3 storage: NOT confirmed in the sources read"),
    "cloudwatch_logs_gb": (0.50, "log ingestion, quoted by a third-party API Gateway guide"),
    "data_out_gb": (0.09, "internet egress, first 10 TB (several third-party guides)"),
    "ecr_gb_month": (0.10, "private image storage (third-party ECR pricing guide)"),
}  # fmt: skip
#: Always-free allowances (``--free-tier``): Lambda requests and GB-s, DynamoDB storage,
#: egress, log ingestion. API Gateway's free tier lasts 12 months only and is not applied.
FREE_TIER = {
    "lambda_requests": 1_000_000,
    "lambda_gb_s": 400_000,
    "dynamodb_gb": 25,
    "data_out_gb": 100,
    "logs_gb": 5,
}
HOURS_A_MONTH = 730
SECONDS_A_MONTH = HOURS_A_MONTH * 3600


def price(name: str) -> float:
    return PRICES[name][0]


@dataclass(frozen=True)
class Workload:
    """What one month of traffic looks like; defaults measured or estimated for IRIS."""

    analyses: int
    hit_rate: float = 0.6
    engine: str = "llm"
    model: str = "gpt-4.1-mini"
    #: Tokens of a 300-line file's guided prompt and answer (docs/benchmarks.md: 2070 / 211).
    input_tokens: int = 2100
    output_tokens: int = 250
    #: Seconds of function time: a miss waits on the model (LLM) or parses (structural).
    llm_miss_seconds: float = 2.5
    structural_miss_seconds: float = 0.15
    hit_seconds: float = 0.01
    memory_gb: float = 1.0
    arm: bool = False
    #: Cold starts a month and the billed init of each (Lambda bills the init phase).
    cold_starts: int = 720
    init_seconds: float = 1.0
    item_kb: float = 4.0
    response_kb: float = 3.0
    #: Bytes through a NAT gateway per LLM call (prompt out, answer back, TLS).
    llm_exchange_kb: float = 12.0
    api_keys: int = 5
    authorizer_cache_seconds: int = 300
    image_gb: float = 0.4
    free_tier: bool = False

    @property
    def misses(self) -> float:
        return self.analyses * (1 - self.hit_rate)

    @property
    def hits(self) -> float:
        return self.analyses * self.hit_rate

    @property
    def miss_seconds(self) -> float:
        return self.llm_miss_seconds if self.engine == "llm" else self.structural_miss_seconds


def _free(value: float, allowance: float, workload: Workload) -> float:
    return max(0.0, value - allowance) if workload.free_tier else value


def lambda_lines(w: Workload) -> dict[str, float]:
    """Function, authorizer, API, logs and egress: shared by options (a) and (b)."""
    gb_s_price = price("lambda_gb_s_arm" if w.arm else "lambda_gb_s_x86")
    seconds = w.misses * w.miss_seconds + w.hits * w.hit_seconds + w.cold_starts * w.init_seconds
    authorizer_calls = min(
        w.analyses, w.api_keys * SECONDS_A_MONTH / max(1, w.authorizer_cache_seconds)
    )
    gb_s = seconds * w.memory_gb + authorizer_calls * 0.005 * 0.25
    requests = w.analyses + authorizer_calls
    log_gb = (requests * 0.35 + w.misses * 0.25) / 1e6  # START/END/REPORT, access lines
    out_gb = w.analyses * w.response_kb / 1e6
    return {
        "lambda requests": _free(requests, FREE_TIER["lambda_requests"], w)
        * price("lambda_request"),
        "lambda duration": _free(gb_s, FREE_TIER["lambda_gb_s"], w) * gb_s_price,
        "http api": w.analyses * price("http_api_request"),
        "logs": _free(log_gb, FREE_TIER["logs_gb"], w) * price("cloudwatch_logs_gb"),
        "egress": _free(out_gb, FREE_TIER["data_out_gb"], w) * price("data_out_gb"),
        "image (ecr)": w.image_gb * price("ecr_gb_month"),
    }


def dynamodb_lines(w: Workload) -> dict[str, float]:
    """Every request reads once (the memory tier of a Lambda environment rarely hits) and
    a miss writes the entry; an LLM miss also takes the single-flight lock (re-read under
    it, the lock's put and delete), which a structural miss skips."""
    read_units = math.ceil(w.item_kb / 4) * 0.5  # eventually consistent GetItem
    locked = w.engine == "llm"
    reads = (w.analyses + (w.misses if locked else 0)) * read_units
    writes = w.misses * (math.ceil(w.item_kb) + (2 if locked else 0))
    stored_gb = w.misses * w.item_kb / 1e6  # a month of misses, at a 30-day TTL
    return {
        "dynamodb reads": reads * price("dynamodb_rru"),
        "dynamodb writes": writes * price("dynamodb_wru"),
        "dynamodb storage": _free(stored_gb, FREE_TIER["dynamodb_gb"], w)
        * price("dynamodb_gb_month"),
    }


def elasticache_lines(w: Workload) -> dict[str, float]:
    """One node; a function in the VPC needs a NAT gateway to reach the LLM's API."""
    lines = {"elasticache node": HOURS_A_MONTH * price("elasticache_node_hour")}
    if w.engine == "llm":
        hourly = price("nat_gateway_hour") + price("public_ipv4_hour")
        lines["nat gateway"] = HOURS_A_MONTH * hourly
        lines["nat data"] = w.misses * w.llm_exchange_kb / 1e6 * price("nat_gateway_gb")
    return lines


def vm_lines(w: Workload) -> dict[str, float]:
    """t4g.small (2 vCPU burstable, 2 GB), 20 GB gp3, a public IPv4 address, egress."""
    out_gb = w.analyses * w.response_kb / 1e6
    return {
        "vm (t4g.small)": HOURS_A_MONTH * price("ec2_t4g_small_hour"),
        "disk (20 GB gp3)": 20 * price("ebs_gp3_gb_month"),
        "public ipv4": HOURS_A_MONTH * price("public_ipv4_hour"),
        "egress": _free(out_gb, FREE_TIER["data_out_gb"], w) * price("data_out_gb"),
    }


def llm_tokens(w: Workload) -> float:
    """The model's bill for the misses (hits cost no tokens); 0 for the structural engine."""
    if w.engine != "llm":
        return 0.0
    unit = BUILTIN_PRICES[w.model]
    per_miss = (w.input_tokens * unit[0] + w.output_tokens * unit[2]) / 1e6
    return w.misses * per_miss


def options(w: Workload) -> dict[str, dict[str, float]]:
    shared = lambda_lines(w)
    return {
        "lambda+dynamodb": {**shared, **dynamodb_lines(w)},
        "lambda+elasticache": {**shared, **elasticache_lines(w)},
        "vm": vm_lines(w),
    }


def totals(w: Workload) -> dict[str, float]:
    return {name: sum(lines.values()) for name, lines in options(w).items()}


def crossover(base: Workload, cheaper: str, dearer: str) -> int | None:
    """Analyses a month where ``cheaper`` stops being cheaper than ``dearer`` (bisection)."""
    low, high = 1, 1_000_000_000

    def gap(n: int) -> float:
        t = totals(_with(base, n))
        return t[cheaper] - t[dearer]

    if gap(low) >= 0 or gap(high) < 0:
        return None
    while high - low > max(1, low // 1000):
        mid = (low + high) // 2
        if gap(mid) < 0:
            low = mid
        else:
            high = mid
    return high


def _with(base: Workload, analyses: int) -> Workload:
    from dataclasses import replace

    return replace(base, analyses=analyses)


def render(base: Workload, volumes: list[int], markdown: bool) -> str:
    tokens = f"LLM tokens ({base.model})" if base.engine == "llm" else "LLM tokens"
    head = ["analyses/month", "(a) Lambda+DynamoDB", "(b) Lambda+ElastiCache", "(c) one VM",
            tokens, "cheapest"]  # fmt: skip
    rows = []
    for n in volumes:
        w = _with(base, n)
        t = totals(w)
        cheapest = min(t, key=lambda k: t[k])
        label = {"lambda+dynamodb": "(a)", "lambda+elasticache": "(b)", "vm": "(c)"}[cheapest]
        rows.append([f"{n:,}", *(f"${t[k]:,.2f}" for k in t), f"${llm_tokens(w):,.2f}", label])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=True)]
    return "\n".join(
        "  ".join(str(c).rjust(wd) for c, wd in zip(row, widths, strict=True))
        for row in [head, *rows]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hit-rate", type=float, default=0.6, help="share answered from cache")
    parser.add_argument("--engine", choices=["llm", "structural"], default="llm")
    parser.add_argument("--model", default="gpt-4.1-mini", choices=sorted(BUILTIN_PRICES))
    parser.add_argument("--arm", action="store_true", help="arm64 Lambda (20%% cheaper GB-s)")
    parser.add_argument("--free-tier", action="store_true", help="apply always-free allowances")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--breakdown", type=int, metavar="N", help="line items at N a month")
    args = parser.parse_args()
    base = Workload(
        analyses=0,
        hit_rate=args.hit_rate,
        engine=args.engine,
        model=args.model,
        arm=args.arm,
        free_tier=args.free_tier,
    )
    volumes = [1_000, 10_000, 100_000, 1_000_000]
    print(
        f"Monthly USD, {PRICES_REGION}; prices read {PRICES_READ_ON}; engine {base.engine}, "
        f"hit rate {base.hit_rate:.0%}, {'free tier applied' if base.free_tier else 'list prices'}"
    )
    print()
    print(render(base, volumes, args.markdown))
    print()
    for cheaper, dearer in (("lambda+dynamodb", "vm"), ("lambda+dynamodb", "lambda+elasticache")):
        point = crossover(base, cheaper, dearer)
        where = f"{point:,} analyses a month" if point else "no volume up to 1e9"
        print(f"{cheaper} costs more than {dearer} from: {where}")
    if args.breakdown:
        w = _with(base, args.breakdown)
        print()
        print(f"Line items at {args.breakdown:,} analyses a month:")
        for name, lines in options(w).items():
            items = ", ".join(f"{k} ${v:,.2f}" for k, v in lines.items())
            print(f"  {name}: {items}")
        print(f"  llm tokens: ${llm_tokens(w):,.2f}")
    print()
    print("Price table (bench/cost.py PRICES):")
    for name, (value, source) in PRICES.items():
        shown = f"{value:.10f}".rstrip("0").rstrip(".")
        print(f"  {name:<22} ${shown:<13} {source}")


if __name__ == "__main__":
    main()
