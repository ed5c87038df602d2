/** How the extension reaches IRIS: which `iris lsp` to start, or which server to post to. */

import * as fs from "node:fs";
import * as path from "node:path";

export interface Settings {
  serverPath: string;
  serverUrl: string;
}

export type Launch =
  /** Start `iris lsp` (with ``--url`` when a server is set, the key in IRIS_API_KEY). */
  | { mode: "lsp"; command: string; args: string[]; env: Record<string, string> }
  /** No `iris` here, but a server is set: post each document to its HTTP API. */
  | { mode: "http"; url: string; apiKey?: string; reason: string }
  | { mode: "none"; reason: string };

export type IsExecutable = (file: string) => boolean;

export const isExecutable: IsExecutable = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The first ``name`` on ``searchPath`` (PATH's syntax) that can run, as `which` finds it. */
export function which(
  name: string,
  searchPath: string | undefined,
  check: IsExecutable = isExecutable,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const suffixes = platform === "win32" ? ["", ".exe", ".cmd", ".bat"] : [""];
  const separator = platform === "win32" ? ";" : ":";
  for (const folder of (searchPath ?? "").split(separator).filter(Boolean)) {
    for (const suffix of suffixes) {
      const candidate = path.join(folder, name + suffix);
      if (check(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** A server address the extension accepts: http(s), without its trailing slash. */
export function normaliseUrl(url: string): string | undefined {
  const trimmed = url.trim().replace(/\/+$/, "");
  try {
    const parsed = new URL(trimmed);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? trimmed : undefined;
  } catch {
    return undefined;
  }
}

/** Decide how to reach IRIS from the settings, PATH and the stored key. */
export function resolveLaunch(
  settings: Settings,
  apiKey: string | undefined,
  searchPath: string | undefined,
  check: IsExecutable = isExecutable,
): Launch {
  const url = settings.serverUrl.trim() ? normaliseUrl(settings.serverUrl) : undefined;
  if (settings.serverUrl.trim() && url === undefined) {
    return { mode: "none", reason: `iris.serverUrl must be an http:// or https:// address, not "${settings.serverUrl}".` };
  }
  const configured = settings.serverPath.trim();
  const command = configured ? (check(configured) ? configured : undefined) : which("iris", searchPath, check);
  if (command === undefined) {
    const missing = configured
      ? `iris.serverPath "${configured}" is not an executable file`
      : "no `iris` on PATH";
    if (url !== undefined) {
      return { mode: "http", url, apiKey, reason: `${missing}: posting to ${url} directly (no outline, hovers or folds).` };
    }
    return { mode: "none", reason: `${missing}. Install IRIS (pip install 'iris-codes[lsp]') or set iris.serverPath or iris.serverUrl.` };
  }
  // A local `iris lsp` reads IRIS_API_KEY as the key it accepts; only --url sends it.
  const env: Record<string, string> = {};
  if (url !== undefined && apiKey) {
    env.IRIS_API_KEY = apiKey;
  }
  return { mode: "lsp", command, args: url ? ["lsp", "--url", url] : ["lsp"], env };
}
