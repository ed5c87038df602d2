// The IRIS web page: send a file to /api/iris/analyze, show the source beside its blocks.
// Plain browser JavaScript, no build step. User code only ever reaches the DOM as text nodes.
"use strict";

const KEY_STORAGE = "iris-api-key"; // sessionStorage: the key lives as long as the tab
const PALETTE_SIZE = 12; // app.css defines .k0 … .k11; IRIS answers at most 12 blocks

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("form"), filename: $("filename"), language: $("language"), file: $("file"),
  keyField: $("key-field"), key: $("key"), analyze: $("analyze"), source: $("source"),
  status: $("status"), result: $("result"), intent: $("intent"), meta: $("meta"),
  blocks: $("blocks"), toc: $("toc"), code: $("code"), dropHint: $("drop-hint"),
  toBlocks: $("to-blocks"),
};
// Below this width the list sits above the code (app.css), so reading a block scrolls the
// list away and a button brings it back.
const STACKED = window.matchMedia("(max-width: 760px)");

let languages = []; // [{id, aliases, extensions}] from the server
// What is on screen: one entry per block, {button, lines (elements), ranges}.
let shown = [];
let rows = []; // the line elements, rows[N - 1] for line N
let active = -1; // the block highlighted by hover or focus
let stepping = {block: -1, range: -1}; // the block last clicked and the range it showed

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// -- talking to the server ------------------------------------------------------------------

class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Every failure becomes one readable sentence: IRIS's own `error` when it sent one.
async function api(path, options = {}) {
  let reply;
  try {
    reply = await fetch(path, options);
  } catch (error) {
    throw new ApiError(`Could not reach the IRIS server (${error.message}). Is it running?`, 0, "network");
  }
  let body = null;
  try {
    body = await reply.json();
  } catch {
    // not JSON: a proxy's page, or a connection cut mid-answer
  }
  if (body && body.success === false) {
    throw new ApiError(body.error || `The server refused the request (${reply.status}).`, reply.status, body.code);
  }
  if (!reply.ok || !body) {
    throw new ApiError(`The server answered ${reply.status} ${reply.statusText} without an IRIS answer.`,
                       reply.status, "bad_reply");
  }
  return body;
}

function showStatus(message, kind) {
  ui.status.textContent = message;
  ui.status.className = `status ${kind || ""}`;
}

function showError(error) {
  clearResult(); // an answer left below an error would read as the failed file's
  ui.status.replaceChildren(el("span", "", pageMessage(error)));
  if (error.code && error.code !== "network" && error.code !== "bad_reply") {
    ui.status.append(" ", el("code", "code-name", error.code));
  }
  ui.status.className = "status error";
}

// The server's sentence, except where the page has its own way to fix it.
function pageMessage(error) {
  if (error.code === "unsupported_language" && !ui.language.value) {
    const name = ui.filename.value.trim() || "untitled";
    return `IRIS cannot tell the language of “${name}”: choose it in the Language menu, ` +
           "or give the file name a known extension.";
  }
  return error.message;
}

function clearResult() {
  ui.result.hidden = true;
  ui.form.classList.remove("has-result");
  ui.toBlocks.hidden = true;
  shown = [];
  rows = [];
  active = -1;
}

function askForKey() {
  ui.keyField.hidden = false;
}

async function loadServerFacts() {
  const stored = sessionStorage.getItem(KEY_STORAGE);
  if (stored) {
    ui.key.value = stored;
    askForKey();
  }
  try {
    const [health, listed] = await Promise.all([api("api/iris/health"), api("api/iris/languages")]);
    if (health.auth) askForKey();
    languages = listed.languages;
    for (const language of languages) {
      ui.language.append(new Option(language.id, language.id));
    }
  } catch (error) {
    showError(error);
  }
}

// -- input: paste, file picker, drop ----------------------------------------------------------

function languageFor(filename) {
  const name = filename.toLowerCase();
  let best = null;
  for (const language of languages) {
    for (const extension of language.extensions) {
      if (name.endsWith(extension) && (!best || extension.length > best.extension.length)) {
        best = {id: language.id, extension};
      }
    }
  }
  return best ? best.id : "";
}

async function openFile(file) {
  const text = await file.text();
  if (text.includes("\u0000")) {
    showError(new Error(`${file.name} looks like a binary file; IRIS reads source code.`));
    return;
  }
  ui.filename.value = file.name;
  ui.language.value = languageFor(file.name);
  ui.source.value = text;
  ui.form.requestSubmit();
}

function watchDrops() {
  let depth = 0; // dragenter/dragleave fire for every child crossed
  const hasFiles = (event) => Array.from(event.dataTransfer?.types || []).includes("Files");
  document.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    ui.dropHint.hidden = false;
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) ui.dropHint.hidden = true;
  });
  document.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    depth = 0;
    ui.dropHint.hidden = true;
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    event.preventDefault();
    openFile(file);
  });
  ui.file.addEventListener("change", () => {
    if (ui.file.files[0]) openFile(ui.file.files[0]);
    ui.file.value = ""; // choosing the same file again still reloads it
  });
}

// -- analysis ----------------------------------------------------------------------------------

async function analyze(event) {
  event.preventDefault();
  const source = ui.source.value;
  const body = {filename: ui.filename.value.trim() || "untitled", source_code: source,
                metadata: {client: "web"}};
  if (ui.language.value) body.language = ui.language.value;
  const headers = {"Content-Type": "application/json"};
  const key = ui.key.value.trim();
  if (key) headers["X-API-Key"] = key;
  ui.analyze.disabled = true;
  showStatus("Analyzing…", "busy");
  try {
    const answer = await api("api/iris/analyze", {method: "POST", headers, body: JSON.stringify(body)});
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    showStatus("", "");
    render(answer, source, body.filename);
  } catch (error) {
    if (error.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE); // never keep a key the server refused
      askForKey();
      ui.key.focus();
    }
    showError(error);
  } finally {
    ui.analyze.disabled = false;
  }
}

// Lines as IRIS counts them: \r\n, \r and \n all end a line; a final newline ends the last.
function splitLines(source) {
  const lines = source.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function formatRange([start, end]) {
  return start === end ? `${start}` : `${start}–${end}`;
}

function render(answer, source, filename) {
  const blocks = answer.responsibility_blocks;
  const owner = new Map(); // line number → block index
  blocks.forEach((block, index) => {
    for (const [start, end] of block.ranges) {
      for (let line = start; line <= end; line += 1) owner.set(line, index);
    }
  });
  shown = blocks.map((block) => ({ranges: block.ranges, lines: [], button: null}));
  active = -1;
  stepping = {block: -1, range: -1};

  ui.intent.textContent = answer.file_intent;
  ui.meta.replaceChildren(...metaParts(answer.metadata || {}, filename));
  ui.blocks.replaceChildren(...blocks.map(blockItem));
  if (!blocks.length) ui.blocks.append(el("li", "no-blocks", "No blocks: nothing to read here."));
  const lines = splitLines(source);
  ui.code.className = `code d${Math.min(6, Math.max(3, String(lines.length).length))}`;
  ui.code.replaceChildren(sourceLines(lines, owner));
  ui.result.hidden = false;
  ui.form.classList.add("has-result");
  ui.source.scrollTop = 0; // the shrunk box shows the file's start, not where the paste ended
  revealResult();
}

// A new answer starts at its intent: a file picked while the last one was scrolled far down
// would otherwise show up off screen (or not at all, when it is shorter).
function revealResult() {
  const top = ui.intent.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) ui.result.scrollIntoView({block: "start"});
}

function metaParts(meta, filename) {
  const facts = [filename];
  if (meta.language) facts.push(meta.language);
  if (meta.engine) facts.push(`engine ${meta.engine}`);
  if (meta.model) facts.push(meta.model);
  facts.push(meta.cache_hit ? "cache hit" : "fresh analysis");
  if (meta.latency_ms !== undefined) facts.push(`${meta.latency_ms} ms`);
  const parts = [el("span", "", facts.join(" · "))];
  if (meta.degraded) parts.push(el("span", "degraded", `degraded: ${meta.degraded}`));
  return parts;
}

function blockItem(block, index) {
  const button = el("button", `block k${index % PALETTE_SIZE}`);
  button.type = "button";
  button.dataset.block = String(index);
  const count = block.ranges.length;
  const where = `line${count === 1 && block.ranges[0][0] === block.ranges[0][1] ? "" : "s"} `;
  button.append(
    el("span", "num", String(index + 1)),
    el("span", "label", block.label),
    el("span", "ranges", where + block.ranges.map(formatRange).join(", ")),
    el("span", "desc", block.description),
  );
  button.title = count > 1 ? "Click to go to its first range; click again for the next" : "Click to go to it";
  button.addEventListener("click", () => step(index));
  button.addEventListener("focus", () => setActive(index));
  button.addEventListener("blur", () => setActive(-1));
  shown[index].button = button;
  const item = el("li");
  item.append(button);
  if (block.children?.length) item.append(subBlocks(block.children, `${index + 1}.`));
  return item;
}

// A long block's sub-blocks, indented under it: each shows its number ("3.2"), label,
// lines and sentence, and takes the code to its first line when clicked.
function subBlocks(children, prefix) {
  const list = el("ol", "children");
  children.forEach((child, offset) => {
    const number = `${prefix}${offset + 1}`;
    const button = el("button", "sub-block");
    button.type = "button";
    button.dataset.number = number;
    button.append(
      el("span", "num", number),
      el("span", "label", child.label),
      el("span", "ranges", "lines " + child.ranges.map(formatRange).join(", ")),
      el("span", "desc", child.description),
    );
    button.addEventListener("click", () => goToLines(child.ranges[0]));
    const item = el("li");
    item.append(button);
    if (child.children?.length) item.append(subBlocks(child.children, `${number}.`));
    list.append(item);
  });
  return list;
}

function goToLines([start, end]) {
  for (const row of ui.code.querySelectorAll(".line.current")) row.classList.remove("current");
  for (let line = start; line <= end; line += 1) rows[line - 1]?.classList.add("current");
  rows[start - 1]?.scrollIntoView({block: "start"});
}

function sourceLines(lines, owner) {
  const container = el("div", "lines");
  rows = [];
  const fragment = document.createDocumentFragment();
  lines.forEach((text, offset) => {
    const number = offset + 1;
    const index = owner.get(number);
    const row = el("div", "line");
    row.dataset.line = String(number);
    const gutter = el("span", "bn");
    if (index !== undefined) {
      row.dataset.block = String(index);
      row.classList.add("in-block", `k${index % PALETTE_SIZE}`);
      // The number on the first line of each range pairs the tint with a non-colour cue.
      if (owner.get(number - 1) !== index) {
        gutter.textContent = String(index + 1);
        row.classList.add("range-start");
      }
      shown[index].lines.push(row);
    }
    row.append(el("span", "ln", String(number)), gutter, el("span", "tx", text));
    rows.push(row);
    fragment.append(row);
  });
  container.append(fragment);
  return container;
}

// -- reading: hover, focus, stepping through ranges -------------------------------------------

function setActive(index) {
  if (index === active) return;
  if (active >= 0) {
    shown[active].button.classList.remove("active");
    for (const row of shown[active].lines) row.classList.remove("lit");
  }
  active = index;
  if (index < 0) return;
  const {button, lines} = shown[index];
  button.classList.add("active");
  for (const row of lines) row.classList.add("lit");
  revealInToc(button);
}

// Scroll only the list (never the page) so that hovering the code does not move it.
function revealInToc(button) {
  const list = ui.toc.getBoundingClientRect();
  const box = button.getBoundingClientRect();
  if (box.top < list.top) ui.toc.scrollTop -= list.top - box.top;
  else if (box.bottom > list.bottom) ui.toc.scrollTop += box.bottom - list.bottom;
}

function step(index) {
  const {ranges, button} = shown[index];
  const range = stepping.block === index ? (stepping.range + 1) % ranges.length : 0;
  for (const row of ui.code.querySelectorAll(".line.current")) row.classList.remove("current");
  stepping = {block: index, range};
  const [start, end] = ranges[range];
  for (let line = start; line <= end; line += 1) rows[line - 1]?.classList.add("current");
  rows[start - 1]?.scrollIntoView({block: "start"});
  if (ranges.length > 1) button.dataset.step = `range ${range + 1} of ${ranges.length}`;
}

// On a narrow screen: a button back to the list whenever the list is scrolled out of view.
function watchStackedList() {
  const update = (visible) => {
    ui.toBlocks.hidden = visible || !STACKED.matches || ui.result.hidden;
  };
  let listVisible = true;
  new IntersectionObserver((entries) => {
    listVisible = entries.some((entry) => entry.isIntersecting);
    update(listVisible);
  }).observe(ui.toc);
  STACKED.addEventListener("change", () => update(listVisible));
  ui.toBlocks.addEventListener("click", () => {
    const current = shown[stepping.block]?.button || shown[0]?.button;
    ui.toc.scrollIntoView({block: "start"});
    current?.focus({preventScroll: true});
  });
}

// Ctrl+Enter (Cmd+Enter on a Mac) analyses from anywhere in the form, as in most editors.
function watchShortcut() {
  ui.form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !ui.analyze.disabled) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });
}

function watchCode() {
  ui.code.addEventListener("mouseover", (event) => {
    const row = event.target.closest(".line");
    if (row) setActive(row.dataset.block === undefined ? -1 : Number(row.dataset.block));
  });
  ui.code.addEventListener("mouseleave", () => setActive(-1));
}

ui.form.addEventListener("submit", analyze);
watchDrops();
watchCode();
watchStackedList();
watchShortcut();
loadServerFacts();
