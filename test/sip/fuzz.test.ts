/**
 * Fuzzing the parser with deterministic mutations of the RFC 4475 corpus and typical messages:
 * parseMessage() never throws, and whatever it accepts serializes to something it accepts again
 * with the same Call-ID, CSeq and top branch.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMessage } from "../../src/sip/index.js";
import type { SipMessage } from "../../src/sip/types.js";
import { mutant, prng } from "./fuzz-corpus.js";

/** Reads every lazy part, which must not throw either. */
function touchEverything(m: SipMessage): void {
  for (const h of m.headers) {
    m.get(h.name);
    m.getAll(h.key);
  }
  for (const v of m.vias) void [v.branch, v.received, v.rport, v.params.size];
  for (const name of ["contact", "route", "record-route", "from", "to"]) {
    for (const na of m.nameAddrs(name))
      void [na.tag, na.params.size, na.uri.params.size, na.uri.headers.length];
  }
  if (m.kind === "request") void [m.uri.host, m.uri.params.size];
}

describe("parseMessage() under fuzzing", () => {
  it("never throws, and what it accepts round-trips", { timeout: 20_000 }, () => {
    const rnd = prng(0x5eed);
    const ROUNDS = 20_000;
    let accepted = 0;
    for (let n = 0; n < ROUNDS; n++) {
      const r = parseMessage(mutant(rnd));
      assert.equal(typeof r.ok, "boolean");
      if (!r.ok) {
        assert.equal(typeof r.error.status, "number");
        if (r.error.message !== undefined) touchEverything(r.error.message);
        continue;
      }
      accepted++;
      const m = r.message;
      touchEverything(m);
      const again = parseMessage(m.serialize());
      assert.ok(again.ok, `round ${n}: serialized message no longer parses`);
      assert.equal(again.message.callId, m.callId);
      assert.deepEqual(again.message.cseq, m.cseq);
      assert.equal(again.message.topVia?.branch, m.topVia?.branch);
      m.setTopViaParams({ received: "192.0.2.1", rport: 5060 });
      m.append("X-Fuzz", String(n));
      const third = parseMessage(m.serialize());
      assert.ok(third.ok, `round ${n}: touched message no longer parses`);
      assert.equal(third.message.callId, m.callId);
      assert.equal(third.message.topVia?.received, "192.0.2.1");
    }
    assert.ok(accepted > 1000, `only ${accepted} mutants accepted`);
  });
});
