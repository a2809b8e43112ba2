// A malformed input file: names the file and the 1-based line. The CLI maps it to exit 2.
export class HistoryParseError extends Error {
  override name = "HistoryParseError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}
