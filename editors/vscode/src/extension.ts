/** Entry point: reach IRIS (start `iris lsp`, or post to a server), register the commands. */

import * as vscode from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { Controller } from "./controller";
import { LANGUAGES } from "./languages";
import { type Launch, resolveLaunch } from "./launch";
import { REVEAL_COMMAND } from "./panel";
import { HttpSource, LspSource, type Source } from "./source";

const SECRET = "iris.apiKey";
const RESTART_SETTINGS = ["iris.serverPath", "iris.serverUrl"];

let controller: Controller | undefined;
let source: Source | undefined;
let output: vscode.LogOutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("IRIS", { log: true });
  controller = new Controller();
  context.subscriptions.push(output, controller);
  const command = (id: string, run: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  };
  command("iris.nextBlock", () => controller?.step(1));
  command("iris.previousBlock", () => controller?.step(-1));
  command("iris.toggleFocus", () => controller?.toggleFocus());
  command("iris.analyze", () => controller?.analyzeActive());
  command(REVEAL_COMMAND, (path: number[]) => controller?.reveal(path));
  command("iris.restartServer", () => restart(context));
  command("iris.setApiKey", () => setApiKey(context));
  command("iris.clearApiKey", async () => {
    await context.secrets.delete(SECRET);
    void vscode.window.showInformationMessage("IRIS: the API key was removed from VS Code's secret storage.");
  });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((name) => event.affectsConfiguration(name))) {
        void restart(context);
      } else if (event.affectsConfiguration("iris")) {
        controller?.optionsChanged();
      }
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === SECRET) {
        void restart(context);
      }
    }),
  );
  await moveLegacyKey(context);
  await restart(context);
}

export async function deactivate(): Promise<void> {
  await source?.dispose();
  source = undefined;
}

let restarting: Promise<void> = Promise.resolve();

/** Stop the current source and start one from the settings; one restart at a time. */
function restart(context: vscode.ExtensionContext): Promise<void> {
  restarting = restarting.then(() => restartNow(context));
  return restarting;
}

async function restartNow(context: vscode.ExtensionContext): Promise<void> {
  const previous = source;
  source = undefined;
  controller?.setSource(undefined, "Restarting…");
  await previous?.dispose();
  const config = vscode.workspace.getConfiguration("iris");
  const settings = { serverPath: config.get<string>("serverPath", ""), serverUrl: config.get<string>("serverUrl", "") };
  const launch = resolveLaunch(settings, await context.secrets.get(SECRET), process.env.PATH);
  try {
    source = await start(launch);
    controller?.setSource(source);
  } catch (error) {
    const reason = launch.mode === "none" ? launch.reason : `\`iris lsp\` did not start (${error instanceof Error ? error.message : String(error)}); see the IRIS output.`;
    output?.info(`IRIS is not running: ${reason}`);
    controller?.setSource(undefined, reason);
    // Not awaited: the next restart must not wait for the user to close the message.
    void vscode.window.showWarningMessage(`IRIS is not running: ${reason}`, "Open settings").then((choice) => {
      if (choice === "Open settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", "@ext:iris-codes.iris-codes");
      }
    });
  }
}

async function start(launch: Launch): Promise<Source> {
  if (launch.mode === "none") {
    throw new Error(launch.reason);
  }
  if (launch.mode === "http") {
    output?.info(launch.reason);
    return new HttpSource(launch.url, launch.apiKey, `${launch.url} (HTTP API; ${launch.reason})`);
  }
  const server: ServerOptions = {
    command: launch.command,
    args: launch.args,
    // An executable's env replaces the extension host's, so it is merged here.
    options: { env: { ...process.env, ...launch.env } },
    // No `transport`: TransportKind.stdio would append --stdio, which `iris lsp` does not take.
  };
  const client: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    outputChannel: output,
  };
  const languageClient = new LanguageClient("iris", "IRIS", server, client);
  await languageClient.start();
  const where = launch.args.includes("--url") ? `, analysing on ${launch.args[launch.args.length - 1]}` : "";
  output?.info(`Started ${launch.command} ${launch.args.join(" ")}`);
  return new LspSource(languageClient, `${launch.command} lsp${where}`);
}

async function setApiKey(context: vscode.ExtensionContext): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: "IRIS API key",
    prompt: "Sent as X-API-Key to iris.serverUrl; kept in VS Code's secret storage.",
    password: true,
    ignoreFocusOut: true,
  });
  if (key) {
    await context.secrets.store(SECRET, key.trim());
  }
}

/** The old extension kept the key in settings.json: move it to the secret storage. */
async function moveLegacyKey(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("iris");
  const inspected = config.inspect<string>("apiKey");
  const legacy = inspected?.workspaceValue ?? inspected?.globalValue;
  if (!legacy) {
    return;
  }
  await context.secrets.store(SECRET, legacy);
  for (const target of [vscode.ConfigurationTarget.Global, vscode.ConfigurationTarget.Workspace]) {
    await config.update("apiKey", undefined, target).then(undefined, () => undefined);
  }
  void vscode.window.showInformationMessage("IRIS: the API key moved from settings.json to VS Code's secret storage.");
}
