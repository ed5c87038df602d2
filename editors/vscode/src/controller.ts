/**
 * Keeps each open document's answer current (on open, on save, on a pause in typing) and shows
 * the active editor's: panel, tints, focus mode, status; steps and reveals blocks.
 */

import * as path from "node:path";
import * as vscode from "vscode";
import { Decorations } from "./decorations";
import { isIrisLanguage } from "./languages";
import {
  type Analysis,
  type Answer,
  type LineRange,
  blockAtPath,
  blockPathAt,
  blockStops,
  nextRangeIndex,
  nextStop,
  outside,
  panelNodes,
  readAnswer,
  statusOf,
} from "./model";
import { Panel } from "./panel";
import type { Source } from "./source";

interface Options {
  autoAnalyze: boolean;
  pauseDelay: number;
  decorations: boolean;
  focusOpacity: number;
}

export function readOptions(): Options {
  const config = vscode.workspace.getConfiguration("iris");
  return {
    autoAnalyze: config.get<boolean>("autoAnalyze", true),
    pauseDelay: Math.max(0, config.get<number>("pauseDelay", 800)),
    decorations: config.get<boolean>("decorations", true),
    focusOpacity: Math.min(1, Math.max(0, config.get<number>("focusOpacity", 0.35))),
  };
}

interface Known {
  version: number;
  answer: Answer;
}

export class Controller implements vscode.Disposable {
  private source: Source | undefined;
  private unavailable = "Starting…";
  private readonly answers = new Map<string, Known>();
  private readonly pending = new Map<string, number>(); // uri → requests in flight
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private focus = false;
  private revealed: { uri: string; path: string; range: number; line: number } | undefined;
  private options = readOptions();
  private readonly decorations = new Decorations(this.options.focusOpacity);
  private readonly panel = new Panel();
  private readonly status = vscode.window.createStatusBarItem("iris.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.status.name = "IRIS";
    this.status.command = "workbench.view.extension.iris";
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidSaveTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) {
          this.schedule(event.document, this.options.pauseDelay);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri.toString())),
      vscode.window.onDidChangeActiveTextEditor(() => this.showActive(true)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.renderVisible()),
      vscode.window.onDidChangeTextEditorSelection((event) => this.onSelection(event.textEditor)),
      this.panel.view.onDidChangeVisibility(() => this.showActive(false)),
    );
  }

  /** Analyse through ``source`` from now on (undefined: IRIS is unavailable, for ``reason``). */
  setSource(source: Source | undefined, reason = ""): void {
    this.source = source;
    this.unavailable = reason;
    this.answers.clear();
    if (source !== undefined) {
      vscode.workspace.textDocuments.forEach((document) => this.schedule(document, 0));
    }
    this.showActive(true);
  }

  optionsChanged(): void {
    const before = this.options;
    this.options = readOptions();
    if (before.focusOpacity !== this.options.focusOpacity) {
      this.decorations.setFocusOpacity(this.options.focusOpacity);
    }
    this.renderVisible();
  }

  // Analyses.

  private wanted(document: vscode.TextDocument): boolean {
    return isIrisLanguage(document.languageId) && (document.uri.scheme === "file" || document.uri.scheme === "untitled");
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!this.options.autoAnalyze || !this.wanted(document)) {
      return;
    }
    const uri = document.uri.toString();
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => void this.analyze(document, false), delay));
  }

  /** Ask the source for ``document``'s answer and show it; ``again`` skips the server's cache of it. */
  async analyze(document: vscode.TextDocument, again: boolean): Promise<Answer | undefined> {
    const uri = document.uri.toString();
    this.timers.delete(uri);
    const source = this.source;
    if (source === undefined || !this.wanted(document)) {
      return undefined;
    }
    const version = document.version;
    this.pending.set(uri, (this.pending.get(uri) ?? 0) + 1);
    this.showIfActive(document);
    let answer: Answer;
    try {
      answer = readAnswer(await (again ? source.reanalyze(document) : source.analyze(document)));
    } finally {
      this.pending.set(uri, (this.pending.get(uri) ?? 1) - 1);
    }
    if (source !== this.source || document.isClosed) {
      return undefined;
    }
    const known = this.answers.get(uri);
    if (known === undefined || known.version <= version || again) {
      this.answers.set(uri, { version, answer });
    }
    this.renderVisible();
    this.showIfActive(document);
    return answer;
  }

  private forget(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.answers.delete(uri);
  }

  private analysisOf(editor: vscode.TextEditor | undefined): Analysis | undefined {
    const known = editor ? this.answers.get(editor.document.uri.toString()) : undefined;
    return known?.answer.ok ? known.answer.analysis : undefined;
  }

  // What the active editor shows.

  private renderVisible(): void {
    vscode.window.visibleTextEditors.forEach((editor) => this.render(editor));
  }

  private render(editor: vscode.TextEditor): void {
    const analysis = this.analysisOf(editor);
    this.decorations.apply(editor, analysis, this.options.decorations, this.dimmed(editor, analysis));
  }

  /** The lines focus mode dims: all but the ranges of the block under the cursor. */
  private dimmed(editor: vscode.TextEditor, analysis: Analysis | undefined): LineRange[] {
    if (!this.focus || analysis === undefined || editor !== vscode.window.activeTextEditor) {
      return [];
    }
    const top = blockPathAt(analysis.blocks, editor.selection.active.line + 1)[0];
    return top === undefined ? [] : outside(analysis.blocks[top].ranges, editor.document.lineCount);
  }

  private showIfActive(document: vscode.TextDocument): void {
    if (vscode.window.activeTextEditor?.document === document) {
      this.showActive(false);
    }
  }

  private showActive(editorChanged: boolean): void {
    const editor = vscode.window.activeTextEditor;
    if (editorChanged && editor && this.wanted(editor.document) && !this.answers.has(editor.document.uri.toString())) {
      this.schedule(editor.document, 0);
    }
    const analysis = this.analysisOf(editor);
    void vscode.commands.executeCommand("setContext", "iris.hasBlocks", (analysis?.blocks.length ?? 0) > 0);
    this.showPanel(editor);
    this.showStatus(editor);
    if (editor) {
      this.render(editor);
    }
  }

  private showPanel(editor: vscode.TextEditor | undefined): void {
    if (editor === undefined || !this.wanted(editor.document)) {
      this.panel.show("", "", [], editor ? "IRIS does not read this language (`iris languages` lists those it does)." : undefined);
      return;
    }
    const uri = editor.document.uri.toString();
    const title = path.basename(editor.document.uri.path);
    const known = this.answers.get(uri);
    if (this.source === undefined) {
      this.panel.show(uri, title, [], `IRIS is not running: ${this.unavailable}`);
    } else if (known === undefined) {
      this.panel.show(uri, title, [], this.pending.get(uri) ? "Analysing…" : "Not analysed yet (IRIS: Analyze this file).");
    } else if (!known.answer.ok) {
      const { error, code } = known.answer.failure;
      this.panel.show(uri, title, [], `No table of contents: ${error} (${code})`);
    } else {
      const analysis = known.answer.analysis;
      const degraded = statusOf(analysis.metadata).degraded;
      const message = degraded
        ? `Degraded answer: ${degraded} (IRIS: Analyze this file again retries)`
        : analysis.blocks.length === 0
          ? "No blocks in this file."
          : undefined;
      this.panel.show(uri, title, panelNodes(analysis), message);
    }
  }

  private showStatus(editor: vscode.TextEditor | undefined): void {
    if (editor === undefined || !this.wanted(editor.document)) {
      this.status.hide();
      return;
    }
    const uri = editor.document.uri.toString();
    const known = this.answers.get(uri);
    this.status.backgroundColor = undefined;
    if (this.source === undefined) {
      this.status.text = "$(error) IRIS";
      this.status.tooltip = `IRIS is not running: ${this.unavailable}`;
      this.status.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
    } else if (this.pending.get(uri)) {
      this.status.text = "$(sync~spin) IRIS";
      this.status.tooltip = `Analysing… (${this.source.describe})`;
    } else if (known === undefined) {
      this.status.text = "$(list-tree) IRIS";
      this.status.tooltip = this.source.describe;
    } else if (!known.answer.ok) {
      this.status.text = "$(warning) IRIS: no answer";
      this.status.tooltip = `${known.answer.failure.error} (${known.answer.failure.code})`;
      this.status.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
    } else {
      const status = statusOf(known.answer.analysis.metadata);
      this.status.text = `$(list-tree) IRIS: ${status.text}`;
      this.status.tooltip = status.degraded
        ? `Degraded: ${status.degraded}\n${this.source.describe}`
        : this.source.describe;
      if (status.degraded) {
        this.status.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
      }
    }
    this.status.show();
  }

  private onSelection(editor: vscode.TextEditor): void {
    if (editor !== vscode.window.activeTextEditor) {
      return;
    }
    const analysis = this.analysisOf(editor);
    if (analysis === undefined) {
      return;
    }
    if (this.focus) {
      this.render(editor);
    }
    const where = blockPathAt(analysis.blocks, editor.selection.active.line + 1);
    if (where.length > 0) {
      this.panel.select(where);
    }
  }

  // Commands.

  /** Move the cursor to the next (1) or previous (-1) block's first line, wrapping round. */
  step(direction: 1 | -1): void {
    const editor = vscode.window.activeTextEditor;
    const analysis = this.analysisOf(editor);
    if (editor === undefined || analysis === undefined) {
      return;
    }
    const stops = blockStops(analysis.blocks).filter((line) => line <= editor.document.lineCount);
    const target = nextStop(stops, editor.selection.active.line + 1, direction);
    if (target !== undefined) {
      this.moveTo(editor, target);
    }
  }

  /** Reveal the block at ``path``: its first range, then each further range on each click. */
  async reveal(blockPath: number[]): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const analysis = this.analysisOf(editor);
    const block = analysis ? blockAtPath(analysis.blocks, blockPath) : undefined;
    if (editor === undefined || block === undefined) {
      return;
    }
    const uri = editor.document.uri.toString();
    const key = blockPath.join(".");
    const last = this.revealed;
    const again = last && last.uri === uri && last.path === key && editor.selection.active.line + 1 === last.line;
    const range = nextRangeIndex(block, again ? last.range : undefined);
    const line = Math.min(block.ranges[range][0], editor.document.lineCount);
    this.revealed = { uri, path: key, range, line };
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    this.moveTo(shown, line);
  }

  private moveTo(editor: vscode.TextEditor, line: number): void {
    const position = new vscode.Position(line - 1, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  toggleFocus(): void {
    this.focus = !this.focus;
    void vscode.commands.executeCommand("setContext", "iris.focusMode", this.focus);
    this.renderVisible();
  }

  /** Analyse the active document again now (the server's own `iris.reanalyze`). */
  async analyzeActive(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || !this.wanted(editor.document)) {
      void vscode.window.showInformationMessage("IRIS: open a file in a language IRIS reads first.");
      return;
    }
    if (this.source === undefined) {
      void vscode.window.showWarningMessage(`IRIS is not running: ${this.unavailable}`);
      return;
    }
    await this.analyze(editor.document, true);
  }

  dispose(): void {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.decorations.dispose();
    this.panel.dispose();
    this.status.dispose();
  }
}
