/**
 * /api/v1/system-settings (issue 23: "system settings that a PBX administrator changes at runtime
 * are editable in the API ... start-up-only settings are shown read-only with their source;
 * secrets are never returned; validation errors name the field"), over a real SQLite store, the
 * real LiveSettings and the real SmtpConfig: a PATCH is stored, survives a reopen, shows
 * "runtime" as its source and is what the live view (the engine's reader) answers at once;
 * null returns a setting to its start-up value; GET /api/v1/settings stays as it was. That the
 * next call follows a change is proven by test/e2e/runtime-settings.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { LiveSettings } from "../../src/config/live-settings.js";
import { settingSources } from "../../src/config/setting-sources.js";
import { resolveSettings } from "../../src/config/settings.js";
import { SmtpConfig } from "../../src/services/voicemail/smtp-config.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps } from "./fixtures.js";

interface Item {
  key: string;
  value: unknown;
  source: string;
  startupSource: string;
  runtime: boolean;
  secret: boolean;
  isSet?: boolean;
}

const input = {
  file: { noAnswerTime: 45 },
  fileName: "parley.json",
  env: { PARLEY_SIP_PORT: "5070", PARLEY_API_TOKEN: "0123456789abcdef0123" },
  flags: { language: "en", smtpFrom: "pbx@example.com" },
};

describe("/api/v1/system-settings", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let live: LiveSettings;
  let domainId: number;

  async function open(): Promise<void> {
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    const startup = resolveSettings(input);
    live = new LiveSettings({
      startup,
      sources: settingSources(input),
      repository: store.systemSettings,
      domainId,
    });
    await live.load();
    const smtp = new SmtpConfig({
      repository: store.systemSettings,
      domainId,
      startup: {
        host: startup.smtpHost,
        port: startup.smtpPort,
        security: startup.smtpSecurity,
        user: startup.smtpUser,
        password: startup.smtpPassword,
        from: startup.smtpFrom,
      },
    });
    await smtp.load();
    live.attachSmtp(smtp);
    app = await createApi({
      ...baseApiDeps(store),
      systemSettings: live,
      settings: () => ({ ...live.view }),
      voicemail: { smtp, mailboxes: undefined as never, outbox: { list: () => [] } },
    });
    await app.ready();
  }

  async function close(): Promise<void> {
    await app.close();
    await store.close();
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-system-settings-"));
    await open();
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function list(): Promise<Map<string, Item>> {
    const res = await app.inject({ method: "GET", url: "/api/v1/system-settings", headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    return new Map((res.json().items as Item[]).map((i) => [i.key, i]));
  }

  async function patch(body: unknown) {
    return app.inject({
      method: "PATCH",
      url: "/api/v1/system-settings",
      headers: auth,
      payload: body as object,
    });
  }

  it("GET shows every setting with its value, its source and whether it changes at run time", async () => {
    const items = await list();
    assert.deepEqual(items.get("outGroupPrefix"), {
      key: "outGroupPrefix",
      value: "9",
      source: "default",
      startupSource: "default",
      runtime: true,
      secret: false,
    });
    assert.equal(items.get("noAnswerTime")?.value, 45);
    assert.equal(items.get("noAnswerTime")?.source, "file");
    assert.equal(items.get("noAnswerTime")?.startupSource, "config file parley.json");
    assert.equal(items.get("language")?.source, "flag");
    assert.equal(items.get("language")?.startupSource, "flag --language");
    const sipPort = items.get("sipPort");
    assert.equal(sipPort?.value, 5070);
    assert.equal(sipPort?.source, "environment");
    assert.equal(sipPort?.startupSource, "environment PARLEY_SIP_PORT");
    assert.equal(sipPort?.runtime, false, "ports are start-up only");
    assert.equal(items.get("dataDir")?.runtime, false);
    assert.equal(items.get("mediaRelay")?.runtime, true);
    assert.equal(items.get("smtpHost")?.runtime, true);
    assert.equal(items.get("cdrCsvDir")?.runtime, true);
  });

  it("never returns a secret: the API token and passwords say only whether they are set", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/system-settings", headers: auth });
    assert.ok(!res.body.includes("0123456789abcdef0123"), "the API token is not in the answer");
    const items = await list();
    assert.deepEqual(
      ["apiToken", "adminPassword", "smtpPassword"].map((k) => [k, items.get(k)?.value, items.get(k)?.isSet]),
      [
        ["apiToken", null, true],
        ["adminPassword", null, false],
        ["smtpPassword", null, false],
      ],
    );
    assert.equal(items.get("apiToken")?.secret, true);
  });

  it("PATCH changes a run-time setting at once (the live view answers it), source 'runtime'", async () => {
    const res = await patch({ outGroupPrefix: "0", noAnswerTime: 20, mediaRelay: "always", language: "zh" });
    assert.equal(res.statusCode, 200, res.body);
    const items = new Map((res.json().items as Item[]).map((i) => [i.key, i]));
    assert.equal(items.get("outGroupPrefix")?.value, "0");
    assert.equal(items.get("outGroupPrefix")?.source, "runtime");
    assert.equal(items.get("outGroupPrefix")?.startupSource, "default");
    assert.equal(items.get("noAnswerTime")?.value, 20);
    assert.equal(live.view.outGroupPrefix, "0");
    assert.equal(live.view.noAnswerTime, 20);
    assert.equal(live.view.mediaRelay, "always");
    assert.equal(live.view.language, "zh");
    // GET /api/v1/settings (kept as it was: the values only) shows the values in use.
    const old = await app.inject({ method: "GET", url: "/api/v1/settings", headers: auth });
    assert.equal(old.statusCode, 200);
    assert.equal(old.json().items.outGroupPrefix, "0");
    assert.equal(old.json().items.noAnswerTime, 20);
    assert.equal(old.json().items.apiToken, undefined);
  });

  it("a stored value survives a restart and overrides the start-up value", async () => {
    await close();
    await open();
    const items = await list();
    assert.equal(items.get("outGroupPrefix")?.value, "0");
    assert.equal(items.get("outGroupPrefix")?.source, "runtime");
    assert.equal(items.get("noAnswerTime")?.value, 20, "over the config file's 45");
    assert.equal(live.view.language, "zh");
  });

  it("a bad value is refused with 400 naming the field, by the start-up table's rules", async () => {
    const res = await patch({
      noAnswerTime: 0,
      outGroupPrefix: "9x",
      language: "fr",
      mediaRelay: "sometimes",
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual((res.json().errors as Array<{ field: string }>).map((e) => e.field).sort(), [
      "language",
      "mediaRelay",
      "noAnswerTime",
      "outGroupPrefix",
    ]);
    assert.match(res.json().message, /noAnswerTime/);
    assert.equal(live.view.outGroupPrefix, "0", "nothing of a refused change applies");
  });

  it("a start-up-only or unknown key is refused, named", async () => {
    const res = await patch({ sipPort: 5080, noSuchSetting: 1 });
    assert.equal(res.statusCode, 400, res.body);
    const errors = res.json().errors as Array<{ field: string; message: string }>;
    assert.deepEqual(errors.map((e) => e.field).sort(), ["noSuchSetting", "sipPort"]);
    assert.match(errors.find((e) => e.field === "sipPort")!.message, /start-up/);
  });

  it("SMTP: set at run time (the SMTP route sees it), the password write-only, errors named", async () => {
    const res = await patch({
      smtpHost: "mail.example.com",
      smtpPort: 587,
      smtpSecurity: "starttls",
      smtpPassword: "s3cret",
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes("s3cret"));
    const items = await list();
    assert.equal(items.get("smtpHost")?.value, "mail.example.com");
    assert.equal(items.get("smtpHost")?.source, "runtime");
    assert.equal(items.get("smtpPort")?.value, 587);
    assert.equal(items.get("smtpFrom")?.value, "pbx@example.com");
    assert.equal(items.get("smtpPassword")?.isSet, true);
    const smtp = await app.inject({ method: "GET", url: "/api/v1/smtp", headers: auth });
    assert.equal(smtp.json().host, "mail.example.com");
    assert.equal(smtp.json().security, "starttls");
    const bad = await patch({ smtpPort: 70_000, smtpFrom: "not a mailbox" });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.deepEqual(
      (bad.json().errors as Array<{ field: string }>).map((e) => e.field),
      ["smtpPort"],
    );
    const badFrom = await patch({ smtpFrom: "not a mailbox" });
    assert.equal(badFrom.statusCode, 400, badFrom.body);
    assert.deepEqual(
      (badFrom.json().errors as Array<{ field: string }>).map((e) => e.field),
      ["smtpFrom"],
    );
  });

  it("null returns a setting (or all SMTP keys) to its start-up value", async () => {
    const res = await patch({ outGroupPrefix: null, noAnswerTime: null, smtpHost: null });
    assert.equal(res.statusCode, 200, res.body);
    const items = await list();
    assert.equal(items.get("outGroupPrefix")?.value, "9");
    assert.equal(items.get("outGroupPrefix")?.source, "default");
    assert.equal(items.get("noAnswerTime")?.value, 45);
    assert.equal(items.get("noAnswerTime")?.source, "file");
    assert.equal(items.get("smtpHost")?.value, null);
    assert.equal(items.get("smtpHost")?.source, "default");
    assert.equal(live.view.outGroupPrefix, "9");
  });
});
