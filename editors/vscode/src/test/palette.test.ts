import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  BACKGROUNDS, DARK, KEEP, LIGHT, PALETTE_SIZE, type ThemeKind,
  colorContributions, composite, contrast, parseHex,
} from "../palette";

const root = path.join(__dirname, "..", "..");

// VS Code 1.100's default themes (extensions/theme-defaults): editor background, editor text,
// and every syntax colour that is readable there (3:1 or more on the plain background).
const THEMES: { name: string; kind: ThemeKind; background: string; text: string; tokens: string[] }[] = [
  {
    name: "Light Modern", kind: "light", background: "#ffffff", text: "#3b3b3b",
    tokens: ["#000000", "#000080", "#0000ff", "#001080", "#0070c1", "#008000", "#0451a5", "#098658", "#267f99",
      "#795e26", "#800000", "#811f3f", "#a31515", "#af00db", "#cd3131", "#d16969", "#e50000", "#ee0000"],
  },
  {
    name: "Light+", kind: "light", background: "#ffffff", text: "#000000",
    tokens: ["#0000ff", "#001080", "#008000", "#098658", "#267f99", "#795e26", "#a31515", "#af00db"],
  },
  {
    name: "Dark Modern", kind: "dark", background: "#1f1f1f", text: "#cccccc",
    tokens: ["#4ec9b0", "#4fc1ff", "#569cd6", "#646695", "#6796e6", "#6a9955", "#808080", "#9cdcfe", "#b5cea8",
      "#c586c0", "#c8c8c8", "#ce9178", "#d16969", "#d4d4d4", "#d7ba7d", "#dcdcaa", "#f44747"],
  },
  {
    name: "Dark+", kind: "dark", background: "#1e1e1e", text: "#d4d4d4",
    tokens: ["#4ec9b0", "#569cd6", "#6a9955", "#9cdcfe", "#b5cea8", "#c586c0", "#ce9178", "#dcdcaa"],
  },
  {
    name: "Dark High Contrast", kind: "highContrast", background: "#000000", text: "#ffffff",
    tokens: ["#4ec9b0", "#569cd6", "#7ca668", "#808080", "#9cdcfe", "#b46695", "#b5cea8", "#c586c0", "#ce9178",
      "#d7ba7d", "#dcdcaa", "#f44747"],
  },
  {
    name: "Light High Contrast", kind: "highContrastLight", background: "#ffffff", text: "#292929",
    tokens: ["#000080", "#001080", "#02715d", "#0451a5", "#096d48", "#0f4a85", "#185e73", "#264f78", "#316bcd",
      "#515151", "#5e2cbc", "#800080", "#811f3f", "#b5200d", "#cd3131", "#d16969", "#ee0000"],
  },
];

function manifestColours(): Map<string, Record<string, string>> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const colours = manifest.contributes.colors as { id: string; defaults: Record<string, string> }[];
  return new Map(colours.map((colour) => [colour.id, colour.defaults]));
}

test("contrast follows WCAG 2: black on white is 21:1, a colour on itself 1:1", () => {
  assert.equal(contrast(parseHex("#000000"), parseHex("#ffffff")), 21);
  assert.equal(contrast(parseHex("#777777"), parseHex("#777777")), 1);
  assert.ok(Math.abs(contrast(parseHex("#767676"), parseHex("#ffffff")) - 4.54) < 0.01);
});

test("package.json contributes exactly the colours the palette computes", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  assert.deepEqual(manifest.contributes.colors, colorContributions());
});

test("the block colours are the web page's, light and dark", () => {
  const css = fs.readFileSync(path.join(root, "..", "..", "src", "iris_codes", "web", "static", "app.css"), "utf8");
  const [light, dark] = css.split("@media (prefers-color-scheme: dark)");
  const read = (text: string): string[] =>
    Array.from({ length: PALETTE_SIZE }, (_, index) => {
      const match = new RegExp(`--k${index}:\\s*(#[0-9a-f]{6})`, "i").exec(text);
      assert.ok(match, `--k${index} in app.css`);
      return match[1].toLowerCase();
    });
  assert.deepEqual(read(light), [...LIGHT]);
  assert.deepEqual(read(dark), [...DARK]);
});

for (const theme of THEMES) {
  test(`every tint keeps the code readable in ${theme.name}`, () => {
    const colours = manifestColours();
    const background = parseHex(theme.background);
    const tints = new Set<string>();
    for (let index = 0; index < PALETTE_SIZE; index += 1) {
      const tint = colours.get(`iris.block${index}Background`)?.[theme.kind];
      assert.ok(tint, `iris.block${index}Background has a ${theme.kind} default`);
      const painted = composite(tint, theme.background);
      tints.add(painted.map(Math.round).join(","));
      // The editor's text keeps WCAG AA on every tint, as on the web page.
      assert.ok(contrast(parseHex(theme.text), painted) >= 4.5, `${theme.name} text on block ${index + 1}`);
      for (const token of [theme.text, ...theme.tokens]) {
        const plain = contrast(parseHex(token), background);
        const tinted = contrast(parseHex(token), painted);
        assert.ok(tinted >= KEEP * plain - 1e-9, `${theme.name}: ${token} on block ${index + 1}: ${tinted.toFixed(2)} < ${KEEP} × ${plain.toFixed(2)}`);
      }
      // A tint that changes nothing would not show the block at all.
      assert.ok(contrast(painted, background) > 1.05, `${theme.name}: block ${index + 1} is visible`);
    }
    assert.equal(tints.size, PALETTE_SIZE, `${theme.name}: twelve different tints`);
  });
}

test("the tints are computed for the themes' own backgrounds", () => {
  assert.equal(BACKGROUNDS.light, "#ffffff");
  assert.equal(BACKGROUNDS.dark, "#1f1f1f");
});
