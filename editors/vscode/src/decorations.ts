/** The editor's view of an answer: each block's lines tinted, and focus mode's dimming. */

import * as vscode from "vscode";
import { type Analysis, type LineRange, clampRange } from "./model";
import { PALETTE_SIZE } from "./palette";

function toRange([start, end]: LineRange): vscode.Range {
  return new vscode.Range(start - 1, 0, end - 1, 0);
}

export class Decorations implements vscode.Disposable {
  private readonly tints: vscode.TextEditorDecorationType[];
  private dim: vscode.TextEditorDecorationType;

  constructor(focusOpacity: number) {
    this.tints = Array.from({ length: PALETTE_SIZE }, (_, index) =>
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor(`iris.block${index}Background`),
        overviewRulerColor: new vscode.ThemeColor(`iris.block${index}`),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    this.dim = this.dimType(focusOpacity);
  }

  private dimType(opacity: number): vscode.TextEditorDecorationType {
    return vscode.window.createTextEditorDecorationType({ isWholeLine: true, opacity: String(opacity) });
  }

  setFocusOpacity(opacity: number): void {
    this.dim.dispose();
    this.dim = this.dimType(opacity);
  }

  /** Tint ``analysis``'s blocks in ``editor`` (nothing when undefined), and dim ``dimmed``. */
  apply(editor: vscode.TextEditor, analysis: Analysis | undefined, tinted: boolean, dimmed: LineRange[]): void {
    const lineCount = editor.document.lineCount;
    const byColour: vscode.Range[][] = this.tints.map(() => []);
    if (analysis !== undefined && tinted) {
      analysis.blocks.forEach((block, index) => {
        for (const range of block.ranges) {
          const clamped = clampRange(range, lineCount);
          if (clamped) {
            byColour[index % PALETTE_SIZE].push(toRange(clamped));
          }
        }
      });
    }
    this.tints.forEach((type, colour) => editor.setDecorations(type, byColour[colour]));
    editor.setDecorations(this.dim, dimmed.map(toRange));
  }

  dispose(): void {
    this.tints.forEach((type) => type.dispose());
    this.dim.dispose();
  }
}
