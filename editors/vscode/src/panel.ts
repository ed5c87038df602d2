/** The side panel: the file intent with the answer's status, then the blocks, nested. */

import * as vscode from "vscode";
import type { PanelNode } from "./model";

export const REVEAL_COMMAND = "iris.revealBlock";

export class Panel implements vscode.TreeDataProvider<PanelNode>, vscode.Disposable {
  private nodes: PanelNode[] = [];
  private uri = "";
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<PanelNode>;

  constructor() {
    this.view = vscode.window.createTreeView("iris.blocks", { treeDataProvider: this, showCollapseAll: true });
  }

  /** Show ``nodes`` for the document ``uri``, with ``message`` above them (or none). */
  show(uri: string, title: string, nodes: PanelNode[], message?: string): void {
    this.uri = uri;
    this.nodes = nodes;
    this.view.description = title;
    this.view.message = message;
    this.changed.fire();
  }

  /** Select the block at ``path`` in the tree, when the panel is open. */
  select(path: number[]): void {
    const node = this.find(path);
    if (node !== undefined && this.view.visible) {
      void this.view.reveal(node, { select: true, focus: false, expand: true }).then(undefined, () => undefined);
    }
  }

  getTreeItem(node: PanelNode): vscode.TreeItem {
    const collapsed = node.children.length
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsed);
    item.id = `${this.uri}#${node.kind}:${node.path.join(".")}`;
    item.description = node.description;
    item.tooltip = node.tooltip;
    if (node.kind === "intent") {
      item.iconPath = new vscode.ThemeIcon("book");
      item.contextValue = "iris.intent";
    } else {
      const shape = node.path.length === 1 ? "circle-large-filled" : "circle-filled";
      item.iconPath = new vscode.ThemeIcon(shape, new vscode.ThemeColor(`iris.block${node.colour}`));
      item.contextValue = "iris.block";
      item.command = { command: REVEAL_COMMAND, title: "Reveal block", arguments: [node.path] };
      item.accessibilityInformation = { label: `Block ${node.path.map((i) => i + 1).join(".")}: ${node.label}, lines ${node.description}` };
    }
    return item;
  }

  getChildren(node?: PanelNode): PanelNode[] {
    return node === undefined ? this.nodes : node.children;
  }

  getParent(node: PanelNode): PanelNode | undefined {
    return node.path.length > 1 ? this.find(node.path.slice(0, -1)) : undefined;
  }

  private find(path: number[]): PanelNode | undefined {
    let level = this.nodes.filter((node) => node.kind === "block");
    let found: PanelNode | undefined;
    for (const index of path) {
      found = level[index];
      if (found === undefined) {
        return undefined;
      }
      level = found.children;
    }
    return found;
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
