/**
 * Parley's media endpoints in a real media worker over UDP on 127.0.0.1: what a phone hears
 * (prompts as continuous, paced RTP; the echo; a conference's mix-minus) and what Parley hears
 * (digits in RFC 4733, SIP INFO and in-band forms; recordings), measured rather than assumed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import wavefile from "wavefile";
import type { DigitEvent, EndpointHandle } from "../../src/media/endpoint-handle.js";
import { MediaEngine } from "../../src/media/media-engine.js";
import { freePort } from "../helpers/ports.js";
import { HOST, RtpPeer, toneShare, until } from "../helpers/rtp-peer.js";

const dir = mkdtempSync(join(tmpdir(), "parley-endpoints-"));

function toneWav(name: string, freq: number, ms: number): string {
  const n = (ms * 8000) / 1000;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / 8000));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 8000, "16", pcm);
  const file = join(dir, name);
  writeFileSync(file, wav.toBuffer());
  return file;
}

function readPcm(file: string): Int16Array {
  const wav = new wavefile.WaveFile(readFileSync(file));
  assert.equal((wav.fmt as { sampleRate: number }).sampleRate, 8000);
  return Int16Array.from(wav.getSamples(false, Int16Array) as unknown as Int16Array);
}

describe("media endpoints (Parley as a party to a call)", () => {
  let engine: MediaEngine;
  const open: EndpointHandle[] = [];
  const peers: RtpPeer[] = [];

  async function connected(
    codec: "PCMU" | "PCMA" = "PCMU",
  ): Promise<{ ep: EndpointHandle; peer: RtpPeer; digits: DigitEvent[] }> {
    const ep = await engine.openEndpoint();
    const peer = await RtpPeer.open();
    open.push(ep);
    peers.push(peer);
    await ep.setRemote({
      address: HOST,
      port: peer.port,
      rtcpMux: false,
      codec,
      telephoneEvent: 101,
      send: true,
    });
    const digits: DigitEvent[] = [];
    ep.onDigit((d) => digits.push(d));
    return { ep, peer, digits };
  }

  before(async () => {
    const base = await freePort();
    engine = new MediaEngine({
      minPort: 30000 + (base % 20000),
      maxPort: 30000 + (base % 20000) + 99,
      workers: 1,
      bindAddress: HOST,
    });
    await engine.start();
  });

  after(async () => {
    for (const ep of open) await ep.close();
    for (const p of peers) p.close();
    await engine.close();
  });

  it("plays a file as one continuous, paced RTP stream with the marker at each talkspurt", async () => {
    const { ep, peer } = await connected();
    const tone = toneWav("1k.wav", 1000, 1000);
    const first = await ep.play([{ file: tone }]);
    assert.equal(first.reason, "completed");
    await until(() => peer.inbox.length >= 50);
    const gap = await ep.play([{ silenceMs: 200 }]);
    assert.equal(gap.reason, "completed");
    const second = await ep.play([{ file: tone }]);
    assert.equal(second.reason, "completed");
    await until(() => peer.inbox.length >= 100);
    const got = peer.inbox;
    assert.equal(got.length, 100, "50 packets of 20 ms per second of audio, nothing during the silence");
    assert.ok(got.every((p) => p.pt === 0 && p.ssrc === got[0].ssrc && p.payload.length === 160));
    for (let i = 1; i < got.length; i++)
      assert.equal(got[i].seq, (got[i - 1].seq + 1) & 0xffff, "no sequence gap");
    assert.equal(got[0].marker, true);
    assert.equal(got[50].marker, true, "a new talkspurt after the silence");
    assert.equal(got.filter((p) => p.marker).length, 2);
    for (let i = 1; i < 50; i++) assert.equal(got[i].ts - got[i - 1].ts, 160);
    const pause = (got[50].ts - got[49].ts) >>> 0;
    assert.ok(pause >= 160 * 10 && pause <= 160 * 16, `the timestamp jumps over the silence (${pause})`);
    const spacing = (got[49].at - got[0].at) / 49;
    assert.ok(spacing > 18 && spacing < 22, `paced at 20 ms (${spacing.toFixed(2)} ms)`);
    assert.ok(toneShare(peer.audio(), 1000) > 0.9, "the phone hears the 1 kHz tone");
  });

  it("takes each RFC 4733 key once, in order, and SIP INFO digits on the same stream", async () => {
    const { ep, peer, digits } = await connected();
    const keys = "0123456789*#";
    for (const k of keys) await peer.sendEvent(ep.port, k);
    ep.digit("5", 100);
    await until(() => digits.length >= keys.length + 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(digits.map((d) => d.digit).join(""), `${keys}5`);
    assert.ok(digits.slice(0, keys.length).every((d) => d.source === "rfc4733"));
    assert.equal(digits[keys.length].source, "info");
    assert.equal(digits[0].volume, -10, "RFC 4733 2.3.4: the power level, -10 dBm0");
    assert.ok(
      digits.slice(0, keys.length).every((d) => d.durationMs === 100),
      "each key's 100 ms",
    );
  });

  it("collects digits up to a terminator, with type-ahead, and times out", async () => {
    const { ep, peer } = await connected();
    await peer.sendEvent(ep.port, "1");
    const collecting = ep.collect({ max: 10, terminators: "#", firstDigitMs: 3000, interDigitMs: 3000 });
    await peer.sendEvent(ep.port, "2");
    await peer.sendEvent(ep.port, "#");
    const r = await collecting;
    assert.deepEqual(
      { reason: r.reason, digits: r.digits, digit: r.digit },
      { reason: "completed", digits: "12", digit: "#" },
    );
    const waited = await ep.collect({ max: 4, firstDigitMs: 200, interDigitMs: 200 });
    assert.equal(waited.reason, "timeout");
    assert.equal(waited.digits, "");
  });

  it("keeps digits typed past one collection for the next (a mailbox, then its PIN)", async () => {
    const { ep, peer } = await connected();
    for (const key of "100#2468#") await peer.sendEvent(ep.port, key);
    // The keys are typed before anything collects them (what is tested): let the last ones land.
    await new Promise((r) => setTimeout(r, 100));
    const mailbox = await ep.collect({ max: 10, terminators: "#", firstDigitMs: 3000, interDigitMs: 3000 });
    assert.equal(mailbox.digits, "100");
    const pin = await ep.collect({ max: 10, terminators: "#", firstDigitMs: 3000, interDigitMs: 3000 });
    assert.deepEqual({ reason: pin.reason, digits: pin.digits }, { reason: "completed", digits: "2468" });
  });

  it("stops an interruptible prompt on a digit", async () => {
    const { ep, peer } = await connected();
    const playing = ep.play([{ file: toneWav("long.wav", 440, 5000) }], { interruptDigits: "0123456789*#" });
    // The digit once the prompt is heard playing (not after a fixed time).
    const heardAt = peer.inbox.length;
    assert.ok(await until(() => peer.inbox.length > heardAt), "the prompt plays");
    await peer.sendEvent(ep.port, "7");
    const r = await playing;
    assert.equal(r.reason, "interrupted");
    assert.equal(r.digit, "7");
  });

  it("records a 1 kHz tone to a WAV of the right length, ended by #", async () => {
    const { ep, peer } = await connected();
    const file = join(dir, "rec.wav");
    const recording = ep.record({ file, maxMs: 10_000, endDigits: "#" });
    await peer.sendTone(ep.port, 1000, 1500);
    await peer.sendEvent(ep.port, "#");
    const r = await recording;
    assert.equal(r.reason, "interrupted");
    assert.equal(r.saved, true);
    const pcm = readPcm(file);
    const ms = pcm.length / 8;
    assert.ok(ms >= 1450 && ms <= 1800, `recorded ${ms} ms`);
    assert.equal(Math.abs((r.durationMs ?? 0) - ms) <= 1, true);
    assert.ok(toneShare(pcm.subarray(800, 8000), 1000) > 0.8, "a 1 kHz tone");
  });

  it("echoes what the phone says", async () => {
    const { ep, peer } = await connected("PCMA");
    const echo = ep.echo();
    await peer.sendTone(ep.port, 700, 600, "PCMA");
    await until(() => peer.inbox.length >= 25);
    echo.stop();
    assert.equal((await echo).reason, "stopped");
    assert.ok(peer.inbox.every((p) => p.pt === 8));
    assert.ok(toneShare(peer.audio(), 700) > 0.8);
  });

  it("mixes a conference: each hears the other two and not itself, PCMU and PCMA together", async () => {
    const tones = [500, 800, 1100];
    const parties = await Promise.all(
      tones.map(async (_, i) => {
        const ep = await engine.openEndpoint({ room: "test-room" });
        const peer = await RtpPeer.open();
        open.push(ep);
        peers.push(peer);
        const codec = i === 1 ? ("PCMA" as const) : ("PCMU" as const);
        await ep.setRemote({ address: HOST, port: peer.port, rtcpMux: false, codec, send: true });
        ep.conference("test-room");
        return { ep, peer, codec };
      }),
    );
    await Promise.all(parties.map((p, i) => p.peer.sendTone(p.ep.port, tones[i], 1200, p.codec)));
    for (const [i, p] of parties.entries()) {
      const heard = p.peer.audio(10);
      assert.ok(heard.length > 8000 * 0.5, `party ${i} heard audio`);
      const own = toneShare(heard, tones[i]);
      const others = tones.filter((_, j) => j !== i).map((f) => toneShare(heard, f));
      for (const o of others)
        assert.ok(o > 0.25, `party ${i} hears the others (${others.map((x) => x.toFixed(2))})`);
      assert.ok(own < 0.02, `party ${i} does not hear itself (${own.toFixed(3)})`);
    }
  });

  it("bridges two endpoints: each phone hears the other, PCMU to PCMA", async () => {
    const a = await connected("PCMU");
    const ep = await engine.openEndpoint({ near: a.ep });
    const peer = await RtpPeer.open();
    open.push(ep);
    peers.push(peer);
    await ep.setRemote({ address: HOST, port: peer.port, rtcpMux: false, codec: "PCMA", send: true });
    const ab = a.ep.bridge(ep);
    const ba = ep.bridge(a.ep);
    await Promise.all([
      a.peer.sendTone(a.ep.port, 600, 600, "PCMU"),
      peer.sendTone(ep.port, 1200, 600, "PCMA"),
    ]);
    await until(() => a.peer.inbox.length >= 20 && peer.inbox.length >= 20);
    ab.stop();
    ba.stop();
    assert.ok(toneShare(a.peer.audio(), 1200) > 0.7, "A hears B's 1200 Hz");
    assert.ok(toneShare(peer.audio(), 600) > 0.7, "B hears A's 600 Hz");
    assert.ok(peer.inbox.every((p) => p.pt === 8) && a.peer.inbox.every((p) => p.pt === 0));
  });

  it("plays into a relayed call's side (music on hold) and gives the side back when closed", async () => {
    const session = await engine.allocate({ a: true, b: true });
    const phoneA = await RtpPeer.open();
    const phoneB = await RtpPeer.open();
    peers.push(phoneA, phoneB);
    await session.update("a", { address: HOST, port: phoneA.port, rtcpMux: false });
    await session.update("b", { address: HOST, port: phoneB.port, rtcpMux: false });
    const music = await engine.openEndpoint({ attach: { session, side: "b" } });
    assert.equal(music.port, 0);
    await music.setRemote({ address: HOST, port: phoneB.port, rtcpMux: false, codec: "PCMU", send: true });
    const playing = music.play([{ file: toneWav("moh.wav", 900, 2000) }], { loop: true });
    // A (holding) still sends: none of it may reach B while the music plays.
    await phoneA.sendTone(session.portA, 300, 600);
    await until(() => phoneB.inbox.length >= 25);
    const heard = phoneB.audio();
    assert.ok(toneShare(heard, 900) > 0.8, "B hears the music");
    assert.ok(toneShare(heard, 300) < 0.01, "and not A");
    await music.close();
    assert.equal((await playing).reason, "hangup");
    const from = phoneB.inbox.length;
    await phoneA.sendTone(session.portA, 300, 400);
    await until(() => phoneB.inbox.length >= from + 15);
    assert.ok(toneShare(phoneB.audio(from), 300) > 0.8, "the relay carries A to B again");
    await session.close();
  });

  it("plays call progress tones of the system's tone plan, changed at run time", async () => {
    const { ep, peer } = await connected();
    await ep.tone("busy", 400);
    await until(() => peer.inbox.length >= 15);
    const us = peer.audio();
    assert.ok(toneShare(us, 480) + toneShare(us, 620) > 0.8, "US busy: 480 + 620 Hz");
    await engine.broadcast({ type: "media.settings", tonePlan: "cn" });
    const from = peer.inbox.length;
    await ep.tone("ringback", 600);
    await until(() => peer.inbox.length >= from + 25);
    assert.ok(toneShare(peer.audio(from), 450) > 0.8, "China ringback: 450 Hz");
    await engine.broadcast({ type: "media.settings", tonePlan: "us" });
  });

  it("mutes a conference participant: the others stop hearing it", async () => {
    const room = "mute-room";
    const parties = await Promise.all(
      [0, 1].map(async () => {
        const ep = await engine.openEndpoint({ room });
        const peer = await RtpPeer.open();
        open.push(ep);
        peers.push(peer);
        await ep.setRemote({ address: HOST, port: peer.port, rtcpMux: false, codec: "PCMU", send: true });
        ep.conference(room);
        return { ep, peer };
      }),
    );
    await parties[0].ep.participant({ muted: true });
    await Promise.all([
      parties[0].peer.sendTone(parties[0].ep.port, 700, 800),
      parties[1].peer.sendTone(parties[1].ep.port, 1300, 800),
    ]);
    const toOne = parties[1].peer.audio(15);
    const toZero = parties[0].peer.audio(15);
    assert.ok(toneShare(toOne, 700) < 0.01, "the muted one is not heard");
    assert.ok(toneShare(toZero, 1300) > 0.5, "the muted one still hears");
  });

  it("survives a missing or corrupt file (the play fails, the endpoint goes on) and counts stray payload types", async () => {
    const { ep, peer } = await connected();
    const bad = join(dir, "corrupt.wav");
    writeFileSync(bad, "RIFF nonsense");
    const missing = await ep.play([{ file: join(dir, "nope.wav") }, { file: bad }]);
    assert.equal(missing.reason, "failed");
    assert.match(missing.error ?? "", /nope\.wav/);
    const partly = await ep.play([
      { file: join(dir, "nope.wav") },
      { file: toneWav("short.wav", 1000, 200) },
    ]);
    assert.equal(partly.reason, "completed");
    const stray = Buffer.alloc(12 + 160);
    stray[0] = 0x80;
    stray[1] = 18; // G.729: not agreed
    peer.send(ep.port, stray);
    peer.send(ep.port, Buffer.from("garbage"));
    await new Promise((r) => setTimeout(r, 100));
    const stats = await ep.close();
    assert.equal(stats?.unexpectedPayload, 1);
    assert.equal(stats?.malformed, 1);
  });
});
