/**
 * Voicemail access by phone (issue 15: "hear new and old messages with date and caller spoken,
 * delete, save, record the greeting"), proven without a call: whole sessions against a scripted
 * caller (a fake endpoint with the media endpoint's type-ahead rules and its real digit collector)
 * over the real Mailboxes on a real SQLite store: login with and without a PIN (*97) and by
 * mailbox (*98), the main menu, each key of the message menu, interruptions, keys typed ahead,
 * timeouts, the greeting; and the feature codes' registration. The wording itself (dates, counts)
 * is test/services/voicemail-access-speech.test.ts; the call with real RTP, the played-back audio
 * measured, is test/e2e/voicemail-access.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { DetectionPointTable, type Verdict } from "../../src/call/detection-points.js";
import type { OpResult, PlayItem } from "../../src/media/endpoint/endpoint-protocol.js";
import { DigitCollector } from "../../src/media/endpoint/input-operations.js";
import type { CollectOptions, RecordOptions } from "../../src/media/endpoint-handle.js";
import type { MediaServer, Speech } from "../../src/media/media-server.js";
import type { PromptLanguage } from "../../src/media/prompts/catalogue.js";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { registerVoicemailAccess } from "../../src/services/voicemail/access.js";
import {
  type AccessEndpoint,
  type AccessLogin,
  type MailboxOwner,
  VoicemailAccessSession,
} from "../../src/services/voicemail/access-session.js";
import { MailQueue } from "../../src/services/voicemail/mail-queue.js";
import { Mailboxes } from "../../src/services/voicemail/mailboxes.js";
import { openStore, type Store, type VoicemailMessage } from "../../src/store/index.js";
import { defaultSettings, type LocalUser } from "../../src/store/user-model.js";
import { silentLogger } from "../../src/util/logger.js";

/**
 * A caller on a fake endpoint. `script` is what the caller does, in order: a string of keys
 * answers the next collection ("1", "1234#"); "~" lets it time out; "!k" presses k during the
 * next play that k interrupts, "!k:file:" during the next one of a recording (the key then waits
 * as type-ahead, as on a media endpoint);
 * "rec" ends a recording with # after 3 s, "rec-short" too early to keep it. When the script is
 * over, the caller hangs up instead of answering.
 */
class ScriptedCaller implements AccessEndpoint {
  /** Everything played, one entry per item (prompt names, "digits:101", "file:<name>"). */
  readonly heard: string[] = [];
  private typeAhead = "";

  constructor(private readonly script: string[]) {}

  get done(): boolean {
    return this.script.length === 0;
  }

  play(items: readonly PlayItem[], options: { interruptDigits?: string } = {}): Promise<OpResult> {
    const next = this.script[0] ?? "";
    const where = next.slice(3);
    if (
      next.startsWith("!") &&
      (options.interruptDigits ?? "").includes(next[1]) &&
      (where === "" || (items.length > 0 && itemName(items[0]).startsWith(where)))
    ) {
      this.script.shift();
      // The key comes while the first item plays.
      if (items.length > 0) this.heard.push(itemName(items[0]));
      this.heard.push(`<${next[1]}>`);
      this.typeAhead += next[1];
      return Promise.resolve({ reason: "interrupted", digit: next[1] });
    }
    for (const item of items) this.heard.push(itemName(item));
    return Promise.resolve({ reason: "completed" });
  }

  collect(options: CollectOptions): Promise<OpResult> {
    const typed = options.typeAhead === false ? "" : this.typeAhead;
    this.typeAhead = "";
    const collector = new DigitCollector({ kind: "collect", ...options }, typed);
    if (collector.result !== undefined) return Promise.resolve(collector.result);
    // The session's discarding collection (it ends at its first frame) takes no step of the script.
    if (options.firstDigitMs < 20) return Promise.resolve(collector.partial("timeout"));
    const next = this.script.shift();
    if (next === undefined) return Promise.resolve(collector.partial("hangup"));
    if (next === "~") return Promise.resolve(collector.partial("timeout"));
    assert.ok(!next.startsWith("!") && !next.startsWith("rec"), `a collection met "${next}"`);
    for (const d of next) {
      const result = collector.digit(d);
      if (result !== undefined) return Promise.resolve(result);
    }
    return Promise.resolve(collector.partial("timeout"));
  }

  async record(options: RecordOptions): Promise<OpResult> {
    const next = this.script.shift();
    if (next === undefined) return { reason: "hangup" };
    assert.ok(next.startsWith("rec"), `a recording met "${next}"`);
    this.heard.push("<recording>");
    if (next === "rec-short") return { reason: "interrupted", digit: "#", saved: false, durationMs: 200 };
    await writeFile(options.file, "greeting audio");
    return { reason: "interrupted", digit: "#", saved: true, durationMs: 3000 };
  }
}

function itemName(item: PlayItem): string {
  if ("file" in item) return item.file;
  if ("tone" in item) return `tone:${item.tone}`;
  return "silence";
}

/** The session's speech as names: prompts by name, "digits:101", "file:<name>". */
function speak(parts: readonly Speech[]): PlayItem[] {
  return parts.map((p): PlayItem => {
    if ("prompt" in p) return { file: p.prompt };
    if ("digits" in p) return { file: `digits:${p.digits}` };
    if ("file" in p) return { file: `file:${basename(p.file)}` };
    if ("tone" in p) return { tone: p.tone };
    if ("silenceMs" in p) return { silenceMs: p.silenceMs };
    throw new Error(`unexpected speech ${JSON.stringify(p)}`);
  });
}

/** Monday 8 December 2025, 15:45 local time: the first message's arrival. */
const T0 = new Date(2025, 11, 8, 15, 45).getTime();
const MINUTE = 60_000;
/** What the envelope of the message left at T0 + `minutes` by 101 says after the date. */
const SAID_AT_T0 = [
  "weekday-1",
  "month-12",
  "ordinal-8",
  "word-at",
  "digit-3",
  "number-40",
  "digit-5",
  "word-pm",
];

describe("VoicemailAccessSession", () => {
  let dir: string;
  let store: Store;
  let mailboxes: Mailboxes;
  let domainId: number;
  let clock = T0;
  const owner = (pin = ""): MailboxOwner => ({ domainId, name: "100", pin });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-vm-access-"));
    store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    mailboxes = new Mailboxes({
      dir: join(dir, "voicemail"),
      repository: store.voicemail,
      mail: new MailQueue({ dir: join(dir, "outbox"), smtp: () => undefined }),
      outboxDir: join(dir, "outbox", "attachments"),
      emailOf: async () => undefined,
      now: () => clock,
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const m of await mailboxes.list(domainId)) await mailboxes.delete(domainId, m.id);
    await mailboxes.deleteGreeting(domainId, "100");
  });

  /** Leaves a message in 100's mailbox from `caller`, `minutes` after T0. */
  async function leave(
    caller: string,
    minutes: number,
    folder: "new" | "old" = "new",
  ): Promise<VoicemailMessage> {
    clock = T0 + minutes * MINUTE;
    const file = join(dir, `rec-${caller}-${minutes}.wav`);
    await writeFile(file, "audio");
    const m = await mailboxes.deposit({
      domainId,
      mailbox: "100",
      caller,
      callerName: "",
      callId: `c${minutes}`,
      file,
      durationMs: 3000,
    });
    if (folder === "old") await mailboxes.setFolder(domainId, m.id, "old");
    return (await mailboxes.get(domainId, m.id)) as VoicemailMessage;
  }

  async function run(login: AccessLogin, script: string[], language: PromptLanguage = "en") {
    const caller = new ScriptedCaller(script);
    const warnings: unknown[] = [];
    const logger = { ...silentLogger(), warn: (o: unknown) => warnings.push(o) } as never;
    await new VoicemailAccessSession({
      endpoint: caller,
      speak,
      language,
      mailboxes,
      login,
      caller: "100",
      logger,
      now: () => T0 + 60 * MINUTE,
    }).run();
    return { heard: caller.heard, done: caller.done, warnings };
  }

  const own = (pin = ""): AccessLogin => ({ kind: "own", owner: owner(pin) });
  const folders = async () =>
    Object.fromEntries((await mailboxes.list(domainId, "100")).map((m) => [m.caller, m.folder]));

  describe("*97, the caller's own mailbox", () => {
    it("with no PIN set, asks none: the counts, then the main menu; * says goodbye", async () => {
      await leave("101", 0);
      await leave("102", 1, "old");
      const { heard } = await run(own(), ["*"]);
      assert.deepEqual(heard, [
        "you-have",
        "digit-1",
        "new-message",
        "word-and",
        "digit-1",
        "old-message",
        "voicemail-menu",
        "goodbye",
        "silence",
      ]);
    });

    it("with a PIN set, asks it; the right one (after a wrong one) logs in", async () => {
      const { heard, warnings } = await run(own("4321"), ["1234#", "4321#", "#"]);
      assert.deepEqual(heard, [
        "enter-pin",
        "login-incorrect",
        "enter-pin",
        "no-messages",
        "voicemail-menu",
        "goodbye",
        "silence",
      ]);
      assert.equal(warnings.length, 1);
    });

    it("after three wrong PINs says login incorrect and goodbye, and nothing else", async () => {
      await leave("101", 0);
      const { heard, done } = await run(own("4321"), ["1#", "2#", "~", "1", "7"]);
      assert.deepEqual(heard, [
        "enter-pin",
        "login-incorrect",
        "enter-pin",
        "login-incorrect",
        "enter-pin",
        "login-incorrect",
        "goodbye",
        "silence",
      ]);
      assert.equal(done, false, "the keys after the third failure were never asked for");
      assert.deepEqual(await folders(), { "101": "new" });
    });
  });

  describe("*98, any mailbox by number and PIN", () => {
    const any = (mailbox?: string): AccessLogin => ({
      kind: "any",
      mailbox,
      find: async (name) =>
        name === "100" ? owner("4321") : name === "102" ? { domainId, name, pin: "" } : undefined,
    });

    it("asks the mailbox, then the PIN, and logs in", async () => {
      const { heard } = await run(any(), ["100#", "4321#", "*"]);
      assert.deepEqual(heard.slice(0, 3), ["enter-mailbox", "enter-pin", "no-messages"]);
    });

    it("answers an unknown mailbox and a mailbox with no PIN as a wrong PIN, after asking the PIN", async () => {
      const { heard, warnings } = await run(any(), ["999#", "4321#", "102#", "#", "102#", "", "*"]);
      assert.deepEqual(heard, [
        "enter-mailbox",
        "enter-pin",
        "login-incorrect",
        "enter-mailbox",
        "enter-pin",
        "login-incorrect",
        "enter-mailbox",
        "enter-pin",
        "login-incorrect",
        "goodbye",
        "silence",
      ]);
      assert.equal(warnings.length, 3);
    });

    it("*98<mailbox> names the mailbox: only the PIN is asked", async () => {
      const { heard } = await run(any("100"), ["4321#", "*"]);
      assert.deepEqual(heard.slice(0, 2), ["enter-pin", "no-messages"]);
    });
  });

  describe("listening", () => {
    it("plays new messages oldest first, then old ones, each with its envelope and menu", async () => {
      await leave("102", 5, "old");
      await leave("101", 0);
      await leave("anonymous", 2);
      const { heard } = await run(own(), ["1", "6", "6", "6", "*"]);
      const from = heard.indexOf("first-message");
      assert.deepEqual(heard.slice(from, from + 14), [
        "first-message",
        "vm-received-on",
        ...SAID_AT_T0,
        "vm-from",
        "digits:101",
        heard[from + 12],
        "message-menu",
      ]);
      assert.match(heard[from + 12], /^file:msg-\d+-[0-9a-f]+\.wav$/);
      const after = heard.slice(from + 14);
      assert.equal(after[0], "next-message");
      assert.ok(after.includes("vm-from-unknown-caller"), "anonymous is an unknown caller");
      assert.ok(after.includes("digits:102"));
      assert.deepEqual(after.slice(-4), ["no-more-messages", "voicemail-menu", "goodbye", "silence"]);
      // Each new message was heard and moved on from: now old.
      assert.deepEqual(await folders(), { "101": "old", anonymous: "old", "102": "old" });
    });

    it("7 deletes the message, 9 saves it to old; both go on to the next", async () => {
      await leave("101", 0);
      await leave("102", 1);
      await leave("103", 2);
      const { heard } = await run(own(), ["1", "7", "9", "!*:next-message", "*"]);
      assert.ok(heard.includes("message-deleted"));
      assert.ok(heard.includes("vm-message-kept"));
      assert.deepEqual(
        await folders(),
        { "102": "old", "103": "new" },
        "101 deleted, 102 saved, 103 left unheard (* during its envelope)",
      );
      const files = heard.filter((h) => h.startsWith("file:"));
      assert.equal(files.length, 2, "the first two messages were played");
    });

    it("a key during the recording stops it and answers the menu without the menu's prompt", async () => {
      await leave("101", 0);
      const { heard } = await run(own(), ["1", "!7:file:", "*"]);
      const i = heard.findIndex((h) => h.startsWith("file:"));
      assert.deepEqual(heard.slice(i + 1, i + 3), ["<7>", "message-deleted"]);
      assert.deepEqual(await folders(), {});
    });

    it("a key typed during 'message deleted' does not answer the next message's menu", async () => {
      await leave("101", 0);
      await leave("102", 1);
      const { heard } = await run(own(), ["1", "7", "!7:message-deleted", "6", "*"]);
      assert.equal(heard.filter((h) => h.startsWith("file:")).length, 2, "the second message was played");
      assert.deepEqual(await folders(), { "102": "old" }, "102 heard and kept, not deleted");
    });

    it("a message skipped during its envelope (6) was not heard and stays new", async () => {
      await leave("101", 0);
      const { heard } = await run(own(), ["1", "!6", "*"]);
      assert.ok(!heard.some((h) => h.startsWith("file:")), "the recording was not played");
      assert.deepEqual(await folders(), { "101": "new" });
    });

    it("4 plays the message again from its envelope; hanging up after hearing it makes it old", async () => {
      await leave("101", 0);
      const { heard } = await run(own(), ["1", "4"]);
      assert.equal(heard.filter((h) => h === "vm-received-on").length, 2);
      assert.equal(heard.filter((h) => h.startsWith("file:")).length, 2);
      assert.deepEqual(await folders(), { "101": "old" });
    });

    it("a wrong key is invalid; three silences at the message menu say goodbye", async () => {
      await leave("101", 0);
      const { heard } = await run(own(), ["1", "2", "~", "~", "~"]);
      assert.deepEqual(heard.slice(-7), [
        "message-menu",
        "invalid",
        "message-menu",
        "message-menu",
        "message-menu",
        "goodbye",
        "silence",
      ]);
    });

    it("with no messages, 1 says so and the menu comes back", async () => {
      const { heard } = await run(own(), ["1", "#"]);
      assert.deepEqual(heard, [
        "no-messages",
        "voicemail-menu",
        "no-messages",
        "voicemail-menu",
        "goodbye",
        "silence",
      ]);
    });
  });

  describe("the main menu", () => {
    it("is repeated after silence, three times, then goodbye", async () => {
      const { heard } = await run(own(), ["~", "~", "~", "1"]);
      assert.deepEqual(heard, [
        "no-messages",
        "voicemail-menu",
        "voicemail-menu",
        "voicemail-menu",
        "goodbye",
        "silence",
      ]);
    });

    it("5 records the greeting after a beep; then 6 is offered and deletes it", async () => {
      const { heard } = await run(own(), ["5", "rec", "6", "*"]);
      assert.deepEqual(heard, [
        "no-messages",
        "voicemail-menu",
        "record-greeting",
        "tone:beep",
        "<recording>",
        "greeting-saved",
        "voicemail-menu",
        "vm-delete-greeting-option",
        "greeting-deleted",
        "voicemail-menu",
        "goodbye",
        "silence",
      ]);
      assert.equal(await mailboxes.hasGreeting(domainId, "100"), false);
    });

    it("keeps a recorded greeting, and does not keep one too short", async () => {
      await run(own(), ["5", "rec-short", "*"]);
      assert.equal(await mailboxes.hasGreeting(domainId, "100"), false);
      const { heard } = await run(own(), ["5", "rec", "*"]);
      assert.ok(heard.includes("greeting-saved"));
      assert.equal(await mailboxes.hasGreeting(domainId, "100"), true);
    });

    it("6 without a greeting is invalid", async () => {
      const { heard } = await run(own(), ["6", "*"]);
      assert.deepEqual(heard.slice(1, 4), ["voicemail-menu", "invalid", "voicemail-menu"]);
    });
  });
});

describe("registerVoicemailAccess()", () => {
  const user = (name: string, pin = ""): LocalUser => ({
    ...defaultSettings(name),
    voicemailPin: pin,
    id: 1,
    domainId: 1,
    createdAt: 0,
    updatedAt: 0,
  });
  const points = new DetectionPointTable(silentLogger());
  const features = new FeatureCodeTable();
  const media = {
    language: "en",
    speech: speak,
    sipEndpoint: (peer: string) => ({ peer }),
  } as unknown as MediaServer;
  registerVoicemailAccess({
    points,
    features,
    media,
    mailboxes: {} as Mailboxes,
    users: { lookup: async (_d, name) => (name === "100" ? { user: user("100", "1") } : undefined) },
    codes: { own: "*97", any: "*98" },
    logger: silentLogger(),
  });

  it("*97 and *98 name the two services; *98100 carries the mailbox", () => {
    assert.deepEqual(features.match("*97"), { service: "voicemail-access.own", argument: "" });
    assert.deepEqual(features.match("*98"), { service: "voicemail-access.any", argument: "" });
    assert.deepEqual(features.match("*98100%23"), { service: "voicemail-access.any", argument: "100" });
  });

  it("*97 connects a local user to the voicemail endpoint; an outside caller gets 403", async () => {
    const context = {
      caller: { domainId: 1, user: "100", displayName: "" },
      callerUser: user("100"),
      inbound: undefined,
      dialed: "*97",
      visited: [],
      number: "*97",
      argument: "",
    };
    const verdict = (await points.serviceNamed("voicemail-access.own")?.(context)) as Verdict;
    assert.equal(verdict.kind, "endpoint");
    const outside = await points.serviceNamed("voicemail-access.own")?.({
      ...context,
      callerUser: undefined,
    });
    assert.deepEqual(outside, { kind: "refuse", code: "feature-code-forbidden" });
  });
});
