/** The direct route: post a document to a running IRIS server's HTTP API (no `iris` here). */

const TIMEOUT_MS = 60_000;

export interface Document {
  filename: string;
  language: string;
  source: string;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** The request body `POST /api/iris/analyze` takes for ``document``. */
export function analyzeBody(document: Document): string {
  return JSON.stringify({
    filename: document.filename,
    language: document.language,
    source_code: document.source,
    metadata: { client: "iris-vscode" },
  });
}

/** The server's JSON answer, success or error; one sentence when it gives no IRIS JSON. */
export async function postAnalyze(
  url: string,
  apiKey: string | undefined,
  document: Document,
  fetcher: Fetch = fetch,
): Promise<unknown> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (apiKey) {
    headers["X-API-Key"] = apiKey;
  }
  let response: Response;
  try {
    response = await fetcher(`${url}/api/iris/analyze`, {
      method: "POST",
      headers,
      body: analyzeBody(document),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { success: false, error: `Could not reach the IRIS server at ${url}: ${reason}.`, code: "unreachable" };
  }
  try {
    return await response.json();
  } catch {
    return {
      success: false,
      error: `The server at ${url} answered HTTP ${response.status} without IRIS's JSON (a proxy?).`,
      code: "bad_answer",
    };
  }
}
