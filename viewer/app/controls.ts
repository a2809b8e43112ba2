// Playback and navigation: play / pause, speed on a log scale, step to the next or
// previous event, election or fault, message-type filters, keyboard shortcuts (listed on
// "?") and a URL hash holding the cursor so a link reopens the same moment.
import { nextEventIndex, prevEventIndex } from "../model/build";
import { el, fmtUs, msgColor } from "./format";
import type { Store, ViewState } from "./state";

const SPEED_MIN_LOG = -4; // 0.0001x real time
const SPEED_MAX_LOG = 1; // 10x

export const SHORTCUTS: [string, string][] = [
  ["Space", "play / pause"],
  ["→ / ←", "next / previous event"],
  ["e / Shift+E", "next / previous election"],
  ["f / Shift+F", "next / previous fault"],
  ["] / [", "faster / slower"],
  ["+ / -", "zoom in / out"],
  ["Home / End", "start / end of the run"],
  ["?", "show / hide this help"],
  ["Esc", "close help, clear selection"],
];

export class Controls {
  private readonly playButton: HTMLButtonElement;
  private readonly timeLabel: HTMLElement;
  private readonly speedInput: HTMLInputElement;
  private readonly speedLabel: HTMLElement;
  private readonly help: HTMLElement;
  private lastTickMs: number | null = null;
  private hashTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(bar: HTMLElement, filters: HTMLElement, helpHost: HTMLElement, private readonly store: Store) {
    const button = (text: string, title: string, id: string, action: () => void) => {
      const b = el("button", text);
      b.title = title;
      b.id = id;
      b.addEventListener("click", action);
      bar.appendChild(b);
      return b;
    };
    button("◀ prev", "previous event (←)", "prev-event", () => this.stepEvent(-1));
    this.playButton = button("play", "play / pause (Space)", "play", () => this.togglePlay());
    button("next ▶", "next event (→)", "next-event", () => this.stepEvent(1));
    button("next election", "next election (e)", "next-election", () => this.jumpElection(1));
    button("next fault", "next fault (f)", "next-fault", () => this.jumpFault(1));
    const speedBox = el("label", "speed ");
    this.speedInput = el("input");
    this.speedInput.type = "range";
    this.speedInput.min = String(SPEED_MIN_LOG);
    this.speedInput.max = String(SPEED_MAX_LOG);
    this.speedInput.step = "0.1";
    this.speedInput.id = "speed";
    this.speedInput.value = String(Math.log10(store.state.speed));
    this.speedInput.addEventListener("input", () => this.setSpeed(10 ** Number(this.speedInput.value)));
    speedBox.appendChild(this.speedInput);
    this.speedLabel = el("span");
    speedBox.appendChild(this.speedLabel);
    bar.appendChild(speedBox);
    this.timeLabel = el("span", "", "time");
    this.timeLabel.id = "cursor-time";
    bar.appendChild(this.timeLabel);
    button("?", "keyboard shortcuts (?)", "help-button", () => this.toggleHelp());
    this.setSpeed(store.state.speed);

    filters.appendChild(el("span", "messages: ", "muted"));
    for (const { msgType, count } of store.model.msgTypes) {
      const label = el("label", undefined, "filter");
      const box = el("input");
      box.type = "checkbox";
      box.checked = !store.state.hiddenMsgTypes.has(msgType);
      box.dataset.msgType = msgType;
      box.addEventListener("change", () => {
        if (box.checked) store.state.hiddenMsgTypes.delete(msgType);
        else store.state.hiddenMsgTypes.add(msgType);
        store.requestRender();
      });
      const swatch = el("span", "", "swatch");
      swatch.style.background = msgColor(msgType);
      label.append(box, swatch, el("span", `${msgType} (${count})`));
      filters.appendChild(label);
    }
    filters.appendChild(el("span", "  dropped messages: red ×", "muted"));

    this.help = el("div");
    this.help.id = "help";
    this.help.hidden = true;
    this.help.appendChild(el("h2", "Keyboard shortcuts"));
    const table = el("table");
    for (const [k, what] of SHORTCUTS) {
      const tr = table.insertRow();
      tr.appendChild(el("th", k));
      tr.appendChild(el("td", what));
    }
    this.help.appendChild(table);
    this.help.appendChild(el("p", "Mouse: click an arrow, bar or lane to inspect it; drag the mini-map to scrub; wheel zooms the timeline, Shift+wheel or drag pans.", "muted"));
    this.help.addEventListener("click", () => this.toggleHelp(false));
    helpHost.appendChild(this.help);

    window.addEventListener("keydown", (e) => this.onKey(e));
    window.addEventListener("hashchange", () => this.readHash());
    this.readHash();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target instanceof HTMLInputElement && e.target.type !== "checkbox" && e.target.type !== "range") return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const s = this.store.state;
    const handled = (() => {
      switch (e.key) {
        case " ":
          return this.togglePlay(), true;
        case "ArrowRight":
          return this.stepEvent(1), true;
        case "ArrowLeft":
          return this.stepEvent(-1), true;
        case "e":
          return this.jumpElection(1), true;
        case "E":
          return this.jumpElection(-1), true;
        case "f":
          return this.jumpFault(1), true;
        case "F":
          return this.jumpFault(-1), true;
        case "]":
          return this.setSpeed(s.speed * 2), true;
        case "[":
          return this.setSpeed(s.speed / 2), true;
        case "+":
        case "=":
          return this.zoom(0.5), true;
        case "-":
          return this.zoom(2), true;
        case "Home":
          return this.store.setCursor(this.store.model.startUs), true;
        case "End":
          return this.store.setCursor(this.store.model.endUs), true;
        case "?":
          return this.toggleHelp(), true;
        case "Escape":
          this.toggleHelp(false);
          s.selection = null;
          this.store.requestRender();
          return true;
        default:
          return false;
      }
    })();
    if (handled) e.preventDefault();
  }

  private toggleHelp(show = this.help.hidden): void {
    this.help.hidden = !show;
  }

  private zoom(factor: number): void {
    const s = this.store.state;
    const total = this.store.model.endUs - this.store.model.startUs;
    s.viewSpanUs = Math.max(1_000, Math.min(total, s.viewSpanUs * factor));
    this.store.centerOn(s.cursorUs);
    this.store.requestRender();
  }

  private setSpeed(speed: number): void {
    const s = this.store.state;
    s.speed = Math.min(10 ** SPEED_MAX_LOG, Math.max(10 ** SPEED_MIN_LOG, speed));
    this.speedInput.value = String(Math.log10(s.speed));
    this.speedLabel.textContent = ` ${s.speed >= 0.01 ? s.speed.toPrecision(2) : s.speed.toExponential(0)}×`;
  }

  togglePlay(): void {
    const s = this.store.state;
    s.playing = !s.playing;
    if (s.playing && s.cursorUs >= this.store.model.endUs) this.store.setCursor(this.store.model.startUs);
    this.playButton.textContent = s.playing ? "pause" : "play";
    this.lastTickMs = null;
    if (s.playing) requestAnimationFrame((t) => this.tick(t));
  }

  private tick(nowMs: number): void {
    const s = this.store.state;
    if (!s.playing) return;
    if (this.lastTickMs !== null) {
      const next = s.cursorUs + (nowMs - this.lastTickMs) * 1000 * s.speed;
      this.store.setCursor(next);
      if (next >= this.store.model.endUs) return this.togglePlay();
    }
    this.lastTickMs = nowMs;
    requestAnimationFrame((t) => this.tick(t));
  }

  stepEvent(direction: 1 | -1): void {
    const { model, state } = this.store;
    const i = direction > 0 ? nextEventIndex(model, state.cursorUs, this.store.isVisibleEvent) : prevEventIndex(model, state.cursorUs, this.store.isVisibleEvent);
    if (i < 0) return;
    state.selection = { kind: "event", index: i };
    this.store.setCursor(model.events[i]!.tUs);
  }

  private jumpElection(direction: 1 | -1): void {
    const { model, state } = this.store;
    const times = model.elections.map((e) => e.endUs ?? e.startUs);
    const t = direction > 0 ? times.find((x) => x > state.cursorUs) : [...times].reverse().find((x) => x < state.cursorUs);
    if (t === undefined) return;
    const e = model.elections[times.indexOf(t)]!;
    state.selection = { kind: "election", term: e.term };
    this.store.setCursor(t);
  }

  private jumpFault(direction: 1 | -1): void {
    const { model, state } = this.store;
    const i = direction > 0 ? nextEventIndex(model, state.cursorUs, (e) => e.type === "fault") : prevEventIndex(model, state.cursorUs, (e) => e.type === "fault");
    if (i < 0) return;
    state.selection = { kind: "event", index: i };
    this.store.setCursor(model.events[i]!.tUs);
  }

  private readHash(): void {
    const m = /(?:^#|&)t=(\d+(?:\.\d+)?)/.exec(location.hash);
    if (m && Number(m[1]) !== this.store.state.cursorUs) this.store.setCursor(Number(m[1]));
  }

  draw(s: ViewState): void {
    this.timeLabel.textContent = `${fmtUs(s.cursorUs)} / ${fmtUs(this.store.model.endUs)}`;
    // Debounced: browsers rate-limit history updates and scrubbing would exceed that.
    if (this.hashTimer !== null) clearTimeout(this.hashTimer);
    this.hashTimer = setTimeout(() => {
      const hash = `#t=${Math.round(this.store.state.cursorUs)}`;
      if (location.hash !== hash) history.replaceState(null, "", hash);
    }, 250);
  }
}
