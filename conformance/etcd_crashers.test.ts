// The suite's guard against requests that crash etcd 3.4 (conformance/etcd_crashers.ts).
import { describe, expect, it } from "vitest";
import { del, get, put, txn } from "../core/server/request_scripts";
import { crashesEtcd34 } from "./etcd_crashers";

describe("crashesEtcd34", () => {
  it("flags a from-key delete with an ignore_value/ignore_lease put in its range, nested or not", () => {
    expect(crashesEtcd34(txn([], [del("a", { rangeEnd: "\0" }), put("a", "", { ignoreLease: true })]))).toBe(true);
    expect(crashesEtcd34(txn([], [txn([], [del("a", { rangeEnd: "\0" })]), put("c", "", { ignoreValue: true })]))).toBe(true);
    expect(crashesEtcd34(txn([], [], [del("\0", { rangeEnd: "\0" }), put("a", "", { ignoreValue: true })]))).toBe(true);
  });
  it("leaves the rest alone", () => {
    expect(crashesEtcd34(txn([], [del("b", { rangeEnd: "\0" }), put("a", "", { ignoreLease: true })]))).toBe(false);
    expect(crashesEtcd34(txn([], [del("a", { rangeEnd: "c" }), put("b", "", { ignoreLease: true })]))).toBe(false);
    expect(crashesEtcd34(txn([], [del("a", { rangeEnd: "\0" }), put("b", "1")]))).toBe(false);
    expect(crashesEtcd34(put("a", "", { ignoreLease: true }))).toBe(false);
    expect(crashesEtcd34(get("a"))).toBe(false);
  });
});
