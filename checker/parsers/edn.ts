// A minimal EDN reader for Jepsen's one-map-per-line histories: maps of keywords to
// integers, strings, keywords, nil, booleans, vectors and nested maps.
export type EdnValue = number | string | boolean | null | { keyword: string } | EdnValue[] | EdnMap;
export interface EdnMap {
  map: Map<string, EdnValue>;
}

export class EdnSyntaxError extends Error {}

export function readEdn(text: string): EdnValue {
  let i = 0;
  const skip = () => {
    while (i < text.length) {
      const c = text[i]!;
      if (c === " " || c === "," || c === "\t" || c === "\r" || c === "\n") i++;
      else if (c === ";") while (i < text.length && text[i] !== "\n") i++;
      else break;
    }
  };
  const fail = (what: string): never => {
    throw new EdnSyntaxError(`${what} at column ${i + 1}`);
  };
  const value = (): EdnValue => {
    skip();
    const c = text[i];
    if (c === undefined) return fail("unexpected end of input");
    if (c === "{") {
      i++;
      const map = new Map<string, EdnValue>();
      for (;;) {
        skip();
        if (text[i] === "}") {
          i++;
          return { map };
        }
        const k = value();
        const keyText = typeof k === "object" && k !== null && "keyword" in k ? ":" + k.keyword : JSON.stringify(k);
        map.set(keyText, value());
      }
    }
    if (c === "[" || c === "(") {
      const close = c === "[" ? "]" : ")";
      i++;
      const items: EdnValue[] = [];
      for (;;) {
        skip();
        if (text[i] === close) {
          i++;
          return items;
        }
        if (i >= text.length) fail(`expected '${close}'`);
        items.push(value());
      }
    }
    if (c === '"') {
      i++;
      let s = "";
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") {
          const e = text[i + 1];
          s += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : (e ?? "");
          i += 2;
        } else s += text[i++];
      }
      if (text[i] !== '"') fail("unterminated string");
      i++;
      return s;
    }
    const m = /^[^\s,{}\[\]()"]+/.exec(text.slice(i, i + 200));
    if (!m) return fail(`unexpected '${c}'`);
    const tok = m[0];
    i += tok.length;
    if (tok.startsWith(":")) return { keyword: tok.slice(1) };
    if (tok === "nil") return null;
    if (tok === "true" || tok === "false") return tok === "true";
    if (/^[-+]?\d+N?$/.test(tok)) return Number(tok.replace(/N$/, ""));
    if (/^[-+]?\d*\.\d+(e[-+]?\d+)?M?$/i.test(tok)) return Number(tok.replace(/M$/, ""));
    return { keyword: tok }; // a bare symbol: keep its text
  };
  const result = value();
  skip();
  if (i < text.length) fail("trailing characters");
  return result;
}
