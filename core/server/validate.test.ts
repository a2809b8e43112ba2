import { describe, expect, it } from "vitest";
import { ERR_DUPLICATE_KEY, ERR_EMPTY_KEY, ERR_LEASE_PROVIDED, ERR_LEASE_TTL_TOO_LARGE, ERR_REQUEST_TOO_LARGE, ERR_TOO_MANY_OPS, ERR_VALUE_PROVIDED, type EtcdRequest } from "./api";
import { cmp, del, get, put, txn } from "./request_scripts";
import { validateRequest } from "./validate";

const many = (n: number) => Array.from({ length: n }, (_, i) => put(`k${i}`, "v"));

const cases: [string, EtcdRequest, string | undefined][] = [
  ["plain put", put("a", "1"), undefined],
  ["empty key put", put("", "1"), ERR_EMPTY_KEY],
  ["empty key range", get(""), ERR_EMPTY_KEY],
  ["empty key delete", del(""), ERR_EMPTY_KEY],
  ["ignoreValue with value", put("a", "1", { ignoreValue: true }), ERR_VALUE_PROVIDED],
  ["ignoreValue without value", put("a", "", { ignoreValue: true }), undefined],
  ["ignoreLease with lease", put("a", "1", { ignoreLease: true, lease: 3 }), ERR_LEASE_PROVIDED],
  ["value 1.6 MiB", put("a", "x".repeat(1_600_000)), ERR_REQUEST_TOO_LARGE],
  ["value 1.4 MiB", put("a", "x".repeat(1_400_000)), undefined],
  ["lease TTL too large", { type: "leaseGrant", ID: 1, TTL: 9_000_000_001 }, ERR_LEASE_TTL_TOO_LARGE],
  ["128 ops", txn([], many(128)), undefined],
  ["129 success ops", txn([], many(129)), ERR_TOO_MANY_OPS],
  ["129 failure ops", txn([], [], many(129)), ERR_TOO_MANY_OPS],
  ["129 compares", txn(Array.from({ length: 129 }, () => cmp("a", "VERSION", "EQUAL", 0)), []), ERR_TOO_MANY_OPS],
  ["129 ops nested", txn([], [txn([], many(129))]), ERR_TOO_MANY_OPS],
  ["compare with empty key", txn([cmp("", "VERSION", "EQUAL", 0)], []), ERR_EMPTY_KEY],
  ["nested empty key", txn([], [txn([], [put("", "1")])]), ERR_EMPTY_KEY],
  ["put twice", txn([], [put("a", "1"), put("a", "2")]), ERR_DUPLICATE_KEY],
  ["put and delete same key", txn([], [put("a", "1"), del("a")]), ERR_DUPLICATE_KEY],
  ["put inside a deleted interval", txn([], [del("a", { rangeEnd: "c" }), put("b", "1")]), ERR_DUPLICATE_KEY],
  ["put at the interval end is fine", txn([], [del("a", { rangeEnd: "c" }), put("c", "1")]), undefined],
  ["'\\0' delete is taken literally (etcd 3.4)", txn([], [del("a", { rangeEnd: "\0" }), put("b", "1")]), undefined],
  ["overlapping deletes are fine", txn([], [del("a"), del("a", { rangeEnd: "c" })]), undefined],
  ["put in parent and nested", txn([], [put("a", "1"), txn([], [put("a", "2")])]), ERR_DUPLICATE_KEY],
  ["same key in nested success and failure", txn([], [txn([], [put("a", "2")], [put("a", "3")])]), undefined],
  ["same key in two nested txns", txn([], [txn([], [put("a", "2")]), txn([], [put("a", "3")])]), ERR_DUPLICATE_KEY],
  ["parent delete, nested put", txn([], [del("a"), txn([], [put("a", "2")])]), ERR_DUPLICATE_KEY],
  ["parent put, nested delete", txn([], [put("b", "9"), txn([], [del("b")])]), ERR_DUPLICATE_KEY],
  ["success and failure branches are separate", txn([], [put("a", "1")], [put("a", "2")]), undefined],
];

describe("validateRequest (etcd's gRPC-layer checks)", () => {
  it.each(cases)("%s", (_name, req, want) => {
    expect(validateRequest(req)).toBe(want);
  });
});
