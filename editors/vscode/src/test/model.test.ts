import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Analysis, blockAtPath, blockPathAt, blockStops, clampRange, formatRanges, nextRangeIndex,
  nextStop, outside, panelNodes, readAnswer, statusOf,
} from "../model";

// A big file's answer: block 2 carries sub-blocks (the engine's optional `children`).
const NESTED = {
  success: true,
  file_intent: "Order lifecycle state machine",
  responsibility_blocks: [
    { label: "Order states", description: "The states an order moves through.", ranges: [[1, 30]] },
    {
      label: "State transition rules",
      description: "Which event moves an order where.",
      ranges: [[40, 200], [260, 270]],
      children: [
        { label: "Payment events", description: "Paid, refunded.", ranges: [[40, 120]] },
        {
          label: "Shipping events", description: "Shipped, delivered.", ranges: [[121, 200]],
          children: [{ label: "Returns", description: "", ranges: [[180, 200]] }],
        },
      ],
    },
    { label: "Audit trail", description: "", ranges: [[210, 250]] },
  ],
  metadata: { engine: "structural", cache_hit: 1, latency_ms: 3.6, request: "echoed" },
};

function nested(): Analysis {
  const answer = readAnswer(NESTED);
  assert.ok(answer.ok);
  return answer.analysis;
}

test("reads nested blocks with their children, in order", () => {
  const analysis = nested();
  assert.equal(analysis.intent, "Order lifecycle state machine");
  assert.deepEqual(analysis.blocks.map((block) => block.label), ["Order states", "State transition rules", "Audit trail"]);
  const rules = analysis.blocks[1];
  assert.deepEqual(rules.ranges, [[40, 200], [260, 270]]);
  assert.deepEqual(rules.children.map((child) => child.label), ["Payment events", "Shipping events"]);
  assert.deepEqual(rules.children[1].children.map((child) => child.label), ["Returns"]);
  assert.deepEqual(analysis.blocks[0].children, []);
});

test("reads a flat answer, as the engine gives today", () => {
  const answer = readAnswer({
    success: true, file_intent: "x", metadata: {},
    responsibility_blocks: [{ label: "A", description: "d", ranges: [[1, 2]] }],
  });
  assert.ok(answer.ok);
  assert.deepEqual(answer.analysis.blocks, [{ label: "A", description: "d", ranges: [[1, 2]], children: [] }]);
});

test("drops malformed ranges and blocks left without any", () => {
  const answer = readAnswer({
    success: true, file_intent: "x", metadata: {},
    responsibility_blocks: [
      { label: "kept", ranges: [[3, 1], [0, 2], [2, 4], "x", [1.5, 2]] },
      { label: "dropped", ranges: [[5, 4]] },
      "not a block",
    ],
  });
  assert.ok(answer.ok);
  assert.deepEqual(answer.analysis.blocks.map((block) => [block.label, block.ranges]), [["kept", [[2, 4]]]]);
});

test("reads an error body as its sentence and code", () => {
  const answer = readAnswer({ success: false, error: "The language 'cobol' is not supported.", code: "unsupported_language" });
  assert.deepEqual(answer, { ok: false, failure: { error: "The language 'cobol' is not supported.", code: "unsupported_language" } });
  const odd = readAnswer("<html>502</html>");
  assert.equal(odd.ok, false);
});

test("stops at every block's and sub-block's first line, in file order", () => {
  assert.deepEqual(blockStops(nested().blocks), [1, 40, 121, 180, 210]);
});

test("next and previous block wrap round at the ends", () => {
  const stops = [1, 38, 48, 64, 74];
  const forward: number[] = [];
  let line = 1;
  for (let step = 0; step < 5; step += 1) {
    line = nextStop(stops, line, 1) ?? -1;
    forward.push(line);
  }
  assert.deepEqual(forward, [38, 48, 64, 74, 1]);
  const backward: number[] = [];
  for (let step = 0; step < 5; step += 1) {
    line = nextStop(stops, line, -1) ?? -1;
    backward.push(line);
  }
  assert.deepEqual(backward, [74, 64, 48, 38, 1]);
  assert.equal(nextStop(stops, 50, -1), 48); // from inside a block: its own first line
  assert.equal(nextStop([], 3, 1), undefined);
});

test("finds the innermost block under a line, and none between blocks", () => {
  const blocks = nested().blocks;
  assert.deepEqual(blockPathAt(blocks, 10), [0]);
  assert.deepEqual(blockPathAt(blocks, 100), [1, 0]);
  assert.deepEqual(blockPathAt(blocks, 190), [1, 1, 0]);
  assert.deepEqual(blockPathAt(blocks, 265), [1]);
  assert.deepEqual(blockPathAt(blocks, 35), []);
  assert.equal(blockAtPath(blocks, [1, 1, 0])?.label, "Returns");
  assert.equal(blockAtPath(blocks, [1, 5]), undefined);
});

test("focus mode dims exactly the lines outside the block", () => {
  assert.deepEqual(outside([[40, 200], [260, 270]], 300), [[1, 39], [201, 259], [271, 300]]);
  assert.deepEqual(outside([[1, 30]], 30), []);
  assert.deepEqual(outside([[5, 9]], 7), [[1, 4]]);
});

test("clamps a range to the document's lines", () => {
  assert.deepEqual(clampRange([10, 40], 20), [10, 20]);
  assert.equal(clampRange([30, 40], 20), undefined);
});

test("writes ranges as the hover does", () => {
  assert.equal(formatRanges([[12, 40], [88, 88]]), "12–40, 88");
});

test("the status names the engine, the cache and a degraded answer", () => {
  assert.deepEqual(statusOf({ engine: "structural", cache_hit: 1, latency_ms: 3.6 }), { text: "structural · cache hit · 4 ms" });
  assert.deepEqual(statusOf({ engine: "llm", model: "gpt-x", cache_hit: 0, latency_ms: 1200 }), { text: "llm (gpt-x) · fresh analysis · 1200 ms" });
  assert.deepEqual(statusOf({ engine: "structural", cache_hit: 0, latency_ms: 9, degraded: "llm_timeout" }), {
    text: "structural · fresh analysis · 9 ms · degraded",
    degraded: "llm_timeout",
  });
});

test("the panel lists the intent, then the blocks with their sub-blocks", () => {
  const [intent, ...blocks] = panelNodes(nested());
  assert.equal(intent.kind, "intent");
  assert.equal(intent.label, "Order lifecycle state machine");
  assert.equal(intent.description, "structural · cache hit · 4 ms");
  assert.deepEqual(blocks.map((node) => [node.label, node.description, node.colour, node.line]), [
    ["Order states", "1–30", 0, 1],
    ["State transition rules", "40–200, 260–270", 1, 40],
    ["Audit trail", "210–250", 2, 210],
  ]);
  const rules = blocks[1];
  assert.deepEqual(rules.children.map((node) => [node.label, node.path, node.colour]), [
    ["Payment events", [1, 0], 1],
    ["Shipping events", [1, 1], 1],
  ]);
  assert.deepEqual(rules.children[1].children.map((node) => [node.label, node.path, node.line]), [["Returns", [1, 1, 0], 180]]);
  assert.match(rules.tooltip, /Which event moves an order where\.\n\nLines 40–200, 260–270/);
});

test("the thirteenth block takes the first block's colour", () => {
  const many = {
    success: true, file_intent: "x", metadata: {},
    responsibility_blocks: Array.from({ length: 13 }, (_, i) => ({ label: `B${i}`, description: "", ranges: [[i * 2 + 1, i * 2 + 1]] })),
  };
  const answer = readAnswer(many);
  assert.ok(answer.ok);
  assert.deepEqual(panelNodes(answer.analysis).slice(1).map((node) => node.colour), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]);
});

test("clicking a block again steps through its ranges, wrapping round", () => {
  const block = nested().blocks[1];
  assert.equal(nextRangeIndex(block, undefined), 0);
  assert.equal(nextRangeIndex(block, 0), 1);
  assert.equal(nextRangeIndex(block, 1), 0);
});
