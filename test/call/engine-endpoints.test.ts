/**
 * Requirement (issue 13): a route can name a service as its target (a feature code, analysed
 * before the dial plan), and a leg can end at a media endpoint rather than a phone: the caller is
 * answered with the endpoint's SDP (RFC 3264), its re-offers and SIP INFO digits (RFC 6086,
 * application/dtmf-relay) reach the endpoint and the "digit" detection point, a BYE from either
 * side closes it, an endpoint that cannot take the offer makes the caller's INVITE fail with its
 * status and Warning, and a route naming a service that is not installed gets 480. The endpoint
 * here is a recording stand-in for the media server's (the media server issue provides the real
 * one); everything else is the engine's real SIP stack on the loop transport.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MediaAnswer, MediaEndpoint } from "../../src/call/media-endpoint.js";
import type { FeatureCodes } from "../../src/call/stages/route.js";
import { onlyCdr } from "./flows.js";
import { createEngineHarness } from "./harness.js";

const ENDPOINT_SDP =
  "v=0\r\no=parley 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

/** An endpoint that records what the engine asks of it. */
class RecordingEndpoint implements MediaEndpoint {
  readonly peer = "parley:echo";
  readonly offers: string[] = [];
  readonly digits: string[] = [];
  closed = 0;
  private hangupListener: ((final?: { status: number; reason: string }) => void) | undefined;
  private answerListener: (() => void) | undefined;
  early = false;
  confirmedCount = 0;

  constructor(private readonly reply: MediaAnswer = { ok: true, sdp: Buffer.from(ENDPOINT_SDP) }) {}

  answer(offer: Buffer): Promise<MediaAnswer> {
    this.offers.push(offer.toString());
    return Promise.resolve(this.reply);
  }
  acknowledged(): void {}
  reoffer(offer: Buffer): Promise<MediaAnswer> {
    this.offers.push(offer.toString());
    return Promise.resolve(this.reply);
  }
  digit(digit: string): void {
    this.digits.push(digit);
  }
  onHangup(listener: (final?: { status: number; reason: string }) => void): void {
    this.hangupListener = listener;
  }
  hangUp(final?: { status: number; reason: string }): void {
    this.hangupListener?.(final);
  }
  onAnswer(listener: () => void): void {
    this.answerListener = listener;
  }
  answerNow(): void {
    this.answerListener?.();
  }
  confirmed(): void {
    this.confirmedCount++;
  }
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

const features: FeatureCodes = {
  match: (dialed) =>
    dialed === "*43"
      ? { service: "echo", argument: "" }
      : dialed.startsWith("*99")
        ? { service: "absent", argument: dialed.slice(3) }
        : undefined,
};

function echoHarness(endpoint: RecordingEndpoint) {
  const h = createEngineHarness({ features });
  const served: string[] = [];
  h.engine.points.service("echo", (context) => {
    served.push(`${context.caller.user}:${context.number}`);
    return { kind: "endpoint", target: { party: { ...context.caller, user: "*43" }, endpoint } };
  });
  return { h, served };
}

describe("a route that names a service", () => {
  it("answers the caller with the endpoint's SDP, and the CDR shows the endpoint as the callee leg", async () => {
    const endpoint = new RecordingEndpoint();
    const { h, served } = echoHarness(endpoint);
    const alice = h.phone("100");
    const call = alice.call("*43");
    await h.run(50);
    assert.deepEqual(served, ["100:*43"], "the feature code reached its service before the dial plan");
    assert.equal(call.status, 200);
    assert.equal(call.final?.body.toString(), ENDPOINT_SDP, "RFC 3264: the endpoint's answer is in the 200");
    assert.match(endpoint.offers[0] ?? "", /m=audio/, "the endpoint was given the caller's offer");
    assert.equal(h.engine.userState(1, "100"), "talking");
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(endpoint.closed, 1, "the caller's BYE closes the endpoint");
    const cdr = onlyCdr(h);
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.legs[1]?.peer, "parley:echo");
    assert.equal(cdr.hangupCause, "caller-bye", "issue 23: the caller hung up on the service");
  });

  it("passes re-offers to the endpoint and SIP INFO digits to it and to the 'digit' point", async () => {
    const endpoint = new RecordingEndpoint();
    const { h } = echoHarness(endpoint);
    const digits: string[] = [];
    h.engine.points.notify("digit", "t", ({ digit, by }) => digits.push(`${by.user}:${digit}`));
    const alice = h.phone("100");
    const call = alice.call("*43");
    await h.run(50);
    assert.equal((await h.until(call.hold())).status, 200, "a re-INVITE gets the endpoint's answer");
    assert.equal(endpoint.offers.length, 2);
    const info = call.dialog!.request("INFO", {
      body: Buffer.from("Signal=5\r\nDuration=160\r\n"),
      contentType: "application/dtmf-relay",
    });
    assert.equal((await h.until(info)).status, 200);
    assert.deepEqual(endpoint.digits, ["5"]);
    assert.deepEqual(digits, ["100:5"]);
  });

  it("ends the call with BYE to the caller when the endpoint is done", async () => {
    const endpoint = new RecordingEndpoint();
    const { h } = echoHarness(endpoint);
    const alice = h.phone("100");
    alice.call("*43");
    await h.run(50);
    endpoint.hangUp();
    await h.run(50);
    assert.equal(alice.got("BYE").length, 1);
    assert.equal(endpoint.closed, 1);
    assert.equal(h.activeCalls(), 0);
    assert.equal(onlyCdr(h).hangupCause, "callee-bye", "issue 23: the service (the callee) hung up");
  });

  it("rejects the caller with the endpoint's failure and Warning when it cannot take the offer (488)", async () => {
    const warning = '399 parley "Parley speaks PCMU PCMA telephone-event"';
    const endpoint = new RecordingEndpoint({
      ok: false,
      status: 488,
      reason: "Not Acceptable Here",
      warning,
    });
    const { h } = echoHarness(endpoint);
    const alice = h.phone("100");
    const call = alice.call("*43");
    await h.run(50);
    assert.equal(call.status, 488);
    assert.equal(call.final?.get("warning"), warning);
    assert.equal(endpoint.closed, 1);
    assert.equal(onlyCdr(h).sipStatus, 488);
  });

  it("answers 480 Service Not Available when the named service is not installed", async () => {
    const { h } = echoHarness(new RecordingEndpoint());
    const alice = h.phone("100");
    const call = alice.call("*99101");
    await h.run(50);
    assert.equal(call.status, 480);
    assert.equal(call.final?.reason, "Service Not Available");
  });
});

describe("a service at 'noAnswer' that answers with an endpoint (voicemail's way)", () => {
  it("cancels the ringing devices and connects the caller to the endpoint", async () => {
    const endpoint = new RecordingEndpoint();
    const h = createEngineHarness({ users: [{ name: "100" }, { name: "101", noAnswerTime: 3 }] });
    h.engine.points.decide("noAnswer", "voicemail", (context) => ({
      kind: "endpoint",
      target: { party: context.callee!, endpoint },
    }));
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = alice.call("101");
    await h.run(3_100, 100);
    await h.run(50);
    assert.equal(bob.got("CANCEL").length, 1);
    assert.equal(call.status, 200);
    assert.equal(call.final?.body.toString(), ENDPOINT_SDP);
  });

  it("plays early media in a 183 and then fails the INVITE with the status the service chooses", async () => {
    const endpoint = new RecordingEndpoint();
    endpoint.early = true;
    const { h } = echoHarness(endpoint);
    const alice = h.phone("100");
    const call = alice.call("*43");
    await h.run(50);
    const early = call.responses.find((r) => r.status === 183);
    assert.equal(early?.body.toString(), ENDPOINT_SDP, "RFC 3960: the answer is in the 183");
    assert.equal(call.status, undefined, "no final response while the announcement plays");
    assert.equal(endpoint.confirmedCount, 1, "the endpoint starts at the 183");
    endpoint.hangUp({ status: 404, reason: "Not Found" });
    await h.run(50);
    assert.equal(call.status, 404);
    assert.equal(endpoint.closed, 1);
    assert.equal(onlyCdr(h).sipStatus, 404);
  });

  it("answers an early endpoint with the same SDP when the service answers", async () => {
    const endpoint = new RecordingEndpoint();
    endpoint.early = true;
    const { h } = echoHarness(endpoint);
    const alice = h.phone("100");
    const call = alice.call("*43");
    await h.run(50);
    assert.deepEqual(
      call.statuses.filter((s) => s !== 100),
      [183],
    );
    endpoint.answerNow();
    await h.run(50);
    assert.equal(call.status, 200);
    assert.equal(call.final?.body.toString(), ENDPOINT_SDP, "RFC 3264: the 200 repeats the 183's answer");
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(endpoint.closed, 1);
  });

  it("closes an early endpoint when the caller cancels", async () => {
    const endpoint = new RecordingEndpoint();
    endpoint.early = true;
    const { h } = echoHarness(endpoint);
    const alice = h.phone("100");
    const call = alice.call("*43");
    await h.run(50);
    call.cancel();
    await h.run(50);
    assert.equal(call.status, 487);
    assert.equal(endpoint.closed, 1);
    assert.equal(h.activeCalls(), 0);
  });
});
