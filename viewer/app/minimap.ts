// The mini-map: the whole run at a glance (event density, faults, elections) with the
// visible window and the cursor. Dragging on it scrubs the cursor; each pointer move only
// updates the state, and the store draws at most once per animation frame.
import type { TraceModel } from "../model/build";
import { ROLE_COLORS } from "./format";
import type { Store, ViewState } from "./state";

const HEIGHT_PX = 46;
const BINS = 800;

export class Minimap {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private widthPx = 800;
  private readonly density: Float32Array;
  private background: HTMLCanvasElement | null = null;

  constructor(
    container: HTMLElement,
    private readonly store: Store,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.id = "minimap";
    this.canvas.title = "drag to scrub";
    container.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d")!;
    this.density = densityOf(store.model);
    this.resize();
    new ResizeObserver(() => {
      this.resize();
      store.requestRender();
    }).observe(container);
    let dragging = false;
    const scrub = (e: PointerEvent) => {
      const rect = this.canvas.getBoundingClientRect();
      const m = store.model;
      store.setCursor(m.startUs + ((e.clientX - rect.left) / rect.width) * (m.endUs - m.startUs));
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      scrub(e);
    });
    this.canvas.addEventListener("pointermove", (e) => dragging && scrub(e));
    this.canvas.addEventListener("pointerup", () => (dragging = false));
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    this.widthPx = Math.max(200, this.canvas.parentElement!.clientWidth);
    this.canvas.width = Math.round(this.widthPx * dpr);
    this.canvas.height = Math.round(HEIGHT_PX * dpr);
    this.canvas.style.width = `${this.widthPx}px`;
    this.canvas.style.height = `${HEIGHT_PX}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.background = null;
  }

  /** The static part is drawn once per size into an offscreen canvas, then blitted. */
  private drawBackground(): HTMLCanvasElement {
    const dpr = window.devicePixelRatio || 1;
    const bg = document.createElement("canvas");
    bg.width = this.canvas.width;
    bg.height = this.canvas.height;
    const ctx = bg.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#f4f6f9";
    ctx.fillRect(0, 0, this.widthPx, HEIGHT_PX);
    const m = this.store.model;
    const x = (tUs: number) => ((tUs - m.startUs) / (m.endUs - m.startUs)) * this.widthPx;
    for (const w of m.faults) {
      ctx.fillStyle = w.kind === "crash" ? "rgba(0,0,0,0.25)" : w.kind === "partition" ? "rgba(214,39,40,0.22)" : w.kind === "pause" ? "rgba(120,120,120,0.25)" : "rgba(255,127,14,0.25)";
      ctx.fillRect(x(w.startUs), 0, Math.max(2, x(w.endUs) - x(w.startUs)), HEIGHT_PX);
    }
    let max = 0;
    for (const v of this.density) max = Math.max(max, v);
    ctx.fillStyle = "#7b8fb0";
    const binPx = this.widthPx / BINS;
    for (let i = 0; i < BINS; i++) {
      const h = max ? (this.density[i]! / max) * (HEIGHT_PX - 10) : 0;
      ctx.fillRect(i * binPx, HEIGHT_PX - h, Math.max(1, binPx), h);
    }
    ctx.fillStyle = ROLE_COLORS.leader!;
    for (const e of m.elections) if (e.endUs !== null) ctx.fillRect(x(e.endUs) - 1, 0, 2, 8);
    return bg;
  }

  draw(s: ViewState): void {
    const { ctx } = this;
    const m = this.store.model;
    this.background ??= this.drawBackground();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.background, 0, 0);
    ctx.setTransform(window.devicePixelRatio || 1, 0, 0, window.devicePixelRatio || 1, 0, 0);
    const x = (tUs: number) => ((tUs - m.startUs) / (m.endUs - m.startUs)) * this.widthPx;
    ctx.strokeStyle = "#333";
    ctx.lineWidth = 1;
    ctx.strokeRect(x(s.viewStartUs) + 0.5, 0.5, Math.max(3, x(s.viewStartUs + s.viewSpanUs) - x(s.viewStartUs)), HEIGHT_PX - 1);
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x(s.cursorUs), 0);
    ctx.lineTo(x(s.cursorUs), HEIGHT_PX);
    ctx.stroke();
  }
}

function densityOf(model: TraceModel): Float32Array {
  const bins = new Float32Array(BINS);
  const span = model.endUs - model.startUs;
  for (let i = 0; i < model.timesUs.length; i++) {
    const b = Math.min(BINS - 1, Math.floor(((model.timesUs[i]! - model.startUs) / span) * BINS));
    bins[b]!++;
  }
  return bins;
}
