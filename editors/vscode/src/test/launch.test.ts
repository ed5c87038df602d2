import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { LANGUAGES } from "../languages";
import { normaliseUrl, resolveLaunch, which } from "../launch";

function folderWithIris(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "iris-launch-"));
  const iris = path.join(folder, "iris");
  fs.writeFileSync(iris, "#!/bin/sh\n");
  fs.chmodSync(iris, 0o755);
  fs.writeFileSync(path.join(folder, "not-executable"), "");
  return folder;
}

test("finds iris on PATH like which, skipping folders without it", () => {
  const folder = folderWithIris();
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "iris-empty-"));
  assert.equal(which("iris", `${empty}:${folder}`), path.join(folder, "iris"));
  assert.equal(which("not-executable", folder), undefined);
  assert.equal(which("iris", empty), undefined);
  assert.equal(which("iris", undefined), undefined);
});

test("starts iris lsp from PATH by default, with no key in its environment", () => {
  const folder = folderWithIris();
  const launch = resolveLaunch({ serverPath: "", serverUrl: "" }, "secret", folder);
  assert.deepEqual(launch, { mode: "lsp", command: path.join(folder, "iris"), args: ["lsp"], env: {} });
});

test("iris.serverPath wins over PATH", () => {
  const folder = folderWithIris();
  const launch = resolveLaunch({ serverPath: path.join(folder, "iris"), serverUrl: "" }, undefined, "");
  assert.equal(launch.mode, "lsp");
  assert.equal(launch.mode === "lsp" && launch.command, path.join(folder, "iris"));
});

test("a server URL runs iris lsp --url with the stored key as IRIS_API_KEY", () => {
  const folder = folderWithIris();
  const launch = resolveLaunch({ serverPath: "", serverUrl: "https://iris.example.test/ " }, "k-123", folder);
  assert.deepEqual(launch, {
    mode: "lsp", command: path.join(folder, "iris"), args: ["lsp", "--url", "https://iris.example.test"], env: { IRIS_API_KEY: "k-123" },
  });
});

test("without iris, a server URL is posted to directly", () => {
  const launch = resolveLaunch({ serverPath: "", serverUrl: "http://127.0.0.1:8080/" }, "k", "");
  assert.equal(launch.mode, "http");
  assert.equal(launch.mode === "http" && launch.url, "http://127.0.0.1:8080");
  assert.equal(launch.mode === "http" && launch.apiKey, "k");
});

test("without iris or a server, says what to install or set", () => {
  const launch = resolveLaunch({ serverPath: "", serverUrl: "" }, undefined, "");
  assert.equal(launch.mode, "none");
  assert.match(launch.mode === "none" ? launch.reason : "", /no `iris` on PATH.*iris.serverPath or iris.serverUrl/);
  const wrong = resolveLaunch({ serverPath: "/nowhere/iris", serverUrl: "" }, undefined, "");
  assert.match(wrong.mode === "none" ? wrong.reason : "", /"\/nowhere\/iris" is not an executable file/);
});

test("refuses a server URL that is not http or https", () => {
  assert.equal(normaliseUrl("ftp://host"), undefined);
  assert.equal(normaliseUrl("not a url"), undefined);
  const launch = resolveLaunch({ serverPath: "", serverUrl: "ftp://host" }, undefined, folderWithIris());
  assert.equal(launch.mode, "none");
});

test("activates on every language the extension analyses", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  assert.deepEqual(manifest.activationEvents, LANGUAGES.map((language) => `onLanguage:${language}`));
});
