/**
 * End to end (issue 15 acceptance: "voicemail access by phone plays the message back
 * (measured)") with real baresip phones against a real `parley start`:
 * - 101 calls 100, who has no device and voicemail on: `#` skips the greeting, and after the beep
 *   101 leaves about 3 s of a 440 Hz tone, ended by `#` (RFC 4733).
 * - 100 registers and dials *97; its PIN (set through the API) is sent as RFC 4733 digits; then 1:
 *   the message's envelope is spoken and the message played. What 100's phone received holds one
 *   run of 440 Hz as long as the stored message (measured window by window), after about as much
 *   audio as the envelope's prompts last. 7 deletes it: the API lists no message afterwards.
 * - Three wrong PINs: "login incorrect" each time, then Parley hangs up by itself.
 * The menus' every key, interruptions and *98 are proven in test/services/voicemail-access.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Speech } from "../../src/media/media-server.js";
import type { PromptName } from "../../src/media/prompts/catalogue.js";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { sayDigits } from "../../src/media/prompts/say.js";
import { envelopeSpeech } from "../../src/services/voicemail/access-speech.js";
import type { VoicemailMessage } from "../../src/store/index.js";
import { rmsEnvelope, toneShare, wavSamples } from "../helpers/audio-measure.js";
import { type BaresipPhone, PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PIN = "2468";

/** Seconds the shipped English prompts of some speech last. */
function speechSeconds(parts: readonly Speech[]): number {
  const names: PromptName[] = parts.flatMap((p) =>
    "prompt" in p ? [p.prompt] : "digits" in p ? sayDigits(p.digits, "en") : [],
  );
  const samples = names.reduce(
    (n, name) => n + wavSamples(join(SHIPPED_PROMPTS_DIR, "en", `${name}.wav`)).length,
    0,
  );
  return samples / 8000;
}

/** The longest run of 20 ms windows that are the 440 Hz tone: where it starts and how long, ms. */
function toneRun(pcm: Int16Array): { startMs: number; ms: number } {
  const windows = rmsEnvelope(pcm, 20);
  let best = { startMs: 0, ms: 0 };
  let start = -1;
  for (let w = 0; w <= windows.length; w++) {
    const tone =
      w < windows.length && windows[w] > 300 && toneShare(pcm.subarray(w * 160, (w + 1) * 160), 440) > 0.7;
    if (tone && start < 0) start = w;
    if (!tone && start >= 0) {
      if ((w - start) * 20 > best.ms) best = { startMs: start * 20, ms: (w - start) * 20 };
      start = -1;
    }
  }
  return best;
}

describe("voicemail access by phone (baresip)", {
  skip: missingTool("baresip") || missingTool("sox"),
}, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 28000);

  const phone = (user: string, source: string) => phones.phone(user, source);

  /** Presses keys one by one (RFC 4733), as a person would. */
  async function press(p: BaresipPhone, keys: string): Promise<void> {
    for (const key of keys) {
      p.command("sndcode", key);
      await sleep(300);
    }
  }

  const logged = (msg: string) => parley.logs.filter((l) => l.msg === msg);

  before(async () => {
    parley = await startParley(["--rtp-ports", "34000-34099"]);
    work = mkdtempSync(join(tmpdir(), "parley-vm-access-"));
    await toneWav(join(work, "440.wav"), 440, 60);
    await toneWav(join(work, "silence.wav"), 0, 60);
    const patch = await parley.api("PATCH", "/api/v1/users/100", {
      voicemailOnUnreachableOrNoAnswer: true,
      voicemailPin: PIN,
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
  });

  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("*97 with the PIN, then 1, plays the 440 Hz message back, of its length; 7 deletes it", {
    timeout: 120000,
  }, async (t) => {
    // The deposit: 100 has no device, so voicemail answers 101 at once.
    const caller = await phone("101", join(work, "440.wav"));
    caller.command("dial", `sip:100@127.0.0.1:${parley.sipPort}`);
    assert.ok(await caller.waitForTalking(1, 15000), `voicemail answers\n${caller.output()}`);
    caller.command("sndcode", "#"); // skips the greeting: the beep, then the recording
    // About 3 s of the tone left as the message (its length is checked below): a fixed time on purpose.
    await sleep(3400);
    caller.command("sndcode", "#");
    assert.ok(await caller.waitForEvent("CALL_CLOSED", 15000), "Parley says goodbye and hangs up");
    const listed = await parley.api("GET", "/api/v1/voicemail?user=100");
    assert.equal(listed.body.items?.length, 1, JSON.stringify(listed.body));
    const stored = listed.body.items[0] as {
      id: number;
      receivedAt: string;
      durationMs: number;
      caller: string;
    };
    assert.equal(stored.caller, "101");
    assert.ok(
      stored.durationMs > 2000 && stored.durationMs < 3600,
      `about 3 s left (${stored.durationMs} ms)`,
    );

    // The access: PIN, 1, the message, 7.
    const owner = await phone("100", join(work, "silence.wav"));
    owner.command("dial", `sip:*97@127.0.0.1:${parley.sipPort}`);
    assert.ok(await owner.waitForTalking(1), `*97 answers\n${owner.output()}`);
    await press(owner, `${PIN}#`);
    await parley.waitForLog((l) => l.msg === "voicemail login" && l.mailbox === "100", 10000);
    await press(owner, "1");
    const envelope = speechSeconds([
      { prompt: "first-message" },
      ...envelopeSpeech(
        { caller: stored.caller, receivedAt: Date.parse(stored.receivedAt) } as VoicemailMessage,
        "en",
        Date.now(),
      ),
    ]);
    // The envelope and the message, then into the message menu's prompt.
    await sleep((envelope + stored.durationMs / 1000 + 1.5) * 1000);
    await press(owner, "7");
    await parley.waitForLog((l) => l.msg === "voice message deleted by phone", 10000);
    await press(owner, "*");
    assert.ok(await owner.waitForEvent("CALL_CLOSED", 30000), `goodbye and BYE\n${owner.output()}`);
    await owner.stop();

    const heard = wavSamples(owner.received()!);
    const run = toneRun(heard);
    t.diagnostic(
      `heard ${(heard.length / 8000).toFixed(2)} s; 440 Hz for ${run.ms} ms from ${run.startMs} ms; stored ${stored.durationMs} ms; envelope ${envelope.toFixed(2)} s`,
    );
    assert.ok(
      Math.abs(run.ms - stored.durationMs) <= 300,
      `the message played back whole: 440 Hz for ${run.ms} ms, stored ${stored.durationMs} ms`,
    );
    // Tone in every 100 ms of the run (10 Hz resolution). One Goertzel over the whole run would
    // not do: the phone's jitter buffer shifts the phase now and then.
    const played = heard.subarray((run.startMs / 1000) * 8000, ((run.startMs + run.ms) / 1000) * 8000);
    const shares: number[] = [];
    for (let i = 0; i + 800 <= played.length; i += 800)
      shares.push(toneShare(played.subarray(i, i + 800), 440));
    const share = shares.reduce((a, b) => a + b, 0) / shares.length;
    assert.ok(share > 0.9, `a clean 440 Hz (mean share ${share.toFixed(2)})`);
    const after = await parley.api("GET", "/api/v1/voicemail?user=100");
    assert.deepEqual(after.body.items, [], "7 deleted the message");
  });

  it("three wrong PINs: login incorrect each time, then Parley hangs up", { timeout: 60000 }, async () => {
    const owner = await phone("100", join(work, "silence.wav"));
    const logins = logged("voicemail login").length;
    const failures = logged("voicemail login failed").length;
    owner.command("dial", `sip:*97@127.0.0.1:${parley.sipPort}`);
    assert.ok(await owner.waitForTalking(1), `*97 answers\n${owner.output()}`);
    for (const wrong of ["1111", "1357", "8642"]) {
      const seen = logged("voicemail login failed").length;
      await press(owner, `${wrong}#`);
      await parley.waitForLog(
        (l) => l.msg === "voicemail login failed" && logged("voicemail login failed").length > seen,
        10000,
      );
    }
    assert.ok(await owner.waitForEvent("CALL_CLOSED", 15000), "Parley hangs up after the third");
    assert.equal(logged("voicemail login failed").length - failures, 3);
    assert.equal(logged("voicemail login").length, logins, "no login");
  });
});
