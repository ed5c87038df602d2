"""Inventory domain types: products, stock levels and reservations."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class Unit(enum.Enum):
    PIECE = "piece"
    KILOGRAM = "kg"
    LITRE = "l"


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    unit: Unit
    price: Decimal


@dataclass
class StockLevel:
    product: Product
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass
class Reservation:
    order_id: str
    lines: dict[str, int] = field(default_factory=dict)


class OutOfStock(Exception):
    def __init__(self, sku: str, wanted: int, available: int) -> None:
        super().__init__(f"{sku}: wanted {wanted}, only {available} available")
        self.sku = sku


def reserve(levels: dict[str, StockLevel], reservation: Reservation) -> None:
    """Reserve every line of ``reservation`` or none of them."""
    for sku, quantity in reservation.lines.items():
        level = levels[sku]
        if level.available < quantity:
            raise OutOfStock(sku, quantity, level.available)
    for sku, quantity in reservation.lines.items():
        levels[sku].reserved += quantity


def release(levels: dict[str, StockLevel], reservation: Reservation) -> None:
    for sku, quantity in reservation.lines.items():
        levels[sku].reserved = max(0, levels[sku].reserved - quantity)


def stock_value(levels: dict[str, StockLevel]) -> Decimal:
    return sum((lvl.product.price * lvl.on_hand for lvl in levels.values()), Decimal(0))
