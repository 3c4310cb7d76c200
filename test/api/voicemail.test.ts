/**
 * /api/v1/voicemail, /api/v1/users/{name}/greeting and /api/v1/smtp over a real SQLite store and
 * the real Mailboxes, SmtpConfig and MailQueue in a temp dir (issue 15: "messages are listed,
 * played in the browser and deleted in the web UI and the API"; "a mail that cannot be sent is
 * retried with back-off and reported in the UI"; "bad values get errors naming the field").
 * Messages are seeded through Mailboxes.deposit, the path a call takes. Every JSON answer is also
 * checked against the schema the OpenAPI document gives for it. Not covered here: MWI (the
 * presence tests) and a deposit by a real call (the e2e tests).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import wavefile from "wavefile";
import { type ChangeKind, LiveEvents } from "../../src/api/admin/live-events.js";
import { createApi } from "../../src/api/index.js";
import { writeParleyWav } from "../../src/media/audio/wav.js";
import { MailQueue, NO_SMTP_ERROR } from "../../src/services/voicemail/mail-queue.js";
import { Mailboxes } from "../../src/services/voicemail/mailboxes.js";
import { SmtpConfig } from "../../src/services/voicemail/smtp-config.js";
import { freePort } from "../helpers/ports.js";
import { type Inbox, smtpInbox } from "../helpers/smtp-inbox.js";
import { auth, type Harness, NOW, startHarness, TOKEN } from "./fixtures.js";

const MINUTE = 60_000;

/** A mono 16-bit PCM WAV of a 440 Hz sine. */
function pcmWav(rate: number, ms: number): Buffer {
  const samples = Array.from({ length: Math.round((rate * ms) / 1000) }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)),
  );
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, rate, "16", samples);
  return Buffer.from(wav.toBuffer());
}

interface Message {
  id: number;
  mailbox: string;
  caller: string;
  callerName: string;
  receivedAt: string;
  durationMs: number;
  folder: "new" | "old";
  callId: string;
}

describe("/api/v1/voicemail, /users/{name}/greeting, /smtp", () => {
  let h: Harness;
  let app: FastifyInstance;
  let root: string;
  let mailboxes: Mailboxes;
  let queue: MailQueue;
  let inbox: Inbox | undefined;
  let clock = NOW;
  const changes: ChangeKind[] = [];
  const documented = new Map<string, Record<string, { content?: Record<string, { schema?: object }> }>>();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formats.default(ajv);

  before(async () => {
    h = await startHarness();
    root = mkdtempSync(join(tmpdir(), "parley-vm-api-"));
    const smtp = new SmtpConfig({
      repository: h.store.systemSettings,
      domainId: (await h.store.domains.getDefault()).id,
      startup: { host: undefined, port: 25, security: "none", from: "parley@pbx.test" },
    });
    await smtp.load();
    queue = new MailQueue({ dir: join(root, "outbox"), smtp: () => smtp.current(), retryMs: () => 100 });
    queue.start();
    mailboxes = new Mailboxes({
      dir: join(root, "voicemail"),
      repository: h.store.voicemail,
      mail: queue,
      outboxDir: join(root, "outbox", "files"),
      emailOf: async (domainId, name) => (await h.store.users.get(domainId, name))?.email,
      now: () => clock,
    });
    const events = new LiveEvents();
    events.subscribe((kind) => changes.push(kind));
    app = await createApi({
      store: h.store,
      registrations: h.registrations,
      bans: h.bans,
      calls: h.calls,
      status: { status: () => ({ version: "0", startedAt: 0, listeners: [], counts: {} }) },
      token: TOKEN,
      events,
      voicemail: { mailboxes, smtp, outbox: queue },
      webUi: false,
    });
    await app.ready();
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json<{
      paths: Record<string, Record<string, { responses: Record<string, never> }>>;
    }>();
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item))
        documented.set(`${method.toUpperCase()} ${path}`, op.responses);
    await h.store.users.create(1, { name: "200", password: "pw", email: "alice@example.test" });
    await h.store.users.create(1, { name: "201", password: "pw" });
  });
  after(async () => {
    await app.close();
    await queue.stop();
    await inbox?.close();
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** A request to a documented route; its JSON answer must match the document's schema for it. */
  async function call(
    method: "GET" | "PUT" | "PATCH" | "DELETE",
    template: string,
    url: string,
    payload?: object | Buffer,
    contentType?: string,
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...auth };
    if (contentType) headers["content-type"] = contentType;
    const res = await app.inject({ method, url: `/api/v1${url}`, headers, payload });
    const responses = documented.get(`${method} /api/v1${template}`);
    assert.ok(responses, `${method} ${template} is documented`);
    const response = responses[String(res.statusCode)];
    assert.ok(response, `${method} ${template} answered ${res.statusCode}, not documented: ${res.body}`);
    const schema = response.content?.["application/json"]?.schema;
    if (schema && /json/.test(String(res.headers["content-type"]))) {
      const validate = ajv.compile(schema);
      assert.ok(validate(res.json()), `${method} ${template}: ${ajv.errorsText(validate.errors)}`);
    }
    return res;
  }

  /** A message left the way a call leaves one; `at` minutes after NOW. */
  async function deposit(mailbox: string, caller: string, at: number, seconds: number): Promise<number> {
    clock = NOW + at * MINUTE;
    const file = await mailboxes.temporaryFile();
    await writeFile(file, writeParleyWav(new Int16Array(8000 * seconds)));
    const m = await mailboxes.deposit({
      domainId: 1,
      mailbox,
      caller,
      callerName: caller === "201" ? "Bob" : "",
      callId: `call-${at}`,
      file,
      durationMs: seconds * 1000,
    });
    return m.id;
  }

  const list = async (query = "") =>
    (await call("GET", "/voicemail", `/voicemail${query}`)).json<{ items: Message[] }>().items;

  describe("messages", () => {
    let first: number;
    let second: number;
    let other: number;

    before(async () => {
      first = await deposit("200", "201", 1, 2);
      second = await deposit("200", "0123456789", 2, 3);
      other = await deposit("201", "200", 3, 1);
    });

    it("GET /voicemail lists every mailbox's messages, newest first, as a call left them", async () => {
      const items = await list();
      assert.deepEqual(
        items.map((m) => m.id),
        [other, second, first],
      );
      assert.deepEqual(items[2], {
        id: first,
        mailbox: "200",
        caller: "201",
        callerName: "Bob",
        receivedAt: new Date(NOW + MINUTE).toISOString(),
        durationMs: 2000,
        folder: "new",
        callId: "call-1",
      });
    });

    it("?user= and ?folder= filter; an unknown folder is a 400 naming the field", async () => {
      assert.deepEqual(
        (await list("?user=200")).map((m) => m.id),
        [second, first],
      );
      assert.deepEqual(await list("?user=nobody"), []);
      assert.equal((await list("?folder=old")).length, 0);
      const bad = await call("GET", "/voicemail", "/voicemail?folder=saved");
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].field, "folder");
    });

    it("GET /voicemail/{id} is one message; an absent id is a 404 naming it, a non-number a 400", async () => {
      const one = await call("GET", "/voicemail/{id}", `/voicemail/${second}`);
      assert.equal(one.json<Message>().caller, "0123456789");
      const absent = await call("GET", "/voicemail/{id}", "/voicemail/9999");
      assert.equal(absent.statusCode, 404);
      assert.match(absent.json().message, /9999/);
      assert.equal((await call("GET", "/voicemail/{id}", "/voicemail/abc")).statusCode, 400);
    });

    it("GET /voicemail/{id}/audio answers the message's WAV, never cached", async () => {
      const res = await call("GET", "/voicemail/{id}/audio", `/voicemail/${first}/audio`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^audio\/wav/);
      assert.equal(res.headers["cache-control"], "no-store");
      assert.equal(res.rawPayload.toString("ascii", 0, 4), "RIFF");
      assert.equal(res.rawPayload.length, writeParleyWav(new Int16Array(16000)).length);
      assert.equal((await call("GET", "/voicemail/{id}/audio", "/voicemail/9999/audio")).statusCode, 404);
    });

    it("PATCH /voicemail/{id} moves a message to old and back; MWI counts and the live view follow", async () => {
      changes.length = 0;
      const res = await call("PATCH", "/voicemail/{id}", `/voicemail/${first}`, { folder: "old" });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<Message>().folder, "old");
      assert.deepEqual(await mailboxes.counts(1, "200"), { new: 1, old: 1 });
      assert.deepEqual(changes, ["state", "config"]);
      assert.deepEqual(
        (await list("?folder=old")).map((m) => m.id),
        [first],
      );
      await call("PATCH", "/voicemail/{id}", `/voicemail/${first}`, { folder: "new" });
      assert.deepEqual(await mailboxes.counts(1, "200"), { new: 2, old: 0 });
    });

    it("PATCH refuses an unknown folder or field (400 naming it) and an absent id (404)", async () => {
      const bad = await call("PATCH", "/voicemail/{id}", `/voicemail/${first}`, { folder: "trash" });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].field, "folder");
      const extra = await call("PATCH", "/voicemail/{id}", `/voicemail/${first}`, { folder: "old", x: 1 });
      assert.deepEqual(extra.json().errors, [{ field: "x", message: "unknown field" }]);
      const absent = await call("PATCH", "/voicemail/{id}", "/voicemail/9999", { folder: "old" });
      assert.equal(absent.statusCode, 404);
    });

    it("DELETE /voicemail/{id} removes the row and the file (204), then 404 naming the id", async () => {
      const path = mailboxes.audioPath((await mailboxes.get(1, other))!);
      assert.ok(existsSync(path));
      changes.length = 0;
      assert.equal((await call("DELETE", "/voicemail/{id}", `/voicemail/${other}`)).statusCode, 204);
      assert.ok(!existsSync(path));
      assert.deepEqual(changes, ["state", "config"]);
      assert.deepEqual(await mailboxes.counts(1, "201"), { new: 0, old: 0 });
      const again = await call("DELETE", "/voicemail/{id}", `/voicemail/${other}`);
      assert.equal(again.statusCode, 404);
      assert.match(again.json().message, new RegExp(`\\b${other}\\b`));
    });

    it("needs the bearer token", async () => {
      for (const url of ["/api/v1/voicemail", "/api/v1/voicemail/outbox", "/api/v1/smtp"])
        assert.equal((await app.inject({ method: "GET", url })).statusCode, 401, url);
    });
  });

  describe("greetings", () => {
    const greeting = "/users/{name}/greeting";

    it("an absent user is a 404; a user without a recorded greeting is a 404 saying so", async () => {
      const nobody = await call("GET", greeting, "/users/nobody/greeting");
      assert.equal(nobody.statusCode, 404);
      assert.match(nobody.json().message, /user "nobody" not found/);
      const none = await call("GET", greeting, "/users/200/greeting");
      assert.equal(none.statusCode, 404);
      assert.match(none.json().message, /no recorded greeting/);
      assert.equal(
        (await call("PUT", greeting, "/users/nobody/greeting", pcmWav(8000, 500), "audio/wav")).statusCode,
        404,
      );
    });

    it("PUT converts an upload to 8 kHz mu-law; GET plays it; the mailbox has it; DELETE removes it", async () => {
      const res = await call("PUT", greeting, "/users/200/greeting", pcmWav(16000, 1500), "audio/wav");
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { user: "200", durationMs: 1500 });
      assert.equal(await mailboxes.hasGreeting(1, "200"), true);
      const audio = await call("GET", greeting, "/users/200/greeting");
      assert.match(String(audio.headers["content-type"]), /^audio\/wav/);
      assert.equal(audio.rawPayload.readUInt16LE(20), 7, "mu-law");
      assert.equal(audio.rawPayload.readUInt32LE(24), 8000);
      assert.equal((await call("DELETE", greeting, "/users/200/greeting")).statusCode, 204);
      assert.equal(await mailboxes.hasGreeting(1, "200"), false);
      assert.equal((await call("DELETE", greeting, "/users/200/greeting")).statusCode, 404);
    });

    it("refuses a file Parley cannot convert with a 400 naming the field and the problem", async () => {
      const res = await call("PUT", greeting, "/users/201/greeting", pcmWav(44100, 200), "audio/wav");
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, "validation");
      assert.equal(res.json().errors[0].field, "body");
      assert.match(res.json().errors[0].message, /44100 Hz/);
      const text = await call(
        "PUT",
        greeting,
        "/users/201/greeting",
        Buffer.from("not audio at all"),
        "audio/wav",
      );
      assert.match(text.json().message, /not a WAV/);
      assert.equal(await mailboxes.hasGreeting(1, "201"), false);
      const json = await call("PUT", greeting, "/users/201/greeting", { a: 1 }, "application/json");
      assert.equal(json.statusCode, 415);
    });
  });

  describe("SMTP settings and the outbox", () => {
    it("GET /smtp shows the start-up settings; PUT names each bad field and changes nothing", async () => {
      const start = await call("GET", "/smtp", "/smtp");
      assert.deepEqual(start.json(), {
        host: "",
        port: 25,
        security: "none",
        user: "",
        passwordSet: false,
        from: "parley@pbx.test",
        source: "none",
      });
      const bad = await call("PUT", "/smtp", "/smtp", { host: "bad host!", from: "nobody", port: 25 });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(
        bad
          .json()
          .errors.map((e: { field: string }) => e.field)
          .sort(),
        ["from", "host"],
      );
      const range = await call("PUT", "/smtp", "/smtp", { port: 70000, security: "ssl" });
      assert.deepEqual(
        range
          .json()
          .errors.map((e: { field: string }) => e.field)
          .sort(),
        ["port", "security"],
      );
      assert.equal((await call("GET", "/smtp", "/smtp")).json().source, "none");
    });

    it("a mail with no SMTP server waits in the outbox with its error; saving SMTP settings delivers it", async () => {
      let mails: Array<{ state: string; to: string; attempts: number; lastError?: string; sentAt?: string }> =
        [];
      const outbox = async () => {
        mails = (await call("GET", "/voicemail/outbox", "/voicemail/outbox")).json<{ items: typeof mails }>()
          .items;
        return mails;
      };
      // Looked at, not sent: no SMTP server is no attempt (the back-off does not grow meanwhile).
      await until(async () => (await outbox()).every((m) => m.lastError === NO_SMTP_ERROR));
      assert.equal(mails.length, 2, "a mail per message left for 200 (201 has no address)");
      assert.ok(
        mails.every((m) => m.to === "alice@example.test" && m.state === "queued" && m.attempts === 0),
      );

      const port = await freePort();
      inbox = await smtpInbox(port);
      const saved = await call("PUT", "/smtp", "/smtp", { host: "127.0.0.1", port, password: "secret" });
      assert.equal(saved.statusCode, 200);
      assert.deepEqual(saved.json(), {
        host: "127.0.0.1",
        port,
        security: "none",
        user: "",
        passwordSet: true,
        from: "parley@pbx.test",
        source: "saved",
      });
      assert.doesNotMatch(saved.body, /secret/);
      await until(async () => (await outbox()).every((m) => m.state === "sent"));
      assert.ok(mails.every((m) => m.sentAt !== undefined));
      assert.equal(inbox.mails.length, mails.length);
    });

    it("DELETE /smtp goes back to the start-up settings", async () => {
      const res = await call("DELETE", "/smtp", "/smtp");
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().source, "none");
      assert.equal(res.json().host, "");
    });
  });
});

async function until(cond: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
