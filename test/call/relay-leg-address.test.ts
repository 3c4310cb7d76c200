/**
 * Issue 23, the media relay's default address: with no --media-address each leg's SDP names the
 * local address of that leg (SdpContext.local, from the transport), IPv4 or IPv6, and the relay's
 * sockets, bound to "::" (dual-stack), carry a call between an IPv4 phone and an IPv6 phone; a
 * configured address still wins for every leg. A real MediaEngine relays real UDP on loopback.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import type { CallMediaRequest } from "../../src/call/call-media.js";
import { CallRelay } from "../../src/call/call-relay.js";
import { bindAddressFor } from "../../src/call/media-plane.js";
import { MediaEngine } from "../../src/media/media-engine.js";
import { readSdpAudio } from "../../src/media/sdp-rewrite.js";
import { freePort } from "../helpers/ports.js";

const hasIPv6Loopback = Object.values(networkInterfaces()).some((l) => l?.some((i) => i.address === "::1"));

const sdp = (address: string, port: number) => {
  const family = address.includes(":") ? "IP6" : "IP4";
  return Buffer.from(
    `v=0\r\no=- 1 1 IN ${family} ${address}\r\ns=-\r\nc=IN ${family} ${address}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\n`,
  );
};

const request: CallMediaRequest = {
  callId: "c1",
  callerContactHost: "<sip:100@127.0.0.1:5062>",
  callerSdp: sdp("127.0.0.1", 4000),
  callerSource: "127.0.0.1",
  callerRelayMedia: false,
  calleeRelayMedia: false,
  calleeBindings: [{ contactUri: "sip:101@[::1]:5064", sourceAddress: "::1" }],
};

async function open(type: "udp4" | "udp6", address: string): Promise<Socket> {
  const s = createSocket(type);
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  return s;
}

/** Sends `packet` every 20 ms until `got` has something (the relay's update is asynchronous). */
async function sendUntil(from: Socket, port: number, address: string, got: Buffer[]): Promise<void> {
  const packet = Buffer.alloc(172);
  packet[0] = 0x80;
  for (let i = 0; i < 250 && got.length === 0; i++) {
    from.send(packet, port, address);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the relay's address per leg (issue 23)", () => {
  let engine: MediaEngine;
  before(async () => {
    let base = await freePort();
    base -= base % 2;
    engine = new MediaEngine({
      minPort: base,
      maxPort: base + 19,
      workers: 1,
      // What MediaPlane binds with no --media-address: "::" on a host with IPv6.
      bindAddress: bindAddressFor(undefined),
      statsIntervalMs: 100,
    });
    await engine.start();
  });
  after(() => engine.close());

  const relay = (address: string | undefined) =>
    new CallRelay({
      engine,
      mode: "always",
      address,
      fallbackAddress: "192.0.2.99",
      timeoutMs: 0,
      onError: () => {},
    });

  it("bindAddressFor(undefined) is the dual-stack wildcard on a host with IPv6", {
    skip: !hasIPv6Loopback,
  }, () => {
    assert.equal(bindAddressFor(undefined), "::");
  });

  it("each leg's SDP names that leg's local address; none known: the fallback", async () => {
    const media = await relay(undefined).forCall(request);
    assert.ok(media);
    try {
      const toCallee = readSdpAudio(
        media.sdp(sdp("127.0.0.1", 4000), {
          callId: "c1",
          direction: "caller-to-callee",
          local: () => "::1",
        }),
      );
      const toCaller = readSdpAudio(
        media.sdp(sdp("::1", 4002), {
          callId: "c1",
          direction: "callee-to-caller",
          local: () => "127.0.0.1",
        }),
      );
      assert.equal(toCallee?.address, "::1");
      assert.equal(toCaller?.address, "127.0.0.1");
      const rewritten = media
        .sdp(sdp("127.0.0.1", 4000), { callId: "c1", direction: "caller-to-callee", local: () => "::1" })
        .toString();
      assert.match(rewritten, /^c=IN IP6 ::1$/m);
      const unknown = readSdpAudio(
        media.sdp(sdp("127.0.0.1", 4000), { callId: "c1", direction: "caller-to-callee" }),
      );
      assert.equal(unknown?.address, "192.0.2.99");
    } finally {
      await media.close();
    }
  });

  it("--media-address is written for every leg, whatever the leg's own address", async () => {
    const media = await relay("198.51.100.4").forCall(request);
    assert.ok(media);
    try {
      const context = { callId: "c1", direction: "caller-to-callee", local: () => "::1" } as const;
      assert.equal(readSdpAudio(media.sdp(sdp("127.0.0.1", 4000), context))?.address, "198.51.100.4");
    } finally {
      await media.close();
    }
  });

  it("audio flows both ways between an IPv4 phone and an IPv6 phone", {
    skip: !hasIPv6Loopback,
  }, async () => {
    const media = await relay(undefined).forCall(request);
    assert.ok(media);
    const caller = await open("udp4", "127.0.0.1");
    const callee = await open("udp6", "::1");
    const atCaller: Buffer[] = [];
    const atCallee: Buffer[] = [];
    caller.on("message", (m) => atCaller.push(m));
    callee.on("message", (m) => atCallee.push(m));
    try {
      const toCallee = readSdpAudio(
        media.sdp(sdp("127.0.0.1", caller.address().port), {
          callId: "c1",
          direction: "caller-to-callee",
          local: () => "::1",
        }),
      );
      const toCaller = readSdpAudio(
        media.sdp(sdp("::1", callee.address().port), {
          callId: "c1",
          direction: "callee-to-caller",
          local: () => "127.0.0.1",
        }),
      );
      assert.ok(toCallee && toCaller);
      // Each phone sends where its own SDP told it: the caller over IPv4, the callee over IPv6.
      await sendUntil(caller, toCaller.port, toCaller.address, atCallee);
      await sendUntil(callee, toCallee.port, toCallee.address, atCaller);
      assert.ok(atCallee.length > 0, "the IPv6 callee got the IPv4 caller's RTP");
      assert.ok(atCaller.length > 0, "the IPv4 caller got the IPv6 callee's RTP");
      for (let i = 0; i < 50 && media.stats().callee.packetsIn === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      const stats = media.stats();
      assert.equal(stats.caller.latched, `127.0.0.1:${caller.address().port}`, "shown as plain IPv4");
      assert.equal(stats.callee.latched, `::1:${callee.address().port}`);
    } finally {
      caller.close();
      callee.close();
      await media.close();
    }
  });
});
