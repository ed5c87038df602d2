/**
 * IRIS's answer as the extension reads it, and the pure logic on it: block stops, the block
 * under a line, focus ranges, panel nodes, the status line. Nothing here imports vscode.
 */

import { PALETTE_SIZE } from "./palette";

/** 1-based, inclusive lines, as IRIS gives them. */
export type LineRange = readonly [number, number];

export interface Block {
  label: string;
  description: string;
  ranges: LineRange[];
  /** Sub-blocks of a big block, inside its ranges (empty for most). */
  children: Block[];
}

export interface Analysis {
  intent: string;
  blocks: Block[];
  metadata: Record<string, unknown>;
}

export interface Failure {
  error: string;
  code: string;
}

export type Answer = { ok: true; analysis: Analysis } | { ok: false; failure: Failure };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function readRange(value: unknown): LineRange | undefined {
  if (!Array.isArray(value) || value.length !== 2) {
    return undefined;
  }
  const [start, end] = value;
  const valid = Number.isInteger(start) && Number.isInteger(end) && 1 <= start && start <= end;
  return valid ? [start as number, end as number] : undefined;
}

function readBlock(value: unknown): Block | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const ranges = (Array.isArray(value.ranges) ? value.ranges : [])
    .map(readRange)
    .filter((range): range is LineRange => range !== undefined);
  if (ranges.length === 0) {
    return undefined;
  }
  return {
    label: String(value.label ?? ""),
    description: String(value.description ?? ""),
    ranges,
    children: readBlocks(value.children),
  };
}

function readBlocks(value: unknown): Block[] {
  return (Array.isArray(value) ? value : [])
    .map(readBlock)
    .filter((block): block is Block => block !== undefined);
}

/** The API's JSON body (success or error), checked field by field. */
export function readAnswer(body: unknown): Answer {
  if (!isRecord(body)) {
    return { ok: false, failure: { error: "The answer was not a JSON object.", code: "bad_answer" } };
  }
  if (body.success !== true) {
    const error = typeof body.error === "string" ? body.error : "IRIS gave no table of contents.";
    const code = typeof body.code === "string" ? body.code : "unknown_error";
    return { ok: false, failure: { error, code } };
  }
  return {
    ok: true,
    analysis: {
      intent: String(body.file_intent ?? ""),
      blocks: readBlocks(body.responsibility_blocks),
      metadata: isRecord(body.metadata) ? body.metadata : {},
    },
  };
}

/** ``range`` cut to a document of ``lineCount`` lines (undefined when nothing is left). */
export function clampRange([start, end]: LineRange, lineCount: number): LineRange | undefined {
  return start > lineCount ? undefined : [start, Math.min(end, lineCount)];
}

/** Every block and sub-block, depth first, each with its path of indexes. */
export function walk(blocks: Block[], prefix: number[] = []): { block: Block; path: number[] }[] {
  return blocks.flatMap((block, index) => {
    const path = [...prefix, index];
    return [{ block, path }, ...walk(block.children, path)];
  });
}

/** The lines next/previous block stop at: each block's and sub-block's first line, sorted. */
export function blockStops(blocks: Block[]): number[] {
  const starts = walk(blocks).map(({ block }) => block.ranges[0][0]);
  return [...new Set(starts)].sort((a, b) => a - b);
}

/** The stop after (or before) ``line``, wrapping round at the ends; undefined with no stops. */
export function nextStop(stops: number[], line: number, direction: 1 | -1): number | undefined {
  if (stops.length === 0) {
    return undefined;
  }
  if (direction === 1) {
    return stops.find((stop) => stop > line) ?? stops[0];
  }
  return [...stops].reverse().find((stop) => stop < line) ?? stops[stops.length - 1];
}

const contains = (block: Block, line: number): boolean =>
  block.ranges.some(([start, end]) => start <= line && line <= end);

/** The path of the innermost block holding ``line`` (empty when the line is in none). */
export function blockPathAt(blocks: Block[], line: number): number[] {
  const index = blocks.findIndex((block) => contains(block, line));
  if (index < 0) {
    return [];
  }
  return [index, ...blockPathAt(blocks[index].children, line)];
}

/** The block at ``path`` (undefined when the path leads nowhere). */
export function blockAtPath(blocks: Block[], path: number[]): Block | undefined {
  let level = blocks;
  let block: Block | undefined;
  for (const index of path) {
    block = level[index];
    if (block === undefined) {
      return undefined;
    }
    level = block.children;
  }
  return block;
}

/** The lines of a ``lineCount``-line document outside ``ranges`` (what focus mode dims). */
export function outside(ranges: readonly LineRange[], lineCount: number): LineRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const gaps: LineRange[] = [];
  let next = 1;
  for (const [start, end] of sorted) {
    if (start > next) {
      gaps.push([next, Math.min(start - 1, lineCount)]);
    }
    next = Math.max(next, end + 1);
  }
  if (next <= lineCount) {
    gaps.push([next, lineCount]);
  }
  return gaps.filter(([start, end]) => start <= end);
}

/** ``12–40, 88–95``: a block's lines as the LSP hover and the web page write them. */
export function formatRanges(ranges: readonly LineRange[]): string {
  return ranges.map(([start, end]) => (start === end ? `${start}` : `${start}–${end}`)).join(", ");
}

export interface Status {
  /** ``structural · cache hit · 12 ms`` */
  text: string;
  /** The reason when the LLM failed and the structural engine answered. */
  degraded?: string;
}

/** The answer's status: engine (and model), cache hit or fresh analysis, latency, degraded. */
export function statusOf(metadata: Record<string, unknown>): Status {
  const parts: string[] = [];
  if (typeof metadata.engine === "string") {
    parts.push(typeof metadata.model === "string" ? `${metadata.engine} (${metadata.model})` : metadata.engine);
  }
  if (metadata.cache_hit !== undefined) {
    parts.push(Number(metadata.cache_hit) === 1 ? "cache hit" : "fresh analysis");
  }
  if (typeof metadata.latency_ms === "number") {
    parts.push(`${Math.round(metadata.latency_ms)} ms`);
  }
  const degraded = metadata.degraded;
  if (degraded !== undefined && degraded !== null && degraded !== false && degraded !== "") {
    parts.push("degraded");
    return { text: parts.join(" · "), degraded: String(degraded) };
  }
  return { text: parts.join(" · ") };
}

export interface PanelNode {
  kind: "intent" | "block";
  label: string;
  description: string;
  tooltip: string;
  /** Index into the palette (blocks only); a sub-block takes its top-level block's colour. */
  colour?: number;
  /** The block's path of indexes (blocks only). */
  path: number[];
  /** The line a click reveals first. */
  line: number;
  children: PanelNode[];
}

function blockNode(block: Block, path: number[]): PanelNode {
  const lines = formatRanges(block.ranges);
  return {
    kind: "block",
    label: block.label,
    description: lines,
    tooltip: block.description ? `${block.description}\n\nLines ${lines}` : `Lines ${lines}`,
    colour: path[0] % PALETTE_SIZE,
    path,
    line: block.ranges[0][0],
    children: block.children.map((child, index) => blockNode(child, [...path, index])),
  };
}

/** The panel's tree: the file intent (with the answer's status), then the blocks and theirs. */
export function panelNodes(analysis: Analysis): PanelNode[] {
  const status = statusOf(analysis.metadata);
  const intent: PanelNode = {
    kind: "intent",
    label: analysis.intent,
    description: status.text,
    tooltip: status.degraded ? `${status.text}: ${status.degraded}` : status.text,
    path: [],
    line: 1,
    children: [],
  };
  return [intent, ...analysis.blocks.map((block, index) => blockNode(block, [index]))];
}

/** The range of ``block`` a click reveals after ``current`` (the first, then each in turn). */
export function nextRangeIndex(block: Block, current: number | undefined): number {
  return current === undefined ? 0 : (current + 1) % block.ranges.length;
}
