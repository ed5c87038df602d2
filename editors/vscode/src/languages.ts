/**
 * The editor language ids IRIS reads, as `iris languages` lists them (VS Code uses the same
 * ids). tests/test_vscode_extension.py checks this list and package.json against the registry.
 */
export const LANGUAGES = [
  "c", "cpp", "csharp", "dart", "elixir", "go", "haskell", "java", "javascript",
  "javascriptreact", "julia", "kotlin", "lua", "ocaml", "perl", "php", "python", "r", "ruby",
  "rust", "scala", "shellscript", "swift", "typescript", "typescriptreact", "zig",
] as const;

const known: ReadonlySet<string> = new Set(LANGUAGES);

export function isIrisLanguage(languageId: string): boolean {
  return known.has(languageId);
}
