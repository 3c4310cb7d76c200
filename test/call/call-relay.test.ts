/**
 * CallRelay: when a call's media is anchored (setting, user, NAT) and how its SDP is rewritten on
 * each crossing, with a real MediaEngine relaying real UDP between two sockets.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import type { CallMediaRequest } from "../../src/call/call-media.js";
import { CallRelay } from "../../src/call/call-relay.js";
import { MediaEngine } from "../../src/media/media-engine.js";
import { readSdpAudio } from "../../src/media/sdp-rewrite.js";
import { freePort } from "../helpers/ports.js";

const HOST = "127.0.0.1";
const sdp = (address: string, port: number, extra = "") =>
  Buffer.from(
    `v=0\r\no=- 1 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\n${extra}`,
  );

const request = (over: Partial<CallMediaRequest> = {}): CallMediaRequest => ({
  callId: "c1",
  callerContactHost: "<sip:100@127.0.0.1:5062>",
  callerSdp: sdp(HOST, 4000),
  callerSource: HOST,
  callerRelayMedia: false,
  calleeRelayMedia: false,
  calleeBindings: [{ contactUri: "sip:101@127.0.0.1:5064", sourceAddress: HOST }],
  ...over,
});

describe("CallRelay", () => {
  let engine: MediaEngine;
  before(async () => {
    let base = await freePort();
    base -= base % 2;
    engine = new MediaEngine({
      minPort: base,
      maxPort: base + 99,
      workers: 1,
      bindAddress: HOST,
      statsIntervalMs: 100,
    });
    await engine.start();
  });
  after(() => engine.close());

  const relay = (mode: "auto" | "always" | "never") =>
    new CallRelay({
      engine,
      mode,
      address: "192.0.2.10",
      fallbackAddress: "192.0.2.11",
      timeoutMs: 0,
      onError: () => {},
    });

  describe("reason()", () => {
    it("auto: no relay between phones that are not behind NAT and do not ask", () => {
      assert.equal(relay("auto").reason(request()), undefined);
    });
    it("auto: relays when the caller's Contact or SDP differs from its source (NAT)", () => {
      assert.equal(relay("auto").reason(request({ callerSdp: sdp("10.0.0.5", 4000) }))?.reason, "nat");
      const r = relay("auto").reason(request({ callerContactHost: "<sip:100@192.168.1.9:5060>" }));
      assert.deepEqual(r, { reason: "nat", callerNat: true, calleeNat: false });
    });
    it("auto: relays when a callee binding is behind NAT", () => {
      const r = relay("auto").reason(
        request({ calleeBindings: [{ contactUri: "sip:101@10.1.1.1", sourceAddress: "198.51.100.4" }] }),
      );
      assert.deepEqual(r, { reason: "nat", callerNat: false, calleeNat: true });
    });
    it("auto: relays when the caller's or callee's user (or line, trunk) says relay media", () => {
      assert.equal(relay("auto").reason(request({ callerRelayMedia: true }))?.reason, "user");
      assert.equal(relay("auto").reason(request({ calleeRelayMedia: true }))?.reason, "user");
    });
    it("always relays; never does not, even behind NAT", () => {
      assert.equal(relay("always").reason(request())?.reason, "setting");
      assert.equal(relay("never").reason(request({ callerSdp: sdp("10.0.0.5", 4000) })), undefined);
    });
  });

  it("forCall() rewrites each side's SDP towards the relay port facing it, and RTP flows", async () => {
    const media = await relay("always").forCall(request());
    assert.ok(media);
    const pa: Socket = createSocket("udp4");
    const pb: Socket = createSocket("udp4");
    await new Promise<void>((r) => pa.bind(0, HOST, () => r()));
    await new Promise<void>((r) => pb.bind(0, HOST, () => r()));
    const got: Buffer[] = [];
    pb.on("message", (m) => got.push(m));
    try {
      const offer = readSdpAudio(
        media.sdp(sdp(HOST, pa.address().port), { callId: "c1", direction: "caller-to-callee" }),
      );
      const answer = readSdpAudio(
        media.sdp(sdp(HOST, pb.address().port), { callId: "c1", direction: "callee-to-caller" }),
      );
      assert.equal(offer?.address, "192.0.2.10");
      assert.equal(answer?.address, "192.0.2.10");
      assert.notEqual(offer?.port, answer?.port);
      // The phones send where their SDP told them (the test stands in for 192.0.2.10 with 127.0.0.1).
      await new Promise((r) => setTimeout(r, 100));
      const packet = Buffer.alloc(172);
      packet[0] = 0x80;
      pa.send(packet, answer!.port, HOST);
      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(got.length, 1, "the callee got the caller's RTP through the relay");
      for (let i = 0; i < 50 && media.stats().caller.packetsIn === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(media.stats().caller.packetsIn, 1);
      const final = await media.close();
      assert.equal(final.relayed, true);
      assert.equal(final.callee.packetsOut, 1);
      assert.equal(await media.close(), final, "close() is idempotent");
    } finally {
      pa.close();
      pb.close();
    }
  });

  it("a body without SDP audio passes unchanged", async () => {
    const media = await relay("always").forCall(request());
    assert.ok(media);
    const body = Buffer.from("not sdp");
    assert.equal(media.sdp(body, { callId: "c1", direction: "caller-to-callee" }), body);
    await media.close();
  });
});
