/**
 * Issue 22, hole 3: the call-record path fuzzed with the SIP fuzzer's corpus. Every request the
 * parser accepts, however mangled, becomes a call record the way the call engine fills one
 * (call-records.ts: caller and display name from From, dialled number from the Request-URI,
 * callee from To, the peer from Contact, the Call-ID, a reason phrase from the message's own
 * text), and every such record is stored on a real SQLite store: none is refused, none lost.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { callerPeerUri } from "../../src/call/call-views.js";
import { parseMessage } from "../../src/sip/index.js";
import { CdrRecorder, type NewCallRecord, openStore, type Store } from "../../src/store/index.js";
import { mutant, prng } from "../sip/fuzz-corpus.js";
import { unanswered } from "./cdr-fixtures.js";

const ROUNDS = 6_000;

describe("call records from fuzzed requests", () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-cdr-fuzz-"));
    store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    await store.migrate();
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores a record for every request the parser accepts", { timeout: 60_000 }, async () => {
    const errors: unknown[] = [];
    const recorder = new CdrRecorder(store.cdrs, { error: (e: unknown) => errors.push(e) });
    const rnd = prng(0xc0de);
    let made = 0;
    for (let n = 0; n < ROUNDS; n++) {
      const parsed = parseMessage(mutant(rnd));
      if (!parsed.ok || parsed.message.kind !== "request") continue;
      const request = parsed.message;
      const text = request.serialize().toString("latin1");
      const record: NewCallRecord = unanswered("busy", {
        callId: `fuzz-${n}`,
        caller: request.from?.uri.user ?? "",
        callerName: request.from?.displayName ?? "",
        dialed: request.uri.user ?? "",
        callee: request.to?.uri.user ?? "",
        // A reason phrase as a hostile callee writes one: whatever bytes its message held.
        sipReason: text.slice(0, 300),
      });
      record.legs = record.legs.map((leg, i) =>
        i === 0 ? { ...leg, peer: callerPeerUri(request), callId: request.callId ?? "" } : leg,
      );
      const stored = await recorder.record(record);
      assert.ok(stored, `round ${n}: ${JSON.stringify(errors).slice(0, 1500)}`);
      made++;
    }
    assert.ok(made > 600, `only ${made} requests accepted`);
    assert.deepEqual(errors, []);
    assert.equal((await store.cdrs.list({ domainId: 1, limit: 1 })).total, made);
  });
});
