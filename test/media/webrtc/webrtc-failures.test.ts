/**
 * Covers issue 20 (Media, bad input): a STUN check with a wrong password gets no answer and never
 * makes the transport send there; a DTLS handshake that stops after ClientHello fails the
 * transport after handshakeTimeoutMs and leaves no timer; a client certificate that does not
 * match the SDP fingerprint fails; 1,000 rounds of such input hold memory bounded.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createDtlsCertificate, type DtlsCertificate } from "../../../src/media/webrtc/dtls-certificate.js";
import { plainToWebRtc, readWebRtcAudio } from "../../../src/media/webrtc/webrtc-sdp.js";
import { bindingRequest, browser, clientHello, parleySide, timers, until } from "./webrtc-peer.js";

const PLAIN =
  "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

let certificate: DtlsCertificate;
let client: Socket;
const received: Buffer[] = [];
before(async () => {
  certificate = await createDtlsCertificate();
  client = createSocket("udp4");
  client.on("message", (packet) => received.push(packet));
  await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
});
after(() => client.close());

function sendTo(port: number, packet: Buffer): Promise<void> {
  return new Promise((resolve) => client.send(packet, port, "127.0.0.1", () => resolve()));
}

// A real collection before each reading, with or without --expose-gc on the command line.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("WebRtcTransport upon bad input", () => {
  it("does not answer a STUN check with a wrong password, nor send media there", async () => {
    const parley = await parleySide(certificate);
    parley.transport.setRemote({
      ice: { ufrag: "abcd", pwd: "x".repeat(22) },
      fingerprint: { algorithm: "sha-256", value: "00" },
    });
    received.length = 0;
    await sendTo(
      parley.port,
      bindingRequest(`${parley.transport.local.ice.ufrag}:abcd`, "wrong-password-wrong-pw"),
    );
    // A good check from the same socket afterwards is answered: so the first one was refused.
    await sendTo(
      parley.port,
      bindingRequest(`${parley.transport.local.ice.ufrag}:abcd`, parley.transport.local.ice.pwd),
    );
    await until(() => received.length >= 1, "the answer to the good check");
    assert.equal(received.length, 1);
    assert.equal(received[0].readUInt16BE(0), 0x0101);
    assert.equal(parley.transport.state, "checking");
    parley.transport.sendRtp(Buffer.alloc(172, 0x80));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received.length, 1, "no media before DTLS-SRTP");
    parley.transport.close();
    parley.socket.close();
  });

  it("fails after handshakeTimeoutMs when the client stops after ClientHello, holding no timer", async () => {
    const before = timers();
    const parley = await parleySide(certificate, { handshakeTimeoutMs: 200 });
    const ufrag = parley.transport.local.ice.ufrag;
    received.length = 0;
    await sendTo(parley.port, bindingRequest(`${ufrag}:abcd`, parley.transport.local.ice.pwd));
    await sendTo(parley.port, clientHello());
    await until(() => received.some((packet) => packet[0] === 22), "the server's flight");
    await until(() => parley.transport.state === "failed", "the handshake timeout", 3000);
    assert.match(parley.states.at(-1) ?? "", /^failed: no DTLS-SRTP within 200 ms/);
    assert.equal(timers(), before);
    parley.socket.close();
  });

  it("fails when the client's certificate does not match the SDP fingerprint", async () => {
    const parley = await parleySide(certificate);
    const pc = browser();
    pc.addTransceiver("audio", { direction: "sendrecv" });
    await pc.setLocalDescription(await pc.createOffer());
    const remote = readWebRtcAudio(pc.localDescription?.sdp ?? "");
    assert.ok(remote);
    const wrong = remote.fingerprint.value.replace(/^../, (pair) => (pair === "00" ? "11" : "00"));
    parley.transport.setRemote({ ...remote, fingerprint: { algorithm: "sha-256", value: wrong } });
    const answer = plainToWebRtc(
      PLAIN,
      parley.transport.local,
      { address: "127.0.0.1", port: parley.port },
      {
        mid: remote.mid,
        setup: "passive",
      },
    );
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    await until(() => parley.transport.state === "failed", "the fingerprint check");
    assert.match(parley.states.at(-1) ?? "", /does not match the SDP fingerprint/);
    await pc.close();
    parley.socket.close();
  });

  it("holds memory bounded over 1,000 rounds of wrong-password STUN, half handshakes and garbage", async () => {
    const round = async (): Promise<void> => {
      const parley = await parleySide(certificate, { handshakeTimeoutMs: 50 });
      const ufrag = parley.transport.local.ice.ufrag;
      await sendTo(parley.port, bindingRequest(`${ufrag}:abcd`, "not-the-password-at-all"));
      await sendTo(parley.port, bindingRequest(`${ufrag}:abcd`, parley.transport.local.ice.pwd));
      await sendTo(parley.port, clientHello());
      await sendTo(parley.port, Buffer.from([0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
      await sendTo(parley.port, Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
      await until(
        () => parley.transport.state !== "checking" && parley.transport.state !== "new",
        "the round's end",
        2000,
      );
      parley.transport.close();
      await new Promise<void>((resolve) => parley.socket.close(() => resolve()));
    };
    for (let i = 0; i < 100; i++) await round();
    gc();
    const start = process.memoryUsage().heapUsed;
    const timersBefore = timers();
    for (let i = 0; i < 1000; i++) await round();
    gc();
    const growth = process.memoryUsage().heapUsed - start;
    assert.equal(timers(), timersBefore);
    // Each round holds a transport, a DTLS server and its flight (~2 KB): a leak of them all
    // would be several MB (a full collection runs before each reading).
    assert.ok(growth < 4 * 1024 * 1024, `heap grew ${growth} bytes`);
  });
});
