/**
 * Issue 22, hole 1 (acceptance: "the replay after 250,000 authentications is refused"), over the
 * wire against `parley start`: a captured authenticated REGISTER of user 100 (qop=auth,
 * nc=00000001), replayed with the attacker's Contact, must never be accepted: not at once (the
 * nonce-count was used, RFC 7616 3.4) and not after 250,000 other successful authentications on
 * fresh nonces within the nonce's lifetime (the old table forgot used nonces by count and then
 * took nc=00000001 again: the replay got 200 and replaced user 100's only binding). The
 * digest with qop=auth covers method and uri only (RFC 7616 3.4.3), so a changed Contact passes
 * it: the nonce-count is the only defence.
 *
 * Runs in a private network namespace with only loopback (unshare -n), like the torture suite;
 * replay-netns-runner.ts does the work and prints what Parley answered. A solo test (run alone,
 * after the rest: scripts/test.sh): the flood keeps both cores busy for ~40 s (Parley's event
 * loop at 100%, ~7,000 authentications a second on a 2-CPU machine).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { canUnshare, runInNetns } from "../helpers/netns.js";
import { missingCapability } from "../helpers/run-tool.js";

const skip = missingCapability(canUnshare, "needs root for unshare -n (a private network namespace)");

const AUTH_COUNT = 250_000;
/** Parley's nonce lifetime (NonceManager's default): a later replay would be stale by age alone. */
const NONCE_LIFETIME_MS = 300_000;

interface Answer {
  status: number;
  stale: boolean;
  contacts: string[];
}

interface Summary {
  contactA: string;
  contactB: string;
  registered: { status: number; contacts: string[] };
  early: Answer;
  flood: { ok: number; statuses: Record<string, number>; retried: number; ms: number; perSecond: number };
  late: Answer;
  replayAgeMs: number;
  query: { status: number; contacts: string[] };
  apiContacts: string[];
}

describe("a captured REGISTER replayed with another Contact (issue 22, hole 1)", { skip }, () => {
  let s: Summary;
  before(() => {
    s = runInNetns<Summary>("test/e2e/replay-netns-runner.ts", {
      timeoutMs: 280_000,
      env: { REPLAY_AUTH_COUNT: String(AUTH_COUNT) },
    });
  });

  it("the victim's REGISTER was accepted (200 with Contact A only)", () => {
    assert.equal(s.registered.status, 200);
    assert.deepEqual(s.registered.contacts, [s.contactA]);
  });

  it("replayed at once, it MUST be refused with a challenge: its nonce-count was used (RFC 7616 3.4)", () => {
    assert.equal(s.early.status, 401, `the replay got ${s.early.status}`);
    assert.ok(!s.early.contacts.includes(s.contactB), "Contact B was bound");
  });

  it(`${AUTH_COUNT.toLocaleString("en")} other authentications, each on a fresh nonce, all succeed`, (t) => {
    t.diagnostic(`flood: ${JSON.stringify(s.flood)}`);
    assert.ok(s.flood.ok >= AUTH_COUNT, `only ${s.flood.ok} succeeded: ${JSON.stringify(s.flood)}`);
    assert.ok(
      s.replayAgeMs < NONCE_LIFETIME_MS - 30_000,
      `the replay came ${s.replayAgeMs} ms after the capture: the nonce would be stale by age alone`,
    );
  });

  it("replayed after them, within the nonce's lifetime, it MUST still be refused (401, not 200)", () => {
    assert.equal(s.late.status, 401, `the replay got ${s.late.status}`);
    assert.ok(!s.late.contacts.includes(s.contactB), "Contact B was bound");
  });

  it("user 100 keeps its only binding, Contact A (a SIP query and the REST API agree)", () => {
    assert.equal(s.query.status, 200);
    assert.deepEqual(s.query.contacts, [s.contactA]);
    assert.deepEqual(s.apiContacts, [s.contactA]);
  });
});
