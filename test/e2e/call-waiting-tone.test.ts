/**
 * End to end (issue 15): Parley plays the call-waiting tone in the media path. With the media
 * relayed, 101 (baresip) talks with 100, who sends a 1 kHz tone; 102 calls 101, whose phone plays
 * no tone of its own in this test (baresip's alert goes to a silent sink): what 101 receives from
 * the relay carries the US plan's waiting tone (440 Hz, 300 ms) at once and again 10 s later,
 * between stretches of 100's 1 kHz, and none before the second call.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toneShare, wavSamples } from "../helpers/audio-measure.js";
import { PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";

const skip = missingTool("baresip") || missingTool("sox");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start times (s) of 100 ms windows where 440 Hz dominates, merged into bursts. */
function bursts(pcm: Int16Array, hz: number): number[] {
  const starts: number[] = [];
  let inBurst = false;
  for (let i = 0; i + 800 <= pcm.length; i += 800) {
    const on = toneShare(pcm.subarray(i, i + 800), hz) > 0.5;
    if (on && !inBurst) starts.push(i / 8000);
    inBurst = on;
  }
  return starts;
}

describe("the call-waiting tone in the media path (baresip, relayed media)", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 23000);

  const phone = (user: string, source: string) => phones.phone(user, source);

  before(async () => {
    parley = await startParley(["--media-relay", "always", "--rtp-ports", "33000-33199"]);
    work = mkdtempSync(join(tmpdir(), "parley-cw-tone-"));
  });

  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("101 hears 440 Hz bursts 10 s apart while 102's call waits", { timeout: 90000 }, async (t) => {
    await toneWav(join(work, "1000.wav"), 1000, 60);
    await toneWav(join(work, "silence.wav"), 0, 60);
    const a = await phone("100", join(work, "1000.wav"));
    const b = await phone("101", join(work, "silence.wav"));
    const c = await phone("102", join(work, "silence.wav"));
    a.command("dial", `sip:101@127.0.0.1:${parley.sipPort}`);
    assert.ok(await b.waitForEvent("CALL_INCOMING", 10000), "101 rings");
    b.command("accept");
    assert.ok(await b.waitForEvent("CALL_ESTABLISHED", 10000), `101 answered\n${b.output()}`);
    // Fixed stretches on purpose: 3 s of the call alone, then 12.5 s of a waiting call (two bursts
    // 10 s apart are measured in 101's recording).
    await sleep(3000);
    c.command("dial", `sip:101@127.0.0.1:${parley.sipPort}`);
    await sleep(12500);
    c.command("hangup");
    await sleep(500);
    a.command("hangup");
    assert.ok(await b.waitForEvent("CALL_CLOSED", 10000));
    await b.stop();
    const heard = wavSamples(b.received()!);
    const tones = bursts(heard, 440);
    t.diagnostic(
      `440 Hz bursts at ${tones.map((s) => s.toFixed(1)).join(", ")} s of ${(heard.length / 8000).toFixed(1)} s`,
    );
    assert.ok(tones.length >= 2, `at least two waiting tones (${tones.join(", ")})`);
    assert.ok(tones[0] >= 2.5, "no waiting tone before the second call");
    const gap = tones[1] - tones[0];
    assert.ok(gap > 9 && gap < 11.5, `the tone repeats after about 10 s (${gap.toFixed(1)} s)`);
    // Between the tones, 101 hears 100 again.
    const between = heard.subarray(Math.round((tones[0] + 1) * 8000), Math.round((tones[0] + 4) * 8000));
    assert.ok(toneShare(between, 1000) > 0.7, "the other party's audio is back after the tone");
  });
});
