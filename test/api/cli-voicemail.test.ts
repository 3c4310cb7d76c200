/**
 * `parley voicemail ...` run as a child process over a SQLite store in a temp data dir (issue 15:
 * "CLI ... for every new field, table and live state; bad values get errors naming the field").
 * Messages are seeded through Mailboxes.deposit into the folders `parley start` uses. Not covered:
 * a running server seeing a change made here (it does at the mailbox's next change or its restart).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeParleyWav } from "../../src/media/audio/wav.js";
import { MailQueue } from "../../src/services/voicemail/mail-queue.js";
import { Mailboxes } from "../../src/services/voicemail/mailboxes.js";
import { storeFromUrl } from "../../src/store/index.js";

const MAIN = resolve(import.meta.dirname, "../../src/cli/main.ts");
const T0 = Date.UTC(2027, 2, 1, 9, 30, 0);

describe("parley voicemail (CLI)", () => {
  let root: string;
  let dataDir: string;
  const ids: number[] = [];
  let firstFile: string;

  /** Runs `parley <args> --data-dir <dataDir>` with no PARLEY_* variables. */
  function parley(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_")));
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        ["--import", "tsx", MAIN, ...args, "--data-dir", dataDir],
        { env, timeout: 60_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") fail(error);
          else done({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
  }

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "parley-cli-vm-"));
    dataDir = join(root, "data");
    const store = await storeFromUrl(undefined, dataDir);
    await store.migrate();
    let clock = T0;
    const mailboxes = new Mailboxes({
      dir: join(dataDir, "voicemail"),
      repository: store.voicemail,
      mail: new MailQueue({ dir: join(root, "outbox"), smtp: () => undefined }),
      outboxDir: join(root, "outbox", "files"),
      emailOf: async () => undefined,
      now: () => clock,
    });
    for (const [mailbox, caller, callerName] of [
      ["200", "201", "Bob"],
      ["201", "0123456789", ""],
    ] as const) {
      const file = await mailboxes.temporaryFile();
      await writeFile(file, writeParleyWav(new Int16Array(12_000)));
      const m = await mailboxes.deposit({
        domainId: 1,
        mailbox,
        caller,
        callerName,
        callId: "c",
        file,
        durationMs: 1500,
      });
      ids.push(m.id);
      clock += 60_000;
    }
    firstFile = mailboxes.audioPath((await mailboxes.get(1, ids[0]!))!);
    await store.close();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("voicemail list prints the messages newest first; --user and --folder filter; --json", async () => {
    const res = await parley("voicemail", "list");
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.match(lines[0]!, /^ID\s+MAILBOX\s+FOLDER\s+RECEIVED\s+LENGTH\s+CALLER$/);
    assert.match(
      lines[1]!,
      new RegExp(`^${ids[1]}\\s+201\\s+new\\s+2027-03-01T09:31:00\\.000Z\\s+1\\.5 s\\s+0123456789$`),
    );
    assert.match(
      lines[2]!,
      new RegExp(`^${ids[0]}\\s+200\\s+new\\s+2027-03-01T09:30:00\\.000Z\\s+1\\.5 s\\s+Bob <201>$`),
    );
    assert.equal(lines[3], "2 messages");
    const mine = await parley("voicemail", "list", "--user", "200", "--json");
    assert.deepEqual(
      JSON.parse(mine.stdout).items.map((m: { id: number }) => m.id),
      [ids[0]],
    );
    assert.match((await parley("voicemail", "list", "--folder", "old")).stdout, /0 messages/);
    const bad = await parley("voicemail", "list", "--folder", "saved");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--folder must be new or old/);
  });

  it("voicemail delete removes the message and its file; an absent id exits 1 naming it", async () => {
    assert.ok(existsSync(firstFile));
    const res = await parley("voicemail", "delete", String(ids[0]));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`voice message ${ids[0]} \\(mailbox 200\\) deleted`));
    assert.ok(!existsSync(firstFile));
    const again = await parley("voicemail", "delete", String(ids[0]));
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`voice message "${ids[0]}" not found`));
    assert.equal((await parley("voicemail", "delete", "abc")).code, 2);
  });

  it("voicemail smtp show/set/reset: errors name the field, the password is never printed", async () => {
    const shown = await parley("voicemail", "smtp", "show", "--json");
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).source, "none");

    const bad = await parley("voicemail", "smtp", "set", "host=bad host!", "port=99999");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid host: /);
    assert.match(bad.stderr, /invalid port: must be 1-65535/);
    const unknown = await parley("voicemail", "smtp", "set", "server=x");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown SMTP setting "server"/);

    const set = await parley(
      "voicemail",
      "smtp",
      "set",
      "host=mail.example.test",
      "port=587",
      "security=starttls",
      "user=pbx",
      "password=s3cret",
      "from=PBX <pbx@example.test>",
    );
    assert.equal(set.code, 0, set.stderr);
    assert.doesNotMatch(set.stdout, /s3cret/);
    assert.match(set.stdout, /^host\s+mail\.example\.test$/m);
    assert.match(set.stdout, /^passwordSet\s+true$/m);
    assert.match(set.stdout, /^source\s+saved$/m);
    assert.match((await parley("voicemail", "smtp", "show")).stdout, /^port\s+587$/m);

    const reset = await parley("voicemail", "smtp", "reset", "--json");
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(JSON.parse(reset.stdout), {
      host: "",
      port: 25,
      security: "none",
      user: "",
      passwordSet: false,
      from: "parley@localhost",
      source: "none",
    });
  });
});
