// Delivers the viewer: serves the page, bundle and trace on 127.0.0.1, or writes one
// self-contained HTML file. `raftsim view` calls openViewer with a trace file, or
// openViewerText with the trace of a replay file it has just re-run. The trace is
// validated here first, so a bad file gets one clear line instead of a page that opens
// onto an error.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderPage } from "./html";
import { TraceParseError, parseTrace } from "./model/parse";

/** Bad input (missing or malformed trace, unwritable output): the CLI turns it into exit 2. */
export class ViewerInputError extends Error {
  override name = "ViewerInputError";
}

export interface OpenViewerOptions {
  /** Write one self-contained HTML file here instead of serving. */
  out?: string;
  /** Port to serve on; 0 or absent = a free ephemeral port. */
  port?: number;
}

export interface OpenedViewer {
  /** Set when serving: the page's address on 127.0.0.1. */
  url?: string;
  /** Set when writing: the file written. */
  out?: string;
  /** Stops the server (a no-op for --out). */
  close(): Promise<void>;
}

/** The browser bundle built by build.mjs: next to the bundled CLI, or under dist/ from source. */
export function findBundle(): string {
  const candidates = [new URL("./viewer/viewer.js", import.meta.url), new URL("../dist/viewer/viewer.js", import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ViewerInputError(`the viewer bundle is missing (looked for ${candidates.join(", ")}); run \`npm run build\``);
  return found;
}

/** Reads and validates a trace; throws ViewerInputError naming the file, line and expectation. */
export function readTrace(tracePath: string): string {
  let text: string;
  try {
    text = readFileSync(tracePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ViewerInputError(`${tracePath}: cannot read the trace (${code ?? String(error)})`);
  }
  checkTrace(text, tracePath);
  return text;
}

/** Validates trace text; `where` names it in the one-line error. */
export function checkTrace(text: string, where: string): void {
  try {
    parseTrace(text);
  } catch (error) {
    if (error instanceof TraceParseError) throw new ViewerInputError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Writes via a temporary file in the same directory and a rename, so no half-written file is left. */
export function writeAtomically(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created
    }
    throw new ViewerInputError(`${path}: cannot write the page (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export function selfContainedPage(traceText: string, traceName: string, bundleJs: string): string {
  return renderPage({ bundle: { inline: bundleJs }, trace: { inline: traceText }, traceName });
}

export async function openViewer(tracePath: string, options: OpenViewerOptions = {}): Promise<OpenedViewer> {
  return openViewerText(readTrace(tracePath), basename(tracePath), options);
}

/** openViewer for a trace already in memory and validated (checkTrace); traceName titles the page. */
export async function openViewerText(traceText: string, traceName: string, options: OpenViewerOptions = {}): Promise<OpenedViewer> {
  const bundleJs = readFileSync(findBundle(), "utf8");
  if (options.out !== undefined) {
    writeAtomically(options.out, selfContainedPage(traceText, traceName, bundleJs));
    return { out: options.out, close: async () => {} };
  }
  const page = renderPage({ bundle: { url: "viewer.js" }, trace: { url: "trace.ndjson" }, traceName });
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split(/[?#]/)[0];
    const send = (type: string, body: string) => {
      res.writeHead(200, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
    } else if (path === "/" || path === "/index.html") send("text/html; charset=utf-8", page);
    else if (path === "/viewer.js") send("text/javascript; charset=utf-8", bundleJs);
    else if (path === "/trace.ndjson") send("application/x-ndjson; charset=utf-8", traceText);
    else res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  const port = await listen(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(new ViewerInputError(`cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`)));
    // Loopback only: a trace can hold anything, and the server has no authentication.
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}
