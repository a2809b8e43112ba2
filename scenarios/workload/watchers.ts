// Watchers: clients that open a watch on the whole key space and record every response.
// A stream that loses or reorders a message is broken from there on, as a TCP stream would
// be: the record stops at the last message received in sequence.
import { MSG_WATCH_CREATE, MSG_WATCH_RESPONSE, type WatchCreateMsg } from "../../core/client/protocol";
import type { WatchResponse as ServerWatchResponse } from "../../core/server/api";
import type { WatcherHistory } from "../../checker/watch";
import type { WatchStreamMsg } from "../../sim/etcd/node";
import type { World } from "../../sim/world";

export const WATCHER_ID_BASE = 500;

export interface WatcherRecord {
  history: WatcherHistory;
  broken: boolean;
}

export function startWatchers(world: World, count: number, members: () => number[], startAtUs: number, range: { key: string; rangeEnd: string } = { key: "k", rangeEnd: "l" }): WatcherRecord[] {
  const records: WatcherRecord[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = WATCHER_ID_BASE + i;
    const request = { ...range, prevKv: i % 2 === 0, progressNotify: true };
    const record: WatcherRecord = { history: { id: clientId, request, responses: [] }, broken: false };
    records.push(record);
    let expectSeq = 0;
    world.network.register(clientId, (_from, msgType, payload) => {
      if (msgType !== MSG_WATCH_RESPONSE || record.broken) return;
      const m = payload as WatchStreamMsg;
      if (m.seq !== expectSeq) {
        record.broken = true;
        return;
      }
      expectSeq++;
      const r: ServerWatchResponse = m.response;
      if (r.created && r.events.length === 0 && !r.canceled) return;
      record.history.responses.push({
        revision: r.header.revision,
        events: r.events.map((e) => ({ type: e.type, kv: e.kv, ...(e.prevKv ? { prevKv: e.prevKv } : {}) })),
        ...(r.events.length === 0 && !r.canceled ? { progressNotify: true } : {}),
        ...(r.canceled ? { canceled: true, compactRevision: r.compactRevision } : {}),
      });
      world.record({ tUs: world.nowUs, type: "watch-event", watcher: clientId, revision: r.header.revision, events: r.events.map((e) => ({ type: e.type, key: e.kv.key, modRevision: e.kv.modRevision })) });
    });
    world.scheduler.at(startAtUs + i * 1_000, () => {
      const ms = members();
      const member = ms[i % ms.length]!;
      const msg: WatchCreateMsg = { clientId, watcherId: clientId, request };
      world.network.send(clientId, member, MSG_WATCH_CREATE, msg, { bytes: 64 });
    });
  }
  return records;
}
