/**
 * End to end (issue 15): music on hold, on a call whose media flows phone to phone (Parley
 * anchors the hold) and on a relayed call (Parley plays into the relay). baresip 100
 * (sending 440 Hz) calls 101, a scripted phone whose RTP lands in a test socket (baresip's own
 * recorder stops at a re-INVITE, so it cannot be the held party's ear). 100 holds (baresip's
 * re-INVITE, sendonly) for about 3 s, then resumes. What 101 heard, by arrival time: 440 Hz
 * before the hold, the shipped music-on-hold track while held (its spectrum measured), and
 * 440 Hz again after the resume.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decode } from "../../src/media/dsp/g711.js";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { bandSpectrum, spectrumSimilarity, toneShare, wavSamples } from "../helpers/audio-measure.js";
import { BaresipPhone, presetAccount, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { type ReceivedRtp, RtpPeer } from "../helpers/rtp-peer.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

/** The audio of the packets that arrived between two instants (performance.now()). */
function heardBetween(inbox: readonly ReceivedRtp[], from: number, to: number): Int16Array {
  const packets = inbox.filter((p) => p.at >= from && p.at < to && (p.pt === 0 || p.pt === 8));
  const out = new Int16Array(packets.length * 160);
  for (const [i, p] of packets.entries())
    out.set(decode(p.pt === 0 ? "PCMU" : "PCMA", p.payload).subarray(0, 160), i * 160);
  return out;
}

/** The highest spectrum similarity of `heard` with any stretch of `track` as long (0.25 s steps). */
function bestTrackSimilarity(heard: Int16Array, track: Int16Array): number {
  const heardSpectrum = bandSpectrum(heard);
  let best = 0;
  for (let at = 0; at + heard.length <= track.length; at += 2000) {
    best = Math.max(
      best,
      spectrumSimilarity(heardSpectrum, bandSpectrum(track.subarray(at, at + heard.length))),
    );
  }
  return best;
}
for (const mode of [
  {
    name: "media phone to phone: anchored for the hold",
    args: [] as string[],
    rtp: "31500-31549",
    phone: "27550-27579",
  },
  {
    name: "relayed media: played into the relay",
    args: ["--media-relay", "always"],
    rtp: "31550-31599",
    phone: "27580-27599",
  },
]) {
  describe(`music on hold, ${mode.name}`, { skip: missingTool("baresip") || missingTool("sox") }, () => {
    let parley: ParleyProcess;
    let work: string;
    let a: BaresipPhone | undefined;
    let b: ScriptedPhone | undefined;
    let ear: RtpPeer | undefined;
    before(async () => {
      parley = await startParley(["--rtp-ports", mode.rtp, ...mode.args]);
      work = mkdtempSync(join(tmpdir(), "parley-moh-"));
    });
    after(async () => {
      await a?.stop();
      b?.close();
      ear?.close();
      await parley.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it("the held party hears the music, then the caller again after the resume", {
      timeout: 90000,
    }, async (t) => {
      await toneWav(join(work, "440.wav"), 440, 60);
      ear = await RtpPeer.open();
      b = await ScriptedPhone.open("101", parley.sipPort, ear.port);
      assert.equal((await b.register()).status, 200);
      const server = `127.0.0.1:${parley.sipPort}`;
      a = await BaresipPhone.start({
        account: presetAccount("100", server),
        source: join(work, "440.wav"),
        rtpPorts: mode.phone,
      });
      assert.ok(await a.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000));
      a.command("dial", `sip:101@${server}`);
      assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `established\n${a.output()}`);
      // Fixed stretches on purpose: 2 s talking, 3.5 s held, 2.5 s resumed, each measured at 101.
      await new Promise((r) => setTimeout(r, 2000));
      const held = performance.now();
      a.command("hold");
      await new Promise((r) => setTimeout(r, 3500));
      const resumed = performance.now();
      a.command("resume");
      await new Promise((r) => setTimeout(r, 2500));
      const end = performance.now();
      a.command("hangup");
      assert.ok(await a.waitForEvent("CALL_CLOSED", 10000));

      const inbox = ear.inbox;
      const before = heardBetween(inbox, held - 1500, held);
      const music = heardBetween(inbox, held + 700, resumed);
      const after = heardBetween(inbox, resumed + 700, end);
      // The music starts at the top of the track; the track's spectrum changes along it, and
      // where the held window falls depends on how soon the music started: compare with the
      // best-matching stretch of its first 8 s.
      const track = wavSamples(join(SHIPPED_PROMPTS_DIR, "moh", "default.wav")).subarray(0, 8000 * 8);
      const similarity = bestTrackSimilarity(music, track);
      // The control: a clean 440 Hz tone (not the recorded window, whose edge may catch the hold's
      // first packets) must not pass for the track.
      const sine = Int16Array.from({ length: 8000 * 1.5 }, (_, i) =>
        Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
      );
      const toneSimilarity = bestTrackSimilarity(sine, track);
      t.diagnostic(
        `before: ${before.length / 8} ms 440=${toneShare(before, 440).toFixed(2)}; held: ${music.length / 8} ms 440=${toneShare(music, 440).toFixed(2)} similarity=${similarity.toFixed(2)} (the tone's ${toneSimilarity.toFixed(2)}); after: ${after.length / 8} ms 440=${toneShare(after, 440).toFixed(2)}`,
      );
      assert.ok(toneShare(before, 440) > 0.8, "the caller's 440 Hz before the hold");
      assert.ok(music.length >= 8000 * 2, "audio while held (music, not silence)");
      assert.ok(toneShare(music, 440) < 0.05, "not the caller while held");
      assert.ok(similarity > 0.6, `the music-on-hold track's spectrum (similarity ${similarity.toFixed(2)})`);
      assert.ok(toneSimilarity < 0.6, "the measure tells a tone from the music");
      assert.ok(toneShare(after, 440) > 0.8, "the caller's 440 Hz again after the resume");
      // The music stopped with the resume: no packets of Parley's stream after it.
      const ssrcs = new Set(inbox.filter((p) => p.at > resumed + 700).map((p) => p.ssrc));
      assert.equal(ssrcs.size, 1, "only the caller's stream after the resume");
    });
  });
}
