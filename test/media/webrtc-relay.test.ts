/**
 * A browser's call through the media relay (issue 20), below SIP: werift (a WebRTC stack, as a
 * browser would be) makes a JSEP offer; the call relay (src/call/call-relay.ts) turns it into plain
 * SDP for a "phone" (a UDP socket on 127.0.0.1) and the phone's answer into a WebRTC answer
 * (ice-lite, fingerprint, one host candidate); then ICE, DTLS-SRTP and SRTP run against the real
 * media worker, and RTP flows both ways, decrypted byte for byte.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { CallRelay } from "../../src/call/call-relay.js";
import { MediaEngine } from "../../src/media/media-engine.js";
import { freePort } from "../helpers/ports.js";

const HOST = "127.0.0.1";

async function until(what: () => boolean, ms = 10000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return what();
}

function plainRtp(seq: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0x1234, 8);
  payload.copy(b, 12);
  return b;
}

/** A browser-like peer: PCMU only, host candidates on loopback only. */
async function browserOffer(): Promise<{
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  heard: Buffer[];
  offer: string;
}> {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
      ],
    },
    iceInterfaceAddresses: { udp4: HOST },
    iceUseIpv6: false,
  });
  const track = new MediaStreamTrack({ kind: "audio" });
  const transceiver = pc.addTransceiver(track, { direction: "sendrecv" });
  const heard: Buffer[] = [];
  transceiver.onTrack.subscribe((remote) => remote.onReceiveRtp.subscribe((rtp) => heard.push(rtp.payload)));
  await pc.setLocalDescription(await pc.createOffer());
  await until(() => pc.iceGatheringState === "complete", 5000);
  return { pc, track, heard, offer: pc.localDescription!.sdp };
}

describe("a browser's call through the media relay (ICE-lite, DTLS-SRTP, SRTP <-> RTP)", () => {
  let engine: MediaEngine;
  let phone: Socket;
  const phoneHeard: Buffer[] = [];
  let phoneFrom: { address: string; port: number } | undefined;

  before(async () => {
    let base = await freePort();
    base -= base % 2;
    engine = new MediaEngine({ minPort: base, maxPort: base + 99, workers: 1, bindAddress: HOST });
    await engine.start();
    phone = createSocket("udp4");
    phone.on("message", (data, from) => {
      phoneHeard.push(data);
      phoneFrom = { address: from.address, port: from.port };
    });
    await new Promise<void>((r) => phone.bind(0, HOST, () => r()));
  });
  after(async () => {
    phone.close();
    await engine.close();
  });

  it("relays a browser's SRTP to a phone's RTP and back", { timeout: 30000 }, async () => {
    assert.match(engine.dtlsFingerprint ?? "", /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const relay = new CallRelay({
      engine,
      mode: "never",
      address: HOST,
      fallbackAddress: HOST,
      timeoutMs: 0,
      onError: (e) => assert.fail(String(e)),
    });
    const browser = await browserOffer();
    const media = await relay.forCall({
      callId: "c1",
      callerSdp: Buffer.from(browser.offer),
      callerSource: HOST,
      callerRelayMedia: false,
      calleeRelayMedia: false,
      calleeBindings: [],
    });
    assert.ok(media !== undefined, "a browser's call is relayed even with --media-relay never");
    const toPhone = media
      .sdp(Buffer.from(browser.offer), { callId: "c1", direction: "caller-to-callee" })
      .toString();
    assert.match(toPhone, /^m=audio \d+ RTP\/AVP 0\b/m, toPhone);
    assert.doesNotMatch(toPhone, /a=fingerprint|a=ice-|a=candidate/);
    const relayPortB = Number(/^m=audio (\d+)/m.exec(toPhone)?.[1]);
    const answer = [
      "v=0",
      `o=phone 1 1 IN IP4 ${HOST}`,
      "s=-",
      `c=IN IP4 ${HOST}`,
      "t=0 0",
      `m=audio ${phone.address().port} RTP/AVP 0`,
      "a=rtpmap:0 PCMU/8000",
      "a=sendrecv",
      "",
    ].join("\r\n");
    const toBrowser = media
      .sdp(Buffer.from(answer), { callId: "c1", direction: "callee-to-caller" })
      .toString();
    assert.match(toBrowser, /^a=ice-lite/m);
    assert.match(toBrowser, /UDP\/TLS\/RTP\/SAVPF 0/);
    assert.match(toBrowser, /^a=setup:passive/m);
    assert.match(toBrowser, new RegExp(`^a=fingerprint:${engine.dtlsFingerprint}`, "m"));
    // werift routes RTP by signalled SSRC only (a browser plays an unsignalled SSRC too): the
    // test names the phone's SSRC in the answer it gives werift.
    const signalled = toBrowser.includes("a=ssrc:4660")
      ? toBrowser
      : `${toBrowser.trimEnd()}\r\na=ssrc:4660 cname:phone\r\n`;
    await browser.pc.setRemoteDescription({ type: "answer", sdp: signalled });
    assert.ok(
      await until(() => browser.pc.connectionState === "connected", 15000),
      `browser connected (${browser.pc.connectionState})`,
    );

    // Browser -> phone: the phone gets plain RTP with the browser's payload.
    const fromBrowser = Buffer.alloc(160, 0x42);
    for (let i = 0; i < 20 && phoneHeard.length === 0; i++) {
      browser.track.writeRtp(
        new RtpPacket(
          new RtpHeader({
            payloadType: 0,
            sequenceNumber: 100 + i,
            timestamp: i * 160,
            ssrc: 0xbeef,
            marker: false,
          }),
          fromBrowser,
        ),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(await until(() => phoneHeard.some((p) => p[1] === 0), 3000), "the phone heard RTP");
    const got = phoneHeard.find((p) => (p[1] & 0x7f) === 0)!;
    assert.deepEqual(got.subarray(12), fromBrowser, "the phone hears the browser's payload, decrypted");
    assert.equal(phoneFrom?.port, relayPortB, "from the relay's port facing the phone");

    // Phone -> browser: SRTP the browser decrypts to the phone's payload.
    const fromPhone = Buffer.alloc(160, 0x17);
    for (let i = 0; i < 50 && browser.heard.length === 0; i++) {
      phone.send(plainRtp(i, fromPhone), relayPortB, HOST);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(await until(() => browser.heard.length > 0, 3000), "the browser heard RTP");
    assert.deepEqual(browser.heard[0], fromPhone);

    const stats = await media.close();
    assert.ok(stats.caller.packetsIn > 0 && stats.callee.packetsIn > 0, JSON.stringify(stats));
    await browser.pc.close();
  });
});
