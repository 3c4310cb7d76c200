/**
 * The black and white list (issue 16; FEATURES.md section 6).
 * Proven here: the matching rules of src/services/call-lists/matching.ts (longest caller prefix
 * first, then called prefix; a white deciding record lets the call through; `anonymous` matches
 * withheld callers only; the rate, with a seeded random: 50 % over 200 calls within a binomial
 * bound), the anonymous detection (RFC 3323/3325), and, on the engine's real SIP stack over the
 * loop transport, that a blocked call gets the configured answer (603 by default) and a CDR.
 * End to end with sipp against `parley start`: test/e2e/call-lists.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { withheldIdentity } from "../../src/call/caller-privacy.js";
import { CallLists } from "../../src/services/call-lists/call-lists.js";
import { decide, decidingRecord, type ListedCall } from "../../src/services/call-lists/matching.js";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { type CallListRecord, openStore, type Store } from "../../src/store/index.js";
import { silentLogger } from "../../src/util/logger.js";
import { createEngineHarness, DOMAIN } from "../call/harness.js";
import { prng } from "../media/dtmf-signals.js";

let nextId = 1;
function record(
  callerPrefix: string,
  calledPrefix: string,
  kind: "black" | "white",
  rate = 100,
): CallListRecord {
  return { id: nextId++, domainId: 1, callerPrefix, calledPrefix, kind, rate, createdAt: 0, updatedAt: 0 };
}

const call = (caller: string, called: string, anonymous = false): ListedCall => ({
  caller,
  called,
  anonymous,
});
const never = () => 0.999_999;

describe("black and white list matching", () => {
  it("a call no record matches is unlisted", () => {
    assert.deepEqual(decide([record("0086", "*", "black")], call("0044", "100"), never), {
      kind: "unlisted",
    });
  });

  it("the longest caller prefix decides before any called prefix", () => {
    const broad = record("00", "100", "white");
    const narrow = record("0086", "*", "black");
    assert.equal(decidingRecord([broad, narrow], call("008612", "100")), narrow);
  });

  it("among equal caller prefixes the longest called prefix decides", () => {
    const any = record("0086", "*", "black");
    const to100 = record("0086", "100", "white");
    const to1 = record("0086", "1", "black");
    assert.equal(decidingRecord([any, to100, to1], call("008612", "1001")), to100);
    assert.equal(decidingRecord([any, to100, to1], call("008612", "1999")), to1);
    assert.equal(decidingRecord([any, to100, to1], call("008612", "2000")), any);
  });

  it("a white deciding record lets the call through though a broader black one matches", () => {
    const records = [record("*", "*", "black"), record("0086", "*", "white")];
    assert.equal(decide(records, call("0086123", "100"), never).kind, "allowed");
    assert.equal(decide(records, call("0044123", "100"), never).kind, "blocked");
  });

  it("a white record lets the call through whatever else matches, a longer black one too", () => {
    const records = [record("0086", "*", "white"), record("00861234", "*", "black")];
    assert.equal(decide(records, call("008612345", "100"), never).kind, "allowed");
    assert.equal(decide(records, call("00861299", "100"), never).kind, "allowed");
    assert.equal(decide(records, call("00441234", "100"), never).kind, "unlisted");
  });

  it("`anonymous` matches withheld callers only, and beats `*`", () => {
    const anonymous = record("anonymous", "*", "black");
    const any = record("*", "*", "white");
    assert.equal(decidingRecord([anonymous, any], call("anonymous", "100", true)), anonymous);
    assert.equal(decidingRecord([anonymous, any], call("anonymous", "100", false)), any);
    assert.equal(decidingRecord([anonymous], call("101", "100")), undefined);
  });

  it("a digit prefix never matches a withheld caller, whatever its From user says", () => {
    assert.equal(decidingRecord([record("1", "*", "black")], call("101", "100", true)), undefined);
  });

  it("rate 100 always blocks and rate 0 never does", () => {
    const always = [record("*", "*", "black", 100)];
    const zero = [record("*", "*", "black", 0)];
    assert.equal(decide(always, call("1", "2"), never).kind, "blocked");
    assert.equal(decide(zero, call("1", "2"), () => 0).kind, "allowed");
  });

  it("rate 50 blocks about half of 200 calls (binomial: within 4 standard deviations)", () => {
    const records = [record("*", "*", "black", 50)];
    const random = prng(16);
    let blocked = 0;
    for (let i = 0; i < 200; i++)
      if (decide(records, call("101", "100"), random).kind === "blocked") blocked++;
    // n = 200, p = 0.5: mean 100, standard deviation sqrt(50) ~ 7.07.
    assert.ok(Math.abs(blocked - 100) <= 28, `${blocked} of 200 blocked`);
  });
});

function invite(headers: string): SipRequest {
  const text =
    "INVITE sip:100@pbx.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" +
    `To: <sip:100@pbx.test>\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n${headers}Content-Length: 0\r\n\r\n`;
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === "request");
  return parsed.message;
}

describe("withheldIdentity (RFC 3323, RFC 3325)", () => {
  it("is true for From user anonymous or From host anonymous.invalid", () => {
    assert.equal(withheldIdentity(invite('From: "Anonymous" <sip:anonymous@pbx.test>;tag=1\r\n')), true);
    assert.equal(withheldIdentity(invite("From: <sip:101@anonymous.invalid>;tag=1\r\n")), true);
  });

  it("is true for Privacy: id or header without a P-Asserted-Identity", () => {
    assert.equal(withheldIdentity(invite("From: <sip:101@pbx.test>;tag=1\r\nPrivacy: id\r\n")), true);
    assert.equal(
      withheldIdentity(invite("From: <sip:101@pbx.test>;tag=1\r\nPrivacy: header;user\r\n")),
      true,
    );
  });

  it("is false when a P-Asserted-Identity still names the caller, or the privacy is not of the identity", () => {
    const asserted =
      "From: <sip:101@pbx.test>;tag=1\r\nPrivacy: id\r\nP-Asserted-Identity: <sip:101@pbx.test>\r\n";
    assert.equal(withheldIdentity(invite(asserted)), false);
    assert.equal(withheldIdentity(invite("From: <sip:101@pbx.test>;tag=1\r\nPrivacy: none\r\n")), false);
    assert.equal(withheldIdentity(invite("From: <sip:101@pbx.test>;tag=1\r\n")), false);
  });
});

describe("the call-lists service on the engine", () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-lists-"));
    store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    await store.migrate();
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function harness() {
    const h = createEngineHarness({ users: [{ name: "100" }, { name: "101" }, { name: "102" }] });
    // The harness's domain has its own id: the store needs a domain row of that id for the lists.
    const lists = new CallLists({
      repository: store.lists,
      settings: store.systemSettings,
      logger: silentLogger(),
    });
    lists.register(h.engine.points);
    return { h, lists };
  }

  it("a black record refuses the call with 603 Decline and leaves a CDR (failed, 603)", async () => {
    const { h, lists } = await harness();
    const domainId = (await store.domains.getDefault()).id;
    assert.equal(domainId, DOMAIN.id);
    const black = await lists.create(domainId, { callerPrefix: "101", calledPrefix: "*", kind: "black" });
    const bob = h.phone("100");
    const alice = h.phone("101");
    const blocked = alice.call("100");
    await h.run(50);
    assert.equal(blocked.status, 603);
    assert.equal(bob.invites.length, 0);
    const cdr = h.cdrs.at(-1);
    assert.equal(cdr?.disposition, "failed");
    assert.equal(cdr?.sipStatus, 603);
    assert.equal(cdr?.caller, "101");

    // The change applies to the next call: a white record for the called prefix lets it through.
    await lists.create(domainId, { callerPrefix: "101", calledPrefix: "100", kind: "white" });
    const through = alice.call("100");
    await h.run(50);
    assert.equal(bob.invites.length, 1);
    bob.answer();
    await h.run(50);
    assert.equal(through.status, 200);
    await lists.remove(domainId, black.id);
  });

  it("the configured answer replaces 603, and `anonymous` blocks a caller asking for privacy", async () => {
    const { h, lists } = await harness();
    const domainId = DOMAIN.id;
    await lists.configure(domainId, { response: 486 });
    await lists.create(domainId, { callerPrefix: "anonymous", calledPrefix: "*", kind: "black" });
    h.phone("100");
    const carol = h.phone("102");
    const withheld = carol.call("100", { headers: [["Privacy", "id"]] });
    await h.run(50);
    assert.equal(withheld.status, 486);
    assert.equal(h.cdrs.at(-1)?.disposition, "busy");
    const known = carol.call("100");
    await h.run(50);
    assert.notEqual(known.status, 486);
  });

  it("a validation error names the response field", async () => {
    const { lists } = await harness();
    await assert.rejects(lists.configure(DOMAIN.id, { response: 500 as 603 }), /response: must be one of/);
  });
});
