import { describe, expect, it } from "vitest";
import { Scheduler } from "./scheduler";

describe("Scheduler", () => {
  it("runs events in (time, insertion) order", () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.at(20, () => order.push("c"));
    s.at(10, () => order.push("a"));
    s.at(10, () => order.push("b"));
    s.at(5, () => s.after(5, () => order.push("d"))); // same time as a/b, inserted later
    s.runUntilIdle();
    expect(order).toEqual(["a", "b", "d", "c"]);
    expect(s.nowUs).toBe(20);
  });

  it("runUntil stops at the time and sets the clock", () => {
    const s = new Scheduler();
    const seen: number[] = [];
    for (const t of [1, 5, 9, 12]) s.at(t, () => seen.push(s.nowUs));
    s.runUntil(9);
    expect(seen).toEqual([1, 5, 9]);
    expect(s.nowUs).toBe(9);
    expect(s.pending).toBe(1);
  });

  it("cancelled events never run and runEvents bounds the count", () => {
    const s = new Scheduler();
    let ran = 0;
    const h = s.at(3, () => ran++);
    s.cancel(h);
    for (let i = 0; i < 10; i++) s.at(10 + i, () => ran++);
    expect(s.runEvents(4)).toBe(4);
    expect(ran).toBe(4);
  });

  it("a cancelled event at the top does not let runUntil run a later event early", () => {
    const s = new Scheduler();
    const seen: number[] = [];
    s.cancel(s.at(5, () => seen.push(s.nowUs)));
    s.post(15, () => seen.push(s.nowUs));
    s.runUntil(10);
    expect(seen).toEqual([]);
    expect(s.nowUs).toBe(10);
    s.runUntil(20);
    expect(seen).toEqual([15]);
  });

  it("post() events interleave with at() events in (time, insertion) order", () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.post(10, () => order.push("p1"));
    s.at(10, () => order.push("a"));
    s.post(10, () => order.push("p2"));
    s.post(3, () => order.push("early"));
    s.runUntilIdle();
    expect(order).toEqual(["early", "p1", "a", "p2"]);
    expect(s.eventsRun).toBe(4);
  });

  it("rejects events in the past and non-integer times", () => {
    const s = new Scheduler();
    s.runUntil(100);
    expect(() => s.at(50, () => {})).toThrow(/past/);
    expect(() => s.at(100.5, () => {})).toThrow(/integer/);
  });

  it("keeps heap order over many random events", () => {
    const s = new Scheduler();
    const times: number[] = [];
    let x = 12345;
    for (let i = 0; i < 5_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = x % 100_000;
      s.at(t, () => times.push(s.nowUs));
    }
    s.runUntilIdle();
    expect(times.length).toBe(5_000);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  });
});
