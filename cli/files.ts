// Real files for the CLI: written atomically (temp file + rename) so a failed command
// never leaves a half-written output behind; read with errors that name the file.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "./command";
import { findJsonError } from "../checker/json_error";

export function readTextFile(path: string, what: string): string {
  if (!existsSync(path)) throw new UsageError(`${path}: no such ${what} file`);
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${path}: cannot read ${what}: ${(error as Error).message}`);
  }
}

export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = findJsonError(text);
    if (where) throw new UsageError(`${path}:${where.line}:${where.column}: expected ${where.expected} (not valid JSON for a ${what})`);
    throw new UsageError(`${path}: expected valid JSON for a ${what} (${(error as Error).message})`);
  }
}

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path) || ".", { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    if (typeof content === "string") writeSync(fd, content);
    else writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** A streaming writer whose file appears only on commit(); abort() removes the temp file. */
export class AtomicStreamWriter {
  private readonly tmp: string;
  private fd: number;
  private buffer: string[] = [];
  private bufferedChars = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path) || ".", { recursive: true });
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, "w");
  }

  write(text: string): void {
    this.buffer.push(text);
    this.bufferedChars += text.length;
    if (this.bufferedChars > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.bufferedChars = 0;
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }
}

/** Whether path is a directory; false when it is not there (reading it as a file then says so, in one line). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
