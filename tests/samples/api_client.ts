import { z } from "zod";

export const DEFAULT_TIMEOUT_MS = 10_000;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
  retries?: number;
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const Invoice = z.object({
  id: z.string(),
  customerId: z.string(),
  totalCents: z.number().int(),
  paid: z.boolean(),
});
export type Invoice = z.infer<typeof Invoice>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function backoff(attempt: number): number {
  return Math.min(8_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

export class BillingClient {
  constructor(private readonly options: ClientOptions) {}

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    return headers;
  }

  private async request(path: string, init: RequestInit = {}): Promise<unknown> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      try {
        const response = await fetch(this.options.baseUrl + path, {
          ...init,
          headers: this.headers(),
          signal: controller.signal,
        });
        if (RETRYABLE_STATUS.has(response.status) && attempt < retries) {
          await sleep(backoff(attempt));
          continue;
        }
        if (!response.ok) throw new ApiError(response.status, await response.text());
        return await response.json();
      } finally {
        clearTimeout(timer);
      }
    }
  }

  async getInvoice(id: string): Promise<Invoice> {
    return Invoice.parse(await this.request(`/invoices/${encodeURIComponent(id)}`));
  }

  async listUnpaid(customerId: string): Promise<Invoice[]> {
    const body = await this.request(`/customers/${customerId}/invoices?paid=false`);
    return z.array(Invoice).parse(body);
  }

  async markPaid(id: string): Promise<void> {
    await this.request(`/invoices/${id}/pay`, { method: "POST" });
  }
}
