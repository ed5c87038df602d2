// Shopping cart state: actions, reducer and selectors.

export type ProductId = string;

export interface CartLine {
  productId: ProductId;
  unitPriceCents: number;
  quantity: number;
}

export interface CartState {
  lines: CartLine[];
  couponCode: string | null;
}

export type CartAction =
  | { type: "add"; line: CartLine }
  | { type: "remove"; productId: ProductId }
  | { type: "setQuantity"; productId: ProductId; quantity: number }
  | { type: "applyCoupon"; code: string };

export const initialCart: CartState = { lines: [], couponCode: null };

const COUPONS: Record<string, number> = { WELCOME10: 0.1, VIP25: 0.25 };

export function cartReducer(state: CartState, action: CartAction): CartState {
  switch (action.type) {
    case "add": {
      const existing = state.lines.find((l) => l.productId === action.line.productId);
      if (existing) {
        return cartReducer(state, {
          type: "setQuantity",
          productId: existing.productId,
          quantity: existing.quantity + action.line.quantity,
        });
      }
      return { ...state, lines: [...state.lines, action.line] };
    }
    case "remove":
      return { ...state, lines: state.lines.filter((l) => l.productId !== action.productId) };
    case "setQuantity":
      return {
        ...state,
        lines: state.lines.map((l) =>
          l.productId === action.productId ? { ...l, quantity: Math.max(1, action.quantity) } : l,
        ),
      };
    case "applyCoupon":
      return COUPONS[action.code] ? { ...state, couponCode: action.code } : state;
  }
}

export function subtotalCents(state: CartState): number {
  return state.lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
}

export function discountCents(state: CartState): number {
  const rate = state.couponCode ? COUPONS[state.couponCode] ?? 0 : 0;
  return Math.round(subtotalCents(state) * rate);
}

export function totalCents(state: CartState): number {
  return subtotalCents(state) - discountCents(state);
}
