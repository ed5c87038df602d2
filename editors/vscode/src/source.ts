/** Where answers come from: the `iris lsp` language server, or a server's HTTP API. */

import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { postAnalyze } from "./http";

export const ANALYZE_REQUEST = "iris/analyze";
export const REANALYZE_COMMAND = "iris.reanalyze";

export interface Source {
  /** One line for the status tooltip: how this source reaches IRIS. */
  readonly describe: string;
  /** The API body for the document's current text (an answer already computed, if any). */
  analyze(document: vscode.TextDocument): Promise<unknown>;
  /** Analyse again now, even when this text already has an answer. */
  reanalyze(document: vscode.TextDocument): Promise<unknown>;
  dispose(): Promise<void>;
}

const failure = (error: unknown): unknown => ({
  success: false,
  error: error instanceof Error ? error.message : String(error),
  code: "lsp_error",
});

/** `iris lsp` over stdio: the same answers its outline, hovers and lenses are built from. */
export class LspSource implements Source {
  constructor(
    private readonly client: LanguageClient,
    readonly describe: string,
  ) {}

  async analyze(document: vscode.TextDocument): Promise<unknown> {
    const params = { textDocument: { uri: document.uri.toString() } };
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.client.sendRequest(ANALYZE_REQUEST, params);
      } catch (error) {
        // A request can overtake the client's didOpen for a document that just opened.
        const notOpen = error instanceof Error && error.message.includes("is not open");
        if (!notOpen || attempt >= 2) {
          return failure(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  async reanalyze(document: vscode.TextDocument): Promise<unknown> {
    const params = { command: REANALYZE_COMMAND, arguments: [document.uri.toString()] };
    try {
      return await this.client.sendRequest("workspace/executeCommand", params);
    } catch (error) {
      return failure(error);
    }
  }

  async dispose(): Promise<void> {
    await this.client.stop().catch(() => undefined);
  }
}

/** Posts each document to ``url``'s `/api/iris/analyze` (no `iris` installed here). */
export class HttpSource implements Source {
  constructor(
    private readonly url: string,
    private readonly apiKey: string | undefined,
    readonly describe: string,
  ) {}

  analyze(document: vscode.TextDocument): Promise<unknown> {
    const filename = path.basename(document.uri.path) || "untitled";
    return postAnalyze(this.url, this.apiKey, { filename, language: document.languageId, source: document.getText() });
  }

  reanalyze(document: vscode.TextDocument): Promise<unknown> {
    return this.analyze(document); // the server's cache answers unchanged text; degraded is never cached
  }

  async dispose(): Promise<void> {}
}
