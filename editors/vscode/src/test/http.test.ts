import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { postAnalyze } from "../http";

// A real HTTP server on loopback standing in for `iris serve`: it records what it was sent.
let server: http.Server;
let url = "";
const received: { headers: http.IncomingHttpHeaders; body: unknown }[] = [];

before(async () => {
  server = http.createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      const body = JSON.parse(text);
      received.push({ headers: request.headers, body });
      if (request.url !== "/api/iris/analyze") {
        response.writeHead(404).end("not found");
      } else if (body.filename === "proxy.py") {
        response.writeHead(502, { "Content-Type": "text/html" }).end("<h1>Bad gateway</h1>");
      } else if (request.headers["x-api-key"] !== "k-1") {
        response.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ success: false, error: "A valid API key is required.", code: "unauthorized" }));
      } else {
        response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({
          success: true, file_intent: "Echo", responsibility_blocks: [{ label: "All", description: "", ranges: [[1, 1]] }],
          metadata: { engine: "structural", cache_hit: 0, latency_ms: 1 },
        }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("posts the document as the API's body, with the key as X-API-Key", async () => {
  const body = (await postAnalyze(url, "k-1", { filename: "a.py", language: "python", source: "x = 1\n" })) as { success: boolean };
  assert.equal(body.success, true);
  const last = received[received.length - 1];
  assert.equal(last.headers["x-api-key"], "k-1");
  assert.equal(last.headers["content-type"], "application/json");
  assert.deepEqual(last.body, { filename: "a.py", language: "python", source_code: "x = 1\n", metadata: { client: "iris-vscode" } });
});

test("passes the server's error body on as it is", async () => {
  const body = await postAnalyze(url, "wrong", { filename: "a.py", language: "python", source: "" });
  assert.deepEqual(body, { success: false, error: "A valid API key is required.", code: "unauthorized" });
});

test("a reply without IRIS's JSON becomes one sentence", async () => {
  const body = (await postAnalyze(url, "k-1", { filename: "proxy.py", language: "python", source: "" })) as Record<string, string>;
  assert.equal(body.code, "bad_answer");
  assert.match(body.error, /answered HTTP 502 without IRIS's JSON/);
});

test("an unreachable server becomes one sentence", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const body = (await postAnalyze(`http://127.0.0.1:${port}`, undefined, { filename: "a.py", language: "python", source: "" })) as Record<string, string>;
  assert.equal(body.code, "unreachable");
  assert.match(body.error, /^Could not reach the IRIS server at http:\/\/127\.0\.0\.1:\d+/);
});
