import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CapRefusal, ConnectionCaps } from "../../src/transport/connection-caps.js";

describe("ConnectionCaps", () => {
  it("caps per source and in all, releases, and reports once per interval per source", () => {
    let now = 0;
    const reports: CapRefusal[] = [];
    const caps = new ConnectionCaps(
      { maxConnections: 4, maxPerSource: 2, reportEveryMs: 1000 },
      () => now,
      (r) => reports.push(r),
    );
    assert.ok(caps.admit("a", "TCP") && caps.admit("a", "TCP"));
    assert.ok(!caps.admit("a", "TCP") && !caps.admit("a", "TLS"));
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0], { protocol: "TCP", source: "a", limit: "per-source", max: 2, refused: 1 });
    assert.ok(caps.admit("b", "TCP") && caps.admit("c", "TCP"));
    assert.ok(!caps.admit("d", "TCP"), "four in all");
    assert.equal(reports.at(-1)?.limit, "total");
    caps.release("a");
    assert.ok(caps.admit("d", "TCP"), "a place freed");
    now = 1500;
    assert.ok(!caps.admit("a", "TCP"));
    assert.equal(
      reports.filter((r) => r.source === "a").at(-1)?.refused,
      2,
      "the refusal held back is counted",
    );
    assert.equal(caps.refusedTotal, 4);
  });
});
