/**
 * End to end (issue 20): an independent WebRTC client, not a browser and not Parley's page: the
 * small SIP over WebSocket client of ws-sip-client.ts for signalling over WSS (--sip-wss-port,
 * Parley's generated certificate), and werift (a WebRTC stack) for the media. It registers as 102,
 * calls the echo test (*43) with a JSEP offer and digest authentication, gets a WebRTC answer
 * (ice-lite, Parley's fingerprint, DTLS server), connects over ICE and DTLS-SRTP, and hears
 * Parley's audio decrypted; its BYE ends the call and the call record says so. Then it leaves a
 * voicemail for 100 (no device): the stored message is the 1000 Hz tone it sent over SRTP.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import alawmulaw from "alawmulaw";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { toneShare, wavSamples } from "../helpers/audio-measure.js";
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
    const patch = await parley.api("PATCH", "/api/v1/users/100", { voicemailOnUnreachableOrNoAnswer: true });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
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

  it("leaves a voicemail: Parley's endpoint records what the browser sends over SRTP", {
    timeout: 60000,
  }, async (t) => {
    const client = await WsSipClient.connect(`wss://${HOST}:${wss}`, { rejectUnauthorized: false });
    assert.equal((await client.register("102", "102", HOST)).status, 200);
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
    pc.addTransceiver(track, { direction: "sendrecv" });
    await pc.setLocalDescription(await pc.createOffer());
    await until(() => pc.iceGatheringState === "complete", 5000);
    // 100 has no device and voicemail when unreachable: Parley's voicemail answers at once.
    const call = await client.invite("100", "102", "102", HOST, pc.localDescription!.sdp);
    assert.equal(call.response.status, 200, call.response.serialize().toString());
    call.ack();
    await pc.setRemoteDescription({ type: "answer", sdp: call.response.body.toString() });
    assert.ok(
      await until(() => pc.connectionState === "connected", 15000),
      `connected (${pc.connectionState})`,
    );
    // A 1000 Hz tone, µ-law, 20 ms a packet, through the greeting and the beep (8.4 s: "the person
    // at extension 1 0 0 is unavailable, please leave a message") and a few seconds on: 13 s. With
    // 9 s the message was 0.6 s, under the voicemail minimum, whenever the timers kept time.
    const frame = Buffer.alloc(160);
    for (let seq = 0; seq < 650; seq++) {
      for (let i = 0; i < 160; i++)
        frame[i] = alawmulaw.mulaw.encodeSample(
          Math.round(8000 * Math.sin((2 * Math.PI * 1000 * (seq * 160 + i)) / 8000)),
        );
      track.writeRtp(
        new RtpPacket(
          new RtpHeader({
            payloadType: 0,
            sequenceNumber: seq,
            timestamp: seq * 160,
            ssrc: 0xcafe,
            marker: false,
          }),
          frame,
        ),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    call.bye();
    let items: Array<{ caller: string; durationMs: number }> = [];
    for (let i = 0; i < 50 && items.length === 0; i++) {
      items = (await parley.api("GET", "/api/v1/voicemail?user=100")).body.items ?? [];
      if (items.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    t.diagnostic(`voicemail: ${JSON.stringify(items)}`);
    assert.equal(items.length, 1, "one message left");
    assert.equal(items[0].caller, "102");
    assert.ok(items[0].durationMs > 1000, `a message of ${items[0].durationMs} ms`);
    const files = readdirSync(join(parley.dataDir, "voicemail"), { recursive: true, encoding: "utf8" });
    const wav = files.find((f) => f.endsWith(".wav"));
    assert.ok(wav, `a WAV in ${files.join(", ")}`);
    const samples = wavSamples(join(parley.dataDir, "voicemail", wav));
    const share = toneShare(samples.subarray(1000, samples.length - 1000), 1000);
    t.diagnostic(`1000 Hz share of the message ${share.toFixed(2)}`);
    assert.ok(share > 0.8, `the message is the browser's 1000 Hz tone (share ${share.toFixed(2)})`);
    await pc.close();
    client.close();
  });
});
