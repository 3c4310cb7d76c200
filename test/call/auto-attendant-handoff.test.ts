/**
 * Requirement (issue 17, endpoint-handoff.ts): an answered call whose caller talks to a media
 * endpoint (the auto-attendant) hands the caller on. Proven on the engine's real SIP stack over the
 * loop transport, in virtual time:
 * - to a user: it rings with an offerless INVITE from the caller's identity (RFC 3725 flow I); its
 *   offer reaches the caller in a re-INVITE and the caller's answer goes back in the ACK; the two
 *   are then bridged (a BYE from either ends the call); the endpoint is closed, the CDR names the
 *   new callee and carries the note on the endpoint's leg;
 * - a busy callee: 486 comes back, the caller is still with the endpoint, nothing is bridged;
 * - the caller hangs up while the target rings: the target gets CANCEL;
 * - an endpoint that answers no call: 481.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FinalStatus, MediaAnswer, MediaEndpoint } from "../../src/call/media-endpoint.js";
import type { FeatureCodes } from "../../src/call/stages/route.js";
import { onlyCdr } from "./flows.js";
import { createEngineHarness } from "./harness.js";

const ENDPOINT_SDP =
  "v=0\r\no=parley 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";

class AttendantEndpoint implements MediaEndpoint {
  readonly peer = "parley:auto-attendant";
  closed = 0;
  answer(): Promise<MediaAnswer> {
    return Promise.resolve({ ok: true, sdp: Buffer.from(ENDPOINT_SDP) });
  }
  acknowledged(): void {}
  reoffer(): Promise<MediaAnswer> {
    return this.answer();
  }
  digit(): void {}
  onHangup(): void {}
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

const features: FeatureCodes = {
  match: (dialed) => (dialed === "500" ? { service: "attendant", argument: "" } : undefined),
};

function attendant() {
  const h = createEngineHarness({ features });
  const endpoint = new AttendantEndpoint();
  h.engine.points.service("attendant", (context) => ({
    kind: "endpoint",
    target: { party: { ...context.caller, user: "500" }, endpoint },
  }));
  const handOff = (to: string): Promise<FinalStatus> =>
    h.engine.control.handOff(
      endpoint,
      { kind: "route", number: to },
      { dialed: to, note: "menu=main;key=1" },
    );
  return { h, endpoint, handOff };
}

describe("an auto-attendant's caller handed on", () => {
  it("rings the user offerless from the caller, re-INVITEs the caller with its offer, then bridges them", async () => {
    const { h, endpoint, handOff } = attendant();
    const alice = h.phone("100");
    const bob = h.phone("101");
    bob.onIncoming = "answer";
    const call = alice.call("500");
    await h.run(50);
    assert.equal(call.status, 200);
    const result = await h.until(handOff("101"));
    assert.equal(result.status, 200);
    await h.run(50);
    const invite = bob.got("INVITE")[0]!;
    assert.equal(invite.body.length, 0, "RFC 3725 flow I: an offerless INVITE");
    assert.match(invite.get("from") ?? "", /<sip:100@/, "the caller's identity");
    const reinvite = alice.inDialog.find((r) => r.request.method === "INVITE");
    assert.match(reinvite?.request.body.toString() ?? "", /o=101 /, "the callee's offer reaches the caller");
    const ack = bob.got("ACK").at(-1)!;
    assert.match(ack.body.toString(), /o=100 /, "the caller's answer reaches the callee in the ACK");
    assert.equal(endpoint.closed, 1, "the caller left the endpoint");
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(bob.got("BYE").length, 1, "the caller's BYE reaches the callee: they are bridged");
    const cdr = onlyCdr(h);
    assert.equal(cdr.callee, "101");
    assert.equal(cdr.legs[1]?.peer, "parley:auto-attendant;menu=main;key=1");
    assert.ok(
      cdr.legs.some((l) => l.status === 200 && l.peer.includes("101")),
      JSON.stringify(cdr.legs),
    );
  });

  it("a busy callee: 486 back, the caller still with the endpoint", async () => {
    const { h, endpoint, handOff } = attendant();
    const alice = h.phone("100");
    const bob = h.phone("101");
    bob.onIncoming = 486;
    const call = alice.call("500");
    await h.run(50);
    const result = await h.until(handOff("101"));
    assert.equal(result.status, 486);
    assert.equal(endpoint.closed, 0);
    assert.equal(h.activeCalls(), 1);
    assert.equal(alice.got("INVITE").length, 0, "no re-INVITE");
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(endpoint.closed, 1);
  });

  it("the caller hangs up while the target rings: the target gets CANCEL", async () => {
    const { h, handOff } = attendant();
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = alice.call("500");
    await h.run(50);
    const pending = handOff("101");
    await h.run(50);
    assert.equal(bob.got("INVITE").length, 1);
    await h.until(call.hangup());
    const result = await h.until(pending);
    assert.equal(result.status, 487);
    await h.run(50);
    assert.equal(bob.got("CANCEL").length, 1);
    assert.equal(h.activeCalls(), 0);
  });

  it("an endpoint that answers no call: 481", async () => {
    const { h } = attendant();
    const stray = new AttendantEndpoint();
    const result = await h.until(
      h.engine.control.handOff(stray, { kind: "route", number: "101" }, { dialed: "101", note: "" }),
    );
    assert.equal(result.status, 481);
  });
});
