/**
 * End to end (issue 20): an independent WebRTC client, not a browser and not Parley's page: the
 * small SIP over WebSocket client of ws-sip-client.ts for signalling over WSS (--sip-wss-port,
 * Parley's generated certificate), and werift (a WebRTC stack) for the media. It registers as 102,
 * calls the echo test (*43) with a JSEP offer and digest authentication, gets a WebRTC answer
 * (ice-lite, Parley's fingerprint, DTLS server), connects over ICE and DTLS-SRTP, and hears
 * Parley's audio decrypted; its BYE ends the call and the call record says so.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePorts } from "../helpers/ports.js";
import { WsSipClient } from "./ws-sip-client.js";

const HOST = "127.0.0.1";

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return what();
}

describe("an independent WebRTC client over WSS", () => {
  let parley: ParleyProcess;
  let wss: number;
  before(async () => {
    [wss] = await freePorts(1);
    parley = await startParley(["--sip-wss-port", String(wss), "--rtp-ports", "38800-38849"]);
  });
  after(async () => {
    await parley.stop();
  });

  it("registers, calls the echo test with a JSEP offer and hears Parley over DTLS-SRTP", {
    timeout: 30000,
  }, async (t) => {
    const client = await WsSipClient.connect(`wss://${HOST}:${wss}`, { rejectUnauthorized: false });
    const registered = await client.register("102", "102", HOST);
    assert.equal(registered.status, 200, registered.serialize().toString());

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
    await pc.setLocalDescription(await pc.createOffer());
    await until(() => pc.iceGatheringState === "complete", 5000);

    const call = await client.invite("*43", "102", "102", HOST, pc.localDescription!.sdp);
    assert.equal(call.response.status, 200, call.response.serialize().toString());
    const answer = call.response.body.toString();
    assert.match(answer, /^a=ice-lite/m);
    assert.match(answer, /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0\b/m);
    assert.match(answer, /^a=setup:passive/m);
    assert.match(answer, /^a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/m);
    call.ack();
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    // werift hands a track only RTP of a signalled SSRC (a browser plays an unsignalled one too),
    // and Parley's SDP names none: the test listens below the tracks, to what SRTP decrypted.
    transceiver.dtlsTransport.onRtp.subscribe((rtp) => heard.push(rtp.payload));
    assert.ok(
      await until(() => pc.connectionState === "connected", 15000),
      `connected (${pc.connectionState})`,
    );
    // The endpoint latches on what the client sends: a few frames of µ-law silence.
    for (let i = 0; i < 25; i++) {
      track.writeRtp(
        new RtpPacket(
          new RtpHeader({
            payloadType: 0,
            sequenceNumber: i,
            timestamp: i * 160,
            ssrc: 0xcafe,
            marker: false,
          }),
          Buffer.alloc(160, 0xff),
        ),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    // The echo test's announcement: µ-law audio, not silence (0xFF / 0x7F are µ-law zero).
    assert.ok(await until(() => heard.length >= 25, 5000), `werift heard Parley (${heard.length} packets)`);
    const loud = heard.some((p) => p.some((b) => (b & 0x7f) < 0x60));
    assert.ok(loud, "what werift decrypted is the announcement, not silence");
    call.bye();
    const byeAnswered = await client.next(5000);
    assert.equal(byeAnswered.kind === "response" ? byeAnswered.status : 0, 200);
    let cdr: Record<string, unknown> | undefined;
    for (let i = 0; i < 30 && cdr === undefined; i++) {
      cdr = (await parley.api("GET", "/api/v1/cdrs?number=*43&limit=1")).body.items?.[0];
      if (cdr === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(cdr?.caller, "102", JSON.stringify(cdr));
    assert.equal(cdr?.disposition, "answered");
    t.diagnostic(`werift decrypted ${heard.length} RTP packets from Parley`);
    await pc.close();
    client.close();
  });
});
