/**
 * A call record is never lost (issue 22, hole 3): peer-supplied fields too long or with control
 * characters are stored cut with a marker (the store refused them before, and the record lived
 * only in a log line); a write that fails anyway is spooled to disk and retried.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { CUT_MARKER, fitCallRecord, fitText } from "../../src/store/cdr-fit.js";
import type { CdrRepository } from "../../src/store/cdr-repository.js";
import { CDR_LIMITS } from "../../src/store/cdr-validation.js";
import { type CallRecord, CdrRecorder, CdrSpool, openStore } from "../../src/store/index.js";
import { sampleCdr } from "./cdr-fixtures.js";

const silent = { error: () => {} };

/** The record as a hostile peer shapes it: a 2,000-character Contact with a TAB, and so on. */
function hostile() {
  const base = sampleCdr();
  return sampleCdr({
    dialed: "1".repeat(100),
    sipReason: "B".repeat(200),
    legs: base.legs.map((leg, i) =>
      i === 0 ? { ...leg, peer: `sip:100@192.0.2.10\t;x=${"a".repeat(2000)}`, callId: "c".repeat(400) } : leg,
    ),
  });
}

describe("fitting a CDR to the store", () => {
  it("cuts long fields with a marker and turns control characters into spaces", () => {
    assert.equal(fitText("abc", 3), "abc");
    assert.equal(fitText("abcd", 3), `ab${CUT_MARKER}`);
    assert.equal(fitText("a\tb\r\nc", 10), "a b  c");
    const fitted = fitCallRecord(hostile());
    assert.equal([...fitted.dialed].length, CDR_LIMITS.number);
    assert.ok(fitted.dialed.endsWith(CUT_MARKER));
    assert.equal([...fitted.sipReason].length, CDR_LIMITS.sipReason);
    assert.equal([...fitted.legs[0]!.peer].length, CDR_LIMITS.peer);
    assert.ok(!fitted.legs[0]!.peer.includes("\t"));
    assert.equal([...fitted.legs[0]!.callId].length, CDR_LIMITS.legCallId);
  });
});

describe("CdrRecorder never loses a record", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "parley-cdr-lost-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stores a hostile peer's call record (the store refused it before)", async () => {
    const store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    try {
      await store.migrate();
      const stored = await new CdrRecorder(store.cdrs, silent).record(hostile());
      assert.ok(stored, "stored");
      const [row] = (await store.cdrs.list({ domainId: 1 })).items;
      assert.equal(row?.dialed, `${"1".repeat(63)}${CUT_MARKER}`);
      assert.ok(row?.legs[0]?.peer.startsWith("sip:100@192.0.2.10 ;x=aaa"));
    } finally {
      await store.close();
    }
  });

  it("spools a record the store cannot take, durably, and stores it when the store is back", async () => {
    const store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    await store.migrate();
    let down = true;
    const flaky: CdrRepository = {
      insert: (cdr) => (down ? Promise.reject(new Error("database is gone")) : store.cdrs.insert(cdr)),
      list: (q) => store.cdrs.list(q),
      iterate: (q) => store.cdrs.iterate(q),
    };
    const spool = new CdrSpool(dir);
    const recorder = new CdrRecorder(flaky, silent, undefined, spool, 3_600_000);
    try {
      assert.equal(await recorder.record(sampleCdr({ callId: "kept-1" })), undefined);
      assert.equal(await recorder.record(sampleCdr({ callId: "kept-2" })), undefined);
      // On disk before record() resolved: a crash now loses nothing.
      const lines = readFileSync(spool.file, "utf8").trim().split("\n");
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as { callId: string }).callId),
        ["kept-1", "kept-2"],
      );
      assert.equal(await recorder.retrySpool(), 0, "still down: both stay");
      assert.equal(spool.pending().length, 2);
      down = false;
      assert.equal(await recorder.retrySpool(), 2);
      assert.deepEqual(spool.pending(), []);
      const stored = (await store.cdrs.list({ domainId: 1 })).items as CallRecord[];
      assert.deepEqual(stored.map((r) => r.callId).sort(), ["kept-1", "kept-2"]);
    } finally {
      recorder.close();
      await store.close();
    }
  });

  it("a new recorder retries what an earlier process spooled (a restart)", async () => {
    new CdrSpool(dir).add(sampleCdr({ callId: "from-before" }));
    const store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    const recorder = new CdrRecorder(store.cdrs, silent, undefined, new CdrSpool(dir), 3_600_000);
    try {
      await store.migrate();
      assert.equal(await recorder.retrySpool(), 1);
      assert.deepEqual(
        (await store.cdrs.list({ domainId: 1 })).items.map((r) => r.callId),
        ["from-before"],
      );
      assert.ok(existsSync(join(dir, "cdr-spool.jsonl")));
      assert.equal(readFileSync(join(dir, "cdr-spool.jsonl"), "utf8"), "");
    } finally {
      recorder.close();
      await store.close();
    }
  });
});
