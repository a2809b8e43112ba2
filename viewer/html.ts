// The viewer's HTML page. Either inlines the bundle and the trace (one self-contained file
// for CI artifacts) or references them on the local server. Inlined text is escaped so no
// trace content can close the script tag or be read as markup.

export interface PageOptions {
  /** Inline the bundle, or reference it by URL. */
  bundle: { inline: string } | { url: string };
  /** Inline the trace text, or let the page fetch it. */
  trace: { inline: string } | { url: string };
  traceName: string;
}

/** A JS string literal safe inside <script>: no "</script", "<!--", or line separators. */
export function scriptString(text: string): string {
  return JSON.stringify(text).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Code inlined in a script element: only "</script" and "<!--" could end or confuse it. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(options: PageOptions): string {
  const traceScript = "inline" in options.trace ? `window.__RAFTSIM_TRACE__ = ${scriptString(options.trace.inline)};` : `window.__RAFTSIM_TRACE_URL__ = ${scriptString(options.trace.url)};`;
  const bundle = "inline" in options.bundle ? `<script>${inlineScript(options.bundle.inline)}</script>` : `<script src="${escapeHtml(options.bundle.url)}"></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>raftsim · ${escapeHtml(options.traceName)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body data-state="loading">
<div id="app"><p class="muted" id="loading">Loading the trace…</p></div>
<script>window.__RAFTSIM_TRACE_NAME__ = ${scriptString(options.traceName)}; ${traceScript}</script>
${bundle}
</body>
</html>
`;
}

const CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232b; background: #fff; }
header { position: sticky; top: 0; z-index: 2; background: #1f2a38; color: #fff; padding: 6px 10px; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.bar button { background: #33445a; color: #fff; border: 1px solid #4a5d77; border-radius: 4px; padding: 3px 9px; cursor: pointer; font-size: 13px; }
.bar button:hover { background: #44597a; }
.bar label { margin-left: 8px; display: inline-flex; align-items: center; gap: 4px; }
.bar .time { font-variant-numeric: tabular-nums; margin-left: 8px; min-width: 150px; }
.bar .title { margin-right: 10px; font-weight: 600; }
#help-button { margin-left: auto; }
main { display: flex; gap: 10px; padding: 8px; align-items: flex-start; }
.left { flex: 1 1 auto; min-width: 0; }
aside { flex: 0 0 400px; display: flex; flex-direction: column; gap: 8px; max-height: calc(100vh - 60px); overflow: auto; }
.panel { border: 1px solid #dde2e8; border-radius: 6px; padding: 6px 8px; }
h2 { font-size: 13px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: 0.04em; color: #4a5566; }
h3 { font-size: 12px; margin: 8px 0 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; margin-bottom: 4px; }
.filters label { display: inline-flex; align-items: center; gap: 3px; cursor: pointer; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
.lanes canvas { display: block; cursor: crosshair; }
.minimap { margin-top: 6px; }
.minimap canvas { display: block; cursor: ew-resize; border: 1px solid #dde2e8; }
.muted { color: #6b7687; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 5px; border-bottom: 1px solid #eef0f3; vertical-align: top; word-break: break-word; }
#elections tbody tr { cursor: pointer; }
#elections tbody tr:hover { background: #eef4ff; }
#elections tr.current { background: #dff3e6; }
.bad { color: #c62828; font-weight: 600; }
.verdict { font-weight: 700; padding: 4px 6px; border-radius: 4px; }
.verdict.bad { background: #fde7e9; }
.verdict.good { background: #e3f5e8; color: #1b7f3b; }
.badge { display: inline-block; min-width: 52px; text-align: center; border-radius: 3px; padding: 0 4px; font-size: 11px; font-weight: 700; }
.badge.pass { background: #e3f5e8; color: #1b7f3b; } .badge.fail { background: #fde7e9; color: #c62828; }
.badge.unknown, .badge.skipped { background: #f1f1f1; color: #555; }
ul { margin: 0; padding-left: 0; list-style: none; } li { margin: 3px 0; }
.counterexample button { margin: 4px 0; background: #c2185b; color: #fff; border: 0; border-radius: 4px; padding: 3px 8px; cursor: pointer; }
pre { background: #f6f8fa; padding: 6px; max-height: 160px; overflow: auto; margin: 0; white-space: pre-wrap; word-break: break-word; }
.kv th { width: 38%; color: #4a5566; font-weight: 600; }
#help { position: fixed; inset: 60px 25% auto 25%; z-index: 5; background: #fff; border: 1px solid #aab4c3; border-radius: 8px; padding: 14px 18px; box-shadow: 0 8px 30px rgba(0,0,0,0.25); }
#help[hidden] { display: none; }
#error { margin: 40px auto; max-width: 760px; border: 2px solid #c62828; border-radius: 8px; padding: 16px 20px; background: #fff5f5; }
#error h2 { color: #c62828; font-size: 16px; text-transform: none; }
#error p { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
#graph { display: block; margin: 0 auto; }
.mono { font-family: ui-monospace, monospace; font-size: 11px; white-space: pre-wrap; word-break: break-all; }
.cx-op { cursor: pointer; border-left: 3px solid #c2185b; padding: 2px 6px; margin: 4px 0; background: #fdf2f6; }
#counterexample-ops { padding: 0; }
`;
