/**
 * End to end (issue 15 acceptance): voicemail through a real SMTP server run by the test, with
 * real baresip phones against a real `parley start`.
 * - 100 (registered with baresip, subscribed to message-summary) does not answer; 101 (baresip)
 *   hears the system greeting and the beep, sends a 440 Hz tone for about 4 s, then `#`.
 * - The SMTP server is down at first: the mail waits in the outbox with its error, and arrives
 *   once the server comes up, to 100's address, with a WAV attachment that is 440 Hz for the
 *   right length.
 * - 100's phone gets `Messages-Waiting: yes` with `Voice-Message: 1/0`, and `no` after the
 *   message is deleted through the API.
 * - Voicemail on busy, as the user's choice: with do-not-disturb on, a caller leaves a message
 *   only when `voicemailOnBusy` is on; a message shorter than the minimum is discarded.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { toneShare, wavSamples } from "../helpers/audio-measure.js";
import { type BaresipPhone, PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { type Inbox, smtpInbox } from "../helpers/smtp-inbox.js";

const skip = missingTool("baresip") || missingTool("sox");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Seconds of the system greeting for mailbox 100, and the beep, as Parley plays them. */
function greetingSeconds(): number {
  const names = [
    "vm-person-at-extension",
    "digit-1",
    "digit-0",
    "digit-0",
    "vm-is-unavailable",
    "leave-message",
  ];
  const samples = names.reduce(
    (n, name) => n + wavSamples(join(SHIPPED_PROMPTS_DIR, "en", `${name}.wav`)).length,
    0,
  );
  return samples / 8000 + 0.4;
}

describe("voicemail with baresip phones and a real SMTP server", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  let smtpPort: number;
  let inbox: Inbox | undefined;
  const phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 24000);

  const phone = (user: string, source: string, mwi = false) => phones.phone(user, source, { mwi });

  /** The message-summary bodies a phone received so far (baresip's mwi module prints each). */
  function mwiBodies(p: BaresipPhone): string[] {
    return [...p.output().matchAll(/----- MWI for [^\n]*-----\n((?:[A-Za-z-]+:[^\n]*(?:\n|$))+)/g)].map(
      (m) => m[1],
    );
  }

  before(async () => {
    smtpPort = await freePort();
    parley = await startParley([
      "--rtp-ports",
      "32000-32199",
      "--smtp-host",
      "127.0.0.1",
      "--smtp-port",
      String(smtpPort),
      "--smtp-from",
      "Parley PBX <pbx@example.test>",
    ]);
    work = mkdtempSync(join(tmpdir(), "parley-voicemail-"));
  });

  after(async () => {
    await phones.stopAll();
    await parley.stop();
    await inbox?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("a caller's 440 Hz message is mailed once SMTP is up, and MWI follows the count", {
    timeout: 120000,
  }, async (t) => {
    const patch = await parley.api("PATCH", "/api/v1/users/100", {
      voicemailOnUnreachableOrNoAnswer: true,
      email: "u100@example.test",
      noAnswerTime: 3,
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    const silence = join(work, "silence.wav");
    await toneWav(silence, 0, 60);
    const callee = await phone("100", silence, true);
    const first = await until("the first MWI NOTIFY", () => mwiBodies(callee)[0], 10000);
    assert.match(first, /Messages-Waiting:\s*no/i);
    // The live subscription, as an administrator sees it.
    const subs = await parley.api("GET", "/api/v1/subscriptions?user=100");
    assert.equal(subs.status, 200, JSON.stringify(subs.body));
    assert.equal(subs.body.items.length, 1, JSON.stringify(subs.body));
    assert.equal(subs.body.items[0].package, "message-summary");
    assert.ok(subs.body.items[0].expiresIn > 0);

    await toneWav(join(work, "440.wav"), 440, 60);
    const caller = await phone("101", join(work, "440.wav"));
    caller.command("dial", `sip:100@127.0.0.1:${parley.sipPort}`);
    assert.ok(await caller.waitForEvent("CALL_ESTABLISHED", 15000), `voicemail answers\n${caller.output()}`);
    // The greeting and the beep, then about 4 s of the tone, then #.
    await sleep((greetingSeconds() + 4) * 1000);
    caller.command("sndcode", "#");
    assert.ok(await caller.waitForEvent("CALL_CLOSED", 15000), "Parley says goodbye and hangs up");

    const yes = await until(
      "Messages-Waiting: yes",
      () => mwiBodies(callee).find((b) => /Messages-Waiting:\s*yes/i.test(b)),
      10000,
    );
    assert.match(yes, /Voice-Message:\s*1\/0/);

    const list = await parley.api("GET", "/api/v1/voicemail?user=100");
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.items.length, 1);
    const message = list.body.items[0];
    assert.equal(message.caller, "101");
    assert.equal(message.folder, "new");

    // SMTP was down: the mail waits in the outbox with its error.
    const waiting = await until(
      "the outbox's error",
      async () => {
        const r = await parley.api("GET", "/api/v1/voicemail/outbox");
        const mail = r.body.items?.find((m: { lastError?: string }) => m.lastError !== undefined);
        return mail as { to: string; attempts: number } | undefined;
      },
      10000,
    );
    assert.equal(waiting.to, "u100@example.test");
    assert.ok(waiting.attempts >= 1);
    // The server comes up; the next retry (5 s back-off) delivers.
    inbox = await smtpInbox(smtpPort);
    const mail = await until("the mail", () => inbox?.mails[0], 30000);
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : "", "u100@example.test");
    assert.match(mail.from?.text ?? "", /pbx@example\.test/);
    const wav = mail.attachments.find((a) => a.filename?.endsWith(".wav"));
    assert.ok(wav, "a WAV attachment");
    const file = join(work, "mailed.wav");
    writeFileSync(file, wav.content);
    const samples = wavSamples(file);
    const seconds = samples.length / 8000;
    t.diagnostic(`mailed message ${seconds.toFixed(2)} s`);
    assert.ok(seconds >= 3.2 && seconds <= 5, `about 4 s (${seconds.toFixed(2)} s)`);
    const share = toneShare(samples.subarray(2000, samples.length - 2000), 440);
    assert.ok(share > 0.8, `the message is the 440 Hz tone (share ${share.toFixed(2)})`);
    const sent = await parley.api("GET", "/api/v1/voicemail/outbox");
    assert.ok(sent.body.items.some((m: { sentAt?: number }) => m.sentAt !== undefined));

    // Deleted through the API: the phone's lamp goes off.
    const before = mwiBodies(callee).length;
    const del = await parley.api("DELETE", `/api/v1/voicemail/${message.id}`);
    assert.equal(del.status, 204);
    const no = await until(
      "Messages-Waiting: no",
      () =>
        mwiBodies(callee)
          .slice(before)
          .find((b) => /Messages-Waiting:\s*no/i.test(b)),
      10000,
    );
    assert.match(no, /Voice-Message:\s*0\/0/);
    await caller.stop();
    await callee.stop();
  });

  it("voicemail on busy is the user's choice; a too-short message is discarded", {
    timeout: 90000,
  }, async () => {
    await toneWav(join(work, "440.wav"), 440, 60);
    // 102 is on do-not-disturb (the busy path): without voicemail on busy the caller gets busy.
    await parley.api("PATCH", "/api/v1/users/102", { doNotDisturb: true });
    const caller = await phone("101", join(work, "440.wav"));
    caller.command("dial", `sip:102@127.0.0.1:${parley.sipPort}`);
    assert.ok(await caller.waitForEvent("CALL_CLOSED", 10000), "busy without voicemail on busy");
    assert.equal(
      caller.events.find((e) => e.type === "CALL_ESTABLISHED"),
      undefined,
    );

    await parley.api("PATCH", "/api/v1/users/102", { voicemailOnBusy: true });
    caller.events.length = 0;
    caller.command("dial", `sip:102@127.0.0.1:${parley.sipPort}`);
    assert.ok(
      await caller.waitForEvent("CALL_ESTABLISHED", 10000),
      `voicemail on busy answers\n${caller.output()}`,
    );
    // Hang up right after the beep: under the minimum length, nothing is kept.
    await sleep((greetingSeconds() + 0.3) * 1000);
    caller.command("hangup");
    assert.ok(await caller.waitForEvent("CALL_CLOSED", 5000));
    // What is tested is that no message is kept: a window of a second on purpose.
    await sleep(1000);
    const list = await parley.api("GET", "/api/v1/voicemail?user=102");
    assert.equal(list.body.items.length, 0, "a too-short message is discarded");

    caller.events.length = 0;
    caller.command("dial", `sip:102@127.0.0.1:${parley.sipPort}`);
    assert.ok(await caller.waitForEvent("CALL_ESTABLISHED", 10000));
    // The greeting, then about 3 s of message (a fixed length on purpose).
    await sleep((greetingSeconds() + 3) * 1000);
    // A hang-up keeps what was said.
    caller.command("hangup");
    assert.ok(await caller.waitForEvent("CALL_CLOSED", 5000));
    const kept = await until(
      "the message left by hanging up",
      async () => (await parley.api("GET", "/api/v1/voicemail?user=102")).body.items?.[0],
      5000,
    ).catch((e: unknown) => {
      throw new Error(
        `${String(e)}\n${parley
          .output()
          .split("\n")
          .filter((l) => /voicemail|voice message|record/i.test(l))
          .join("\n")}`,
      );
    });
    assert.ok(kept.durationMs >= 2000 && kept.durationMs <= 4000, JSON.stringify(kept));
    await caller.stop();
  });
});
