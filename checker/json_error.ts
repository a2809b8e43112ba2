// Where a JSON text goes wrong, for one-line error messages (checker and CLI alike). Node 20's JSON.parse says what
// is wrong but not where, so a small recursive-descent scanner finds the first offending
// character and what was expected there. Used only after JSON.parse has already failed.

export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  expected: string;
}

/** Nesting bound: deeper input is reported rather than overflowing the stack. */
const DEPTH_MAX = 512;

class Failure {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

export function findJsonError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (expected: string): never => {
    throw new Failure(i, expected);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("a value");
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail("a closing quote (no raw control characters in strings)");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("four hex digits after \\u");
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail("a valid escape");
      }
      i++;
    }
    if (i >= text.length) fail("a closing quote");
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "-" || m[0].length === 0) fail("a value");
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > DEPTH_MAX) fail(`at most ${DEPTH_MAX} levels of nesting`);
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") fail("':' after the property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") return void i++;
        fail("',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") return void i++;
        fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    fail(i >= text.length ? "a value (the text ended)" : "a value");
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail("the end of the text");
    return undefined;
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    const before = text.slice(0, e.offset);
    const line = before.split("\n").length;
    const column = e.offset - (before.lastIndexOf("\n") + 1) + 1;
    return { offset: e.offset, line, column, expected: e.expected };
  }
}
