"""What an LLM call costs: token usage and a per-model price table.

Prices are USD per million tokens as ``(input, cached input, output)``. The built-in
table covers common OpenAI models; ``IRIS_LLM_PRICES`` (JSON ``{"model": [in, cached,
out]}``) adds or overrides entries. A dated model name (``gpt-4.1-mini-2025-04-14``)
uses the longest matching prefix. Unknown models (a local vLLM, Ollama…) cost None.
"""

from __future__ import annotations

import json

import msgspec

from ..errors import ConfigError

Price = tuple[float, float, float]

BUILTIN_PRICES: dict[str, Price] = {
    "gpt-4.1": (2.00, 0.50, 8.00),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gpt-4.1-nano": (0.10, 0.025, 0.40),
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
    "gpt-5": (1.25, 0.125, 10.00),
    "gpt-5-mini": (0.25, 0.025, 2.00),
    "gpt-5-nano": (0.05, 0.005, 0.40),
    "o4-mini": (1.10, 0.275, 4.40),
}


class Usage(msgspec.Struct, frozen=True):
    """Tokens one or more calls used; ``cached_input_tokens`` is part of ``input_tokens``."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
        )


def parse_prices(raw: str | None) -> dict[str, Price]:
    """The built-in table with the ``IRIS_LLM_PRICES`` JSON applied over it."""
    table = dict(BUILTIN_PRICES)
    if not raw:
        return table
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        for model, price in data.items():
            values = [float(v) for v in price]
            if len(values) != 3:
                raise ValueError(f"{model}: expected [input, cached_input, output]")
            table[str(model)] = (values[0], values[1], values[2])
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"IRIS_LLM_PRICES is invalid: {exc}") from None
    return table


def price_for(model: str, table: dict[str, Price]) -> Price | None:
    """The exact entry for ``model``, else its longest matching prefix, else None."""
    if model in table:
        return table[model]
    matches = [name for name in table if model.startswith(name + "-")]
    return table[max(matches, key=len)] if matches else None


def cost_usd(usage: Usage, price: Price | None) -> float | None:
    """Estimated USD cost of ``usage`` at ``price``; None when the price is unknown."""
    if price is None:
        return None
    fresh = max(0, usage.input_tokens - usage.cached_input_tokens)
    total = fresh * price[0] + usage.cached_input_tokens * price[1] + usage.output_tokens * price[2]
    return round(total / 1_000_000, 8)
