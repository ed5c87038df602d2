/**
 * The block colours, shared with the web page (src/iris_codes/web/static/app.css): Paul Tol's
 * colour-blind-safe schemes, "muted" for light themes and "light" for dark ones, extended with
 * Okabe–Ito colours past nine blocks.
 *
 * A tint must not cost the code its contrast. Over a light background a tint darkens it; over a
 * dark one it lightens it; either way every text colour's contrast with the tint is its contrast
 * with the background times one factor, set by the tint's luminance alone. So each colour gets
 * the strongest alpha that keeps that factor at KEEP or above: any syntax colour keeps at least
 * 85% of its contrast, and the editor's text stays far above WCAG AA (4.5:1).
 */

export const PALETTE_SIZE = 12;

export const LIGHT = [
  "#cc6677", "#332288", "#ddcc77", "#117733", "#88ccee", "#882255",
  "#44aa99", "#999933", "#aa4499", "#e69f00", "#0072b2", "#d55e00",
] as const;

export const DARK = [
  "#ee8866", "#77aadd", "#eedd88", "#44bb99", "#ffaabb", "#99ddff",
  "#bbcc33", "#aaaa00", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442",
] as const;

/** The share of every text colour's contrast a tint keeps. */
export const KEEP = 0.85;
/** No tint is stronger than this, however little it costs in contrast. */
export const MAX_ALPHA = 0.35;

/** The editor backgrounds the tints are computed for (VS Code's default themes). */
export const BACKGROUNDS = {
  light: "#ffffff", // Light Modern, Light+
  dark: "#1f1f1f", // Dark Modern (Dark+ is #1e1e1e)
  highContrast: "#000000",
  highContrastLight: "#ffffff",
} as const;

export type ThemeKind = keyof typeof BACKGROUNDS;
export type Rgb = readonly [number, number, number];

export function parseHex(hex: string): Rgb {
  const match = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex);
  if (!match) {
    throw new Error(`not a #rrggbb colour: ${hex}`);
  }
  const digits = match[1];
  return [0, 2, 4].map((at) => parseInt(digits.slice(at, at + 2), 16)) as unknown as Rgb;
}

/** The alpha of a #rrggbbaa colour (1 for #rrggbb). */
export function alphaOf(hex: string): number {
  return hex.length === 9 ? parseInt(hex.slice(7), 16) / 255 : 1;
}

/** WCAG 2 relative luminance of an sRGB colour (0–255 channels). */
export function luminance([r, g, b]: Rgb): number {
  const linear = (channel: number): number => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrast(first: Rgb, second: Rgb): number {
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

/** ``colour`` at ``alpha`` painted over an opaque ``background``. */
export function over(colour: Rgb, alpha: number, background: Rgb): Rgb {
  return colour.map((c, i) => alpha * c + (1 - alpha) * background[i]) as unknown as Rgb;
}

/** A #rrggbbaa colour painted over an opaque background. */
export function composite(hex: string, background: string): Rgb {
  return over(parseHex(hex), alphaOf(hex), parseHex(background));
}

/**
 * The share of its contrast any readable text keeps on ``tint`` compared with ``background``
 * (text darker than both on a light background, lighter than both on a dark one).
 */
export function kept(tint: Rgb, background: Rgb): number {
  const [lt, lb] = [luminance(tint) + 0.05, luminance(background) + 0.05];
  return Math.min(lt, lb) / Math.max(lt, lb);
}

/** The strongest alpha, in 1/255 steps, at which ``colour`` keeps KEEP over ``background``. */
export function strongestAlpha(colour: string, background: string): number {
  const [c, b] = [parseHex(colour), parseHex(background)];
  let step = Math.floor(MAX_ALPHA * 255);
  while (step > 0 && kept(over(c, step / 255, b), b) < KEEP) {
    step -= 1;
  }
  return step;
}

/** ``colour`` with the alpha ``strongestAlpha`` gives it over this theme kind's background. */
export function tint(colour: string, kind: ThemeKind): string {
  const step = strongestAlpha(colour, BACKGROUNDS[kind]);
  return colour + step.toString(16).padStart(2, "0");
}

/** The colours a theme kind uses. */
export function paletteFor(kind: ThemeKind): readonly string[] {
  return kind === "light" || kind === "highContrastLight" ? LIGHT : DARK;
}

export interface ColorContribution {
  id: string;
  description: string;
  defaults: Record<ThemeKind, string>;
}

function byKind(pick: (kind: ThemeKind) => string): Record<ThemeKind, string> {
  const kinds = Object.keys(BACKGROUNDS) as ThemeKind[];
  return Object.fromEntries(kinds.map((kind) => [kind, pick(kind)])) as Record<ThemeKind, string>;
}

/** The theme colours package.json contributes: each block's colour and its tint. */
export function colorContributions(): ColorContribution[] {
  const colours: ColorContribution[] = [];
  for (let index = 0; index < PALETTE_SIZE; index += 1) {
    colours.push({
      id: `iris.block${index}`,
      description: `IRIS block ${index + 1} (and ${index + 13}): panel icon and overview ruler.`,
      defaults: byKind((kind) => paletteFor(kind)[index]),
    });
    colours.push({
      id: `iris.block${index}Background`,
      description: `IRIS block ${index + 1} (and ${index + 13}): the tint of its lines.`,
      defaults: byKind((kind) => tint(paletteFor(kind)[index], kind)),
    });
  }
  return colours;
}
