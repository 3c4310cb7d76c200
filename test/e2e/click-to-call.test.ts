/**
 * End to end (issue 18, "Click-to-call / callback"): POST /api/v1/calls against a real
 * `parley start`, with scripted phones registered as 100 and 101 on real UDP sockets.
 * Proven here: 100's phone rings first (INVITE showing the caller id), and only once it answered
 * does 101's ring; 101's offer reaches 100 in a re-INVITE (RFC 3725); GET /api/v1/calls lists the
 * call, DELETE sends BYE to both, and the CDR names 100 as caller and 101 as dialled.
 * `parley call --auto-answer` puts Call-Info answer-after=0 and Alert-Info on 100's INVITE.
 * 100 not answering within the timeout is cancelled and 101 never rings; 101 busy ends 100's
 * dialog with BYE and a Reason (RFC 3326). Bad bodies are 400 naming the field; an unknown
 * `from` is 404 and a user with no device 409, each naming `from`.
 * Not proven here: calls to outside numbers (lines, trunks) and the media path.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SipRequest } from "../../src/sip/types.js";
import { parleyCli } from "../helpers/parley-cli.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("click-to-call: POST /api/v1/calls (scripted phones 100 and 101)", () => {
  let parley: ParleyProcess;
  const phones = new Map<string, ScriptedPhone>();

  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    for (const p of phones.values()) p.close();
    await parley.stop();
  });

  /** `user`'s only phone: the previous one's binding is removed first (the API), so one device rings. */
  async function phone(
    user: string,
    options: { ringMs?: number; refuse?: { status: number; reason: string } } = {},
  ): Promise<ScriptedPhone> {
    const old = await parley.api("GET", `/api/v1/registrations?user=${user}`);
    for (const r of old.body.items as Array<{ id: string }>)
      await parley.api("DELETE", `/api/v1/registrations/${encodeURIComponent(r.id)}`);
    phones.get(user)?.close();
    const p = await ScriptedPhone.open(user, parley.sipPort, undefined, options);
    phones.set(user, p);
    assert.equal((await p.register()).status, 200);
    return p;
  }

  const isNewInvite = (m: SipRequest) => m.method === "INVITE" && m.to?.tag === undefined;
  const isReInvite = (m: SipRequest) => m.method === "INVITE" && m.to?.tag !== undefined;

  async function until<T>(what: () => Promise<T | undefined> | T | undefined, ms = 8000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (v !== undefined) return v;
      if (Date.now() > end) assert.fail("timed out");
      await sleep(50);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON under test
  async function cdrOf(id: string): Promise<any> {
    return until(async () => {
      const res = await parley.api("GET", "/api/v1/cdrs?limit=50");
      return (res.body.items as Array<{ callId: string }>).find((c) => c.callId === id);
    });
  }

  it("rings 100 with the caller id, then 101 once 100 answered; bridged, listed, hung up by DELETE", {
    timeout: 40000,
  }, async () => {
    const a = await phone("100", { ringMs: 300 });
    const b = await phone("101", { ringMs: 300 });
    const res = await parley.api("POST", "/api/v1/calls", { from: "100", to: "101", callerId: "5551234" });
    assert.equal(res.status, 202);
    const id = res.body.id as string;
    assert.match(id, /^[0-9a-f-]{36}$/);

    const invite = await a.waitFor(isNewInvite);
    assert.equal(invite.from?.uri.user, "5551234", "100's phone shows the caller id");
    assert.equal(invite.uri.user, "100");
    assert.equal(invite.get("call-info"), undefined, "no auto-answer unless asked");
    // 101 rings only after 100 answered (its 180, then its 200 ring time later).
    const bInvite = await b.waitFor(isNewInvite);
    const aAnswered = a.rang[0]?.answered;
    assert.ok(aAnswered !== undefined && aAnswered <= b.receivedAt[b.received.indexOf(bInvite)]!);
    assert.equal(bInvite.from?.uri.user, "100", "101 sees 100 calling, as if 100 dialled it");
    assert.equal(bInvite.uri.user, "101");
    assert.equal(bInvite.body.length, 0, "RFC 3725: 101 is asked for its offer");
    // 101's offer goes to 100 in a re-INVITE (its SDP names 101's RTP port).
    const reinvite = await a.waitFor(isReInvite);
    assert.match(reinvite.body.toString(), new RegExp(`m=audio ${b.port + 2} `));

    const listed = await until(async () => {
      const calls = await parley.api("GET", "/api/v1/calls");
      const call = (calls.body.items as Array<{ id: string; state: string }>).find((c) => c.id === id);
      return call?.state === "answered" ? call : undefined;
    });
    assert.deepEqual(
      [listed.id, (listed as unknown as { caller: string }).caller],
      [id, "100"],
      "GET /api/v1/calls lists it with 100 as caller",
    );

    const aSince = a.received.length;
    const bSince = b.received.length;
    assert.equal((await parley.api("DELETE", `/api/v1/calls/${id}`)).status, 204);
    await a.waitFor((m) => m.method === "BYE", aSince);
    await b.waitFor((m) => m.method === "BYE", bSince);
    const cdr = await cdrOf(id);
    assert.equal(cdr.caller, "100");
    assert.equal(cdr.dialed, "101");
    assert.equal(cdr.callee, "101");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.hangupCause, "hangup-by-admin");
    const calls = await parley.api("GET", "/api/v1/calls");
    assert.equal((calls.body.items as Array<{ id: string }>).filter((c) => c.id === id).length, 0);
  });

  it("parley call --auto-answer: Call-Info answer-after=0 and Alert-Info on 100's INVITE", {
    timeout: 40000,
  }, async () => {
    const a = await phone("100");
    const b = await phone("101");
    const url = `http://127.0.0.1:${parley.httpPort}`;
    const cli = await parleyCli(parley.dataDir, [
      ...["call", "100", "101", "--auto-answer", "--url", url, "--token", parley.apiToken, "--json"],
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const id = JSON.parse(cli.stdout).id as string;
    const invite = await a.waitFor(isNewInvite);
    assert.match(invite.get("call-info") ?? "", /^<sip:[^>]+>;answer-after=0$/);
    assert.match(invite.get("alert-info") ?? "", /^<http:\/\/[^>]+>;info=alert-autoanswer$/);
    assert.equal(invite.from?.uri.user, "101", "the caller id is the number called by default");
    await b.waitFor(isNewInvite);
    await a.waitFor(isReInvite);
    const bSince = b.received.length;
    const hangup = await parleyCli(parley.dataDir, [
      "calls",
      "hangup",
      id,
      "--url",
      url,
      "--token",
      parley.apiToken,
    ]);
    assert.equal(hangup.code, 0, hangup.stderr);
    await b.waitFor((m) => m.method === "BYE", bSince);
  });

  it("100 not answering within the timeout: CANCEL, 101 never rings, a no-answer CDR", {
    timeout: 40000,
  }, async () => {
    // It would answer after 3.5 s: past the 2 s timeout (the late 2xx is checked below).
    const a = await phone("100", { ringMs: 3500 });
    const b = await phone("101");
    const started = Date.now();
    const res = await parley.api("POST", "/api/v1/calls", { from: "100", to: "101", timeout: 2 });
    assert.equal(res.status, 202);
    await a.waitFor(isNewInvite);
    await a.waitFor((m) => m.method === "CANCEL");
    const waited = Date.now() - started;
    assert.ok(waited >= 1800 && waited < 5000, `cancelled after ${waited} ms (timeout 2 s)`);
    const cdr = await cdrOf(res.body.id);
    assert.equal(cdr.caller, "100");
    assert.equal(cdr.disposition, "no-answer");
    // RFC 3261 15: the phone's 200 after the CANCEL crossed it is acknowledged and ended with BYE.
    await a.waitFor((m) => m.method === "BYE", 0, 6000);
    assert.equal(b.received.filter(isNewInvite).length, 0, "101 was never called");
  });

  it("101 busy: 100, which answered, gets BYE with Reason cause=486; a busy CDR", {
    timeout: 40000,
  }, async () => {
    const a = await phone("100");
    const b = await phone("101", { refuse: { status: 486, reason: "Busy Here" } });
    const res = await parley.api("POST", "/api/v1/calls", { from: "100", to: "101" });
    assert.equal(res.status, 202);
    await a.waitFor(isNewInvite);
    await b.waitFor(isNewInvite);
    const bye = await a.waitFor((m) => m.method === "BYE");
    assert.match(bye.get("reason") ?? "", /^SIP;cause=486;text="Busy Here"$/);
    const cdr = await cdrOf(res.body.id);
    assert.equal(cdr.disposition, "busy");
    assert.equal(cdr.dialed, "101");
  });

  it("bad bodies are 400 naming the field; unknown from is 404, a user with no device 409", async () => {
    const post = (body: unknown) => parley.api("POST", "/api/v1/calls", body);
    // biome-ignore lint/suspicious/noExplicitAny: the API's error body under test
    const fields = (res: { body: any }) => (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    const noTo = await post({ from: "100" });
    assert.equal(noTo.status, 400);
    assert.deepEqual(fields(noTo), ["to"]);
    const badTimeout = await post({ from: "100", to: "101", timeout: 0 });
    assert.equal(badTimeout.status, 400);
    assert.deepEqual(fields(badTimeout), ["timeout"]);
    const badNumber = await post({ from: "100", to: "10 1" });
    assert.equal(badNumber.status, 400);
    assert.deepEqual(fields(badNumber), ["to"]);
    const extra = await post({ from: "100", to: "101", colour: "red" });
    assert.equal(extra.status, 400);
    assert.deepEqual(fields(extra), ["colour"]);
    const unknown = await post({ from: "999", to: "101" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, "not_found");
    assert.deepEqual(fields(unknown), ["from"]);
    const offline = await post({ from: "102", to: "101" });
    assert.equal(offline.status, 409);
    assert.deepEqual(fields(offline), ["from"]);
  });
});
