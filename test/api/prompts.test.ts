/**
 * /api/v1/prompts and /api/v1/music over a real PromptLibrary in a temp data dir (issue 14: "an
 * administrator can replace any prompt through the API ... Parley converts 8/16 kHz PCM or G.711
 * WAV to its format, and refuses anything else with an error naming what it got"; "an upload that
 * is not audio (400 naming the problem)"). The WAVs are built here, header and samples, so what
 * is uploaded is known to the byte. Not covered: the media workers re-reading a replaced file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { PromptLibrary } from "../../src/media/prompts/prompt-library.js";
import { auth, type Harness, startHarness, TOKEN } from "./fixtures.js";

/** A mono 16-bit PCM WAV: RIFF header, fmt (tag 1) and data chunks, a 440 Hz sine. */
export function pcmSineWav(sampleRate: number, ms: number): Buffer {
  const samples = Math.round((sampleRate * ms) / 1000);
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write("WAVE", 8, "ascii");
  out.write("fmt ", 12, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write("data", 36, "ascii");
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), 44 + i * 2);
  return out;
}

/** The fmt chunk of a canonical WAV as the server sent it. */
function header(wav: Buffer): { riff: string; tag: number; channels: number; rate: number; bits: number } {
  return {
    riff: `${wav.toString("ascii", 0, 4)}/${wav.toString("ascii", 8, 12)}`,
    tag: wav.readUInt16LE(20),
    channels: wav.readUInt16LE(22),
    rate: wav.readUInt32LE(24),
    bits: wav.readUInt16LE(34),
  };
}

interface PromptItem {
  name: string;
  lang: string;
  text: string;
  replaced: boolean;
  durationMs: number;
}

describe("/api/v1/prompts and /api/v1/music", () => {
  let h: Harness;
  let app: FastifyInstance;
  let dataDir: string;

  before(async () => {
    h = await startHarness();
    dataDir = mkdtempSync(join(tmpdir(), "parley-prompts-"));
    app = await createApi({
      store: h.store,
      registrations: h.registrations,
      bans: h.bans,
      calls: h.calls,
      status: { status: () => ({ version: "0", startedAt: 0, listeners: [], counts: {} }) },
      token: TOKEN,
      prompts: new PromptLibrary({ dataDir }),
      webUi: false,
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (url: string, body: Buffer | string, type = "audio/wav") =>
    app.inject({ method: "PUT", url, headers: { ...auth, "content-type": type }, payload: body });
  const get = (url: string) => app.inject({ method: "GET", url, headers: auth });
  const del = (url: string) => app.inject({ method: "DELETE", url, headers: auth });
  const prompt = async (lang: string, name: string): Promise<PromptItem | undefined> =>
    (await get(`/api/v1/prompts?lang=${lang}`))
      .json<{ items: PromptItem[] }>()
      .items.find((p) => p.name === name);

  describe("GET /prompts", () => {
    it("lists one language's prompts with their text, shipped, with a duration", async () => {
      const res = await get("/api/v1/prompts?lang=zh");
      assert.equal(res.statusCode, 200);
      const items = res.json<{ items: PromptItem[] }>().items;
      assert.ok(items.length > 20);
      assert.ok(items.every((p) => p.lang === "zh" && !p.replaced));
      const welcome = items.find((p) => p.name === "welcome");
      assert.equal(welcome?.text, "欢迎。");
      assert.ok((welcome?.durationMs ?? 0) > 0);
    });

    it("without lang lists every language; an unknown lang is a 400 naming the field", async () => {
      const langs = new Set(
        (await get("/api/v1/prompts")).json<{ items: PromptItem[] }>().items.map((p) => p.lang),
      );
      assert.deepEqual([...langs].sort(), ["en", "zh"]);
      const bad = await get("/api/v1/prompts?lang=fr");
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error, "validation");
    });

    it("needs the bearer token", async () => {
      assert.equal((await app.inject({ method: "GET", url: "/api/v1/prompts" })).statusCode, 401);
    });
  });

  describe("replacing a prompt", () => {
    it("upload -> listed as replaced -> its audio is 8 kHz mu-law -> DELETE restores the shipped one", async () => {
      const shipped = await get("/api/v1/prompts/en/goodbye/audio");
      assert.equal(shipped.statusCode, 200);

      const res = await upload("/api/v1/prompts/en/goodbye", pcmSineWav(8000, 1500));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { name: "goodbye", lang: "en", durationMs: 1500, replaced: true });

      assert.deepEqual(await prompt("en", "goodbye"), {
        name: "goodbye",
        lang: "en",
        text: "Goodbye.",
        replaced: true,
        durationMs: 1500,
      });
      // The other language's prompt of the same name is untouched.
      assert.equal((await prompt("zh", "goodbye"))?.replaced, false);

      const audio = await get("/api/v1/prompts/en/goodbye/audio");
      assert.equal(audio.statusCode, 200);
      assert.match(String(audio.headers["content-type"]), /^audio\/wav/);
      assert.equal(audio.headers["cache-control"], "no-store");
      assert.deepEqual(header(audio.rawPayload), {
        riff: "RIFF/WAVE",
        tag: 7,
        channels: 1,
        rate: 8000,
        bits: 8,
      });
      assert.notDeepEqual(audio.rawPayload, shipped.rawPayload);

      assert.equal((await del("/api/v1/prompts/en/goodbye")).statusCode, 204);
      assert.equal((await prompt("en", "goodbye"))?.replaced, false);
      assert.deepEqual((await get("/api/v1/prompts/en/goodbye/audio")).rawPayload, shipped.rawPayload);
      // Nothing left to restore.
      const again = await del("/api/v1/prompts/en/goodbye");
      assert.equal(again.statusCode, 404);
      assert.match(again.json().message, /not replaced/);
    });

    it("converts a 16 kHz WAV to 8 kHz, sent as application/octet-stream", async () => {
      const res = await upload(
        "/api/v1/prompts/zh/welcome",
        pcmSineWav(16000, 1000),
        "application/octet-stream",
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().durationMs, 1000);
      const audio = await get("/api/v1/prompts/zh/welcome/audio");
      assert.equal(header(audio.rawPayload).rate, 8000);
      assert.equal((await del("/api/v1/prompts/zh/welcome")).statusCode, 204);
    });

    it("refuses a 44.1 kHz WAV with a 400 naming the rate, and keeps the shipped prompt", async () => {
      const res = await upload("/api/v1/prompts/en/welcome", pcmSineWav(44100, 200), "audio/x-wav");
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, "bad_request");
      assert.match(res.json().message, /44100 Hz/);
      assert.equal((await prompt("en", "welcome"))?.replaced, false);
    });

    it("refuses a text file sent as audio/wav with a 400 saying it is not a WAV", async () => {
      const res = await upload(
        "/api/v1/prompts/en/welcome",
        "hello, this is not audio\n".repeat(4),
        "audio/wave",
      );
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, "bad_request");
      assert.match(res.json().message, /not a WAV/);
    });

    it("refuses a JSON or text body with 415", async () => {
      const json = await upload("/api/v1/prompts/en/welcome", JSON.stringify({ a: 1 }), "application/json");
      assert.equal(json.statusCode, 415);
      assert.equal(json.json().error, "unsupported_media_type");
      const text = await upload("/api/v1/prompts/en/welcome", "RIFF", "text/plain");
      assert.equal(text.statusCode, 415);
    });

    it("answers 404 naming an unknown prompt, a prompt missing in a language, or an unknown language", async () => {
      const wav = pcmSineWav(8000, 100);
      const unknown = await upload("/api/v1/prompts/en/no-such-prompt", wav);
      assert.equal(unknown.statusCode, 404);
      assert.match(unknown.json().message, /"no-such-prompt"/);
      // Plurals are English only (catalogue.ts): "new-messages" exists in en, not in zh.
      const missing = await upload("/api/v1/prompts/zh/new-messages", wav);
      assert.equal(missing.statusCode, 404);
      assert.match(missing.json().message, /"new-messages" in language "zh"/);
      const lang = await get("/api/v1/prompts/fr/welcome/audio");
      assert.equal(lang.statusCode, 404);
      assert.match(lang.json().message, /"fr"/);
      assert.equal((await del("/api/v1/prompts/en/no-such-prompt")).statusCode, 404);
    });
  });

  describe("music on hold", () => {
    type Music = { name: string; shipped: boolean; durationMs: number };
    const music = async () => (await get("/api/v1/music")).json<{ items: Music[] }>().items;

    it("lists the shipped default track", async () => {
      const items = await music();
      const def = items.find((m) => m.name === "default");
      assert.equal(def?.shipped, true);
      assert.ok((def?.durationMs ?? 0) > 10_000);
    });

    it("adds a named track, serves it as 8 kHz, deletes it", async () => {
      const res = await upload("/api/v1/music/jazz-1", pcmSineWav(16000, 2000));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { name: "jazz-1", shipped: false, durationMs: 2000 });
      assert.deepEqual(
        (await music()).find((m) => m.name === "jazz-1"),
        { name: "jazz-1", shipped: false, durationMs: 2000 },
      );
      const audio = await get("/api/v1/music/jazz-1/audio");
      assert.equal(audio.statusCode, 200);
      assert.equal(header(audio.rawPayload).rate, 8000);
      assert.equal((await del("/api/v1/music/jazz-1")).statusCode, 204);
      assert.equal(
        (await music()).some((m) => m.name === "jazz-1"),
        false,
      );
      assert.equal((await get("/api/v1/music/jazz-1/audio")).statusCode, 404);
    });

    it('an upload named "default" replaces the shipped track until deleted', async () => {
      assert.equal((await upload("/api/v1/music/default", pcmSineWav(8000, 3000))).statusCode, 200);
      assert.deepEqual(
        (await music()).find((m) => m.name === "default"),
        { name: "default", shipped: false, durationMs: 3000 },
      );
      assert.equal((await del("/api/v1/music/default")).statusCode, 204);
      assert.equal((await music()).find((m) => m.name === "default")?.shipped, true);
      // The shipped track itself cannot be deleted.
      assert.equal((await del("/api/v1/music/default")).statusCode, 404);
    });

    it("refuses a bad name (400 naming the field) and a file that is not audio (400)", async () => {
      const name = await upload("/api/v1/music/Bad_Name", pcmSineWav(8000, 100));
      assert.equal(name.statusCode, 400);
      assert.equal(name.json().errors?.[0]?.field, "name");
      const text = await upload("/api/v1/music/notes", "just text");
      assert.equal(text.statusCode, 400);
      assert.match(text.json().message, /not a WAV/);
      assert.equal(
        (await music()).some((m) => m.name === "notes"),
        false,
      );
    });
  });

  describe("the OpenAPI document", () => {
    it("lists the routes, with the WAV upload types as the PUT bodies", async () => {
      const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json<{
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
      }>();
      for (const [path, methods] of [
        ["/api/v1/prompts", ["get"]],
        ["/api/v1/prompts/{lang}/{name}/audio", ["get"]],
        ["/api/v1/prompts/{lang}/{name}", ["put", "delete"]],
        ["/api/v1/music", ["get"]],
        ["/api/v1/music/{name}/audio", ["get"]],
        ["/api/v1/music/{name}", ["put", "delete"]],
      ] as const) {
        assert.deepEqual(Object.keys(doc.paths[path] ?? {}).sort(), [...methods].sort(), path);
      }
      for (const path of ["/api/v1/prompts/{lang}/{name}", "/api/v1/music/{name}"]) {
        assert.deepEqual(Object.keys(doc.paths[path]?.put?.requestBody?.content ?? {}).sort(), [
          "application/octet-stream",
          "audio/wav",
          "audio/wave",
          "audio/x-wav",
        ]);
      }
    });
  });
});
