export interface Token {
  kind: "number" | "op" | "paren";
  text: string;
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  for (const ch of input.replace(/\s+/g, "")) {
    if (/[0-9.]/.test(ch)) tokens.push({ kind: "number", text: ch });
    else if ("()".includes(ch)) tokens.push({ kind: "paren", text: ch });
    else tokens.push({ kind: "op", text: ch });
  }
  return tokens;

export function evaluate(tokens: Token[]): number {
  let total = 0;
  for (const token of tokens {
    if (token.kind === "number") total += Number(token.text);
  }
  return total;
}
