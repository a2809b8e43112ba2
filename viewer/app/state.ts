// The viewer's one mutable state and its redraw scheduling. Every input (scrub, key,
// click, playback tick) changes the state and asks for a frame; frames are coalesced with
// requestAnimationFrame so a burst of pointer moves costs one redraw.
import type { NodeId } from "../../sim/trace/types";
import type { TraceModel } from "../model/build";
import { isHeartbeat } from "../model/build";

export type Selection =
  | { kind: "event"; index: number }
  | { kind: "node"; node: NodeId }
  | { kind: "op"; opId: number }
  | { kind: "election"; term: number }
  | null;

export interface ViewState {
  cursorUs: number;
  /** Visible time window of the timeline. */
  viewStartUs: number;
  viewSpanUs: number;
  playing: boolean;
  /** Virtual seconds per real second. */
  speed: number;
  hiddenMsgTypes: Set<string>;
  selection: Selection;
  /** Operations of the counterexample shown on the client lanes. */
  highlightOpIds: Set<number>;
}

export type Renderer = (state: ViewState) => void;

export class Store {
  readonly state: ViewState;
  private readonly renderers: Renderer[] = [];
  private frameRequested = false;
  /** Frames drawn so far (the benchmark reads it through window.__viewer). */
  frames = 0;
  lastFrameMs = 0;

  constructor(readonly model: TraceModel) {
    const span = model.endUs - model.startUs;
    this.state = {
      cursorUs: model.startUs,
      viewStartUs: model.startUs,
      viewSpanUs: Math.min(span, 2_000_000),
      playing: false,
      speed: 0.1,
      hiddenMsgTypes: new Set(model.msgTypes.map((m) => m.msgType).filter(isHeartbeat)),
      selection: null,
      highlightOpIds: new Set(),
    };
  }

  onRender(r: Renderer): void {
    this.renderers.push(r);
  }

  /** Moves the cursor (clamped) and keeps it inside the visible window. */
  setCursor(tUs: number): void {
    const s = this.state;
    s.cursorUs = Math.max(this.model.startUs, Math.min(this.model.endUs, tUs));
    if (s.cursorUs < s.viewStartUs || s.cursorUs > s.viewStartUs + s.viewSpanUs) this.centerOn(s.cursorUs);
    this.requestRender();
  }

  centerOn(tUs: number): void {
    const s = this.state;
    const total = this.model.endUs - this.model.startUs;
    s.viewSpanUs = Math.min(s.viewSpanUs, total);
    s.viewStartUs = Math.max(this.model.startUs, Math.min(this.model.endUs - s.viewSpanUs, tUs - s.viewSpanUs / 2));
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.renderNow();
    });
  }

  renderNow(): void {
    const t0 = performance.now();
    for (const r of this.renderers) r(this.state);
    this.frames++;
    this.lastFrameMs = performance.now() - t0;
  }

  isVisibleEvent = (ev: TraceModel["events"][number]): boolean => {
    if (ev.type === "send" || ev.type === "deliver" || ev.type === "drop") return !this.state.hiddenMsgTypes.has(ev.msgType);
    return ev.type !== "node-state" && ev.type !== "duplicate";
  };
}
