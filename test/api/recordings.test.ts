/**
 * /api/v1/recordings over a real SQLite store and files (issue 17: "recordings are linked from
 * the CDR, listed, played and downloaded in the web UI and the API"): the list (newest first,
 * filters, paging, a bad time names its field), one recording, its WAV (audio/wav, inline or as a
 * download), its deletion (row and file), 404s; a CDR carries its recording's id; a user's
 * `recording` setting goes through the users API (a bad value names the field).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { wavHeader } from "../../src/media/recorder-wav-file.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps } from "./fixtures.js";

describe("/api/v1 recordings", () => {
  let dir: string;
  let root: string;
  let store: Store;
  let app: FastifyInstance;
  let domainId: number;
  const wav = Buffer.concat([wavHeader(1, 1600), Buffer.alloc(1600)]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-recordings-api-"));
    root = join(dir, "recordings");
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    mkdirSync(join(root, "calls/2027/01/15"), { recursive: true });
    for (const [id, at, caller, callee] of [
      ["call-a", Date.UTC(2027, 0, 15, 7), "100", "101"],
      ["call-b", Date.UTC(2027, 0, 15, 8), "102", "100"],
      ["call-b-2", Date.UTC(2027, 0, 15, 9), "102", "100"],
    ] as const) {
      const file = `calls/2027/01/15/${id}.wav`;
      writeFileSync(join(root, file), wav);
      await store.recordings.insert({
        id,
        domainId,
        callId: id.replace(/-2$/, ""),
        caller,
        callee,
        startedAt: at,
        durationMs: 100,
        bytes: wav.length,
        channels: 1,
        file,
      });
    }
    app = await createApi({ ...baseApiDeps(store), recordingsDir: root });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: "GET" | "PATCH" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

  it("lists recordings newest first with caller, callee, start, duration and size", async () => {
    const res = await api("GET", "/recordings");
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json();
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.items.map((r: { id: string }) => r.id),
      ["call-b-2", "call-b", "call-a"],
    );
    assert.deepEqual(page.items[2], {
      id: "call-a",
      callId: "call-a",
      caller: "100",
      callee: "101",
      startedAt: "2027-01-15T07:00:00.000Z",
      durationSeconds: 0.1,
      bytes: wav.length,
      channels: 1,
    });
  });

  it("filters by number and time and pages; a time that is no time names its field", async () => {
    assert.equal((await api("GET", "/recordings?number=101")).json().total, 1);
    assert.equal((await api("GET", "/recordings?from=2027-01-15T08:00:00Z")).json().total, 2);
    const paged = (await api("GET", "/recordings?limit=1&offset=1")).json();
    assert.deepEqual([paged.total, paged.items[0].id, paged.limit], [3, "call-b", 1]);
    const bad = await api("GET", "/recordings?from=2027-02-30");
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, "from");
  });

  it("serves a recording's WAV inline, or as a download", async () => {
    const res = await api("GET", "/recordings/call-a/audio");
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "audio/wav");
    assert.match(
      String(res.headers["content-disposition"]),
      /^inline; filename="recording-100-101-call-a\.wav"/,
    );
    assert.deepEqual(res.rawPayload, wav);
    const download = await api("GET", "/recordings/call-a/audio?download=true");
    assert.match(String(download.headers["content-disposition"]), /^attachment;/);
  });

  it("answers 404 for an unknown recording and 400 for an id that cannot be one", async () => {
    assert.equal((await api("GET", "/recordings/nope")).statusCode, 404);
    assert.equal((await api("GET", "/recordings/nope/audio")).statusCode, 404);
    assert.equal((await api("DELETE", "/recordings/nope")).statusCode, 404);
    assert.equal((await api("GET", "/recordings/a%2F..%2Fb/audio")).statusCode, 400);
  });

  it("deletes a recording's row and file", async () => {
    const file = join(root, "calls/2027/01/15/call-b-2.wav");
    assert.equal(existsSync(file), true);
    assert.equal((await api("DELETE", "/recordings/call-b-2")).statusCode, 204);
    assert.equal(existsSync(file), false);
    assert.equal((await api("GET", "/recordings/call-b-2")).statusCode, 404);
    assert.equal((await api("GET", "/recordings")).json().total, 2);
  });

  it("a CDR links its recording", async () => {
    await store.cdrs.insert({
      domainId,
      callId: "call-a",
      caller: "100",
      callerName: "",
      dialed: "101",
      callee: "101",
      startedAt: Date.UTC(2027, 0, 15, 6, 59, 55),
      answeredAt: Date.UTC(2027, 0, 15, 7),
      endedAt: Date.UTC(2027, 0, 15, 7, 0, 1),
      disposition: "answered",
      hangupCause: "caller-bye",
      sipStatus: 200,
      sipReason: "OK",
      legs: [],
      recording: "call-a",
    });
    const cdrs = (await api("GET", "/cdrs")).json();
    assert.equal(cdrs.items[0].recording, "call-a");
  });

  it("a user's recording setting is set through the users API; a bad value names the field", async () => {
    await store.users.create(domainId, { name: "100", password: "secret100" });
    const ok = await api("PATCH", "/users/100", { recording: "on-demand" });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().recording, "on-demand");
    const bad = await api("PATCH", "/users/100", { recording: "sometimes" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, "recording");
  });

  it("the routes are in the OpenAPI document, the audio as audio/wav", async () => {
    const doc = (await api("GET", "/openapi.json")).json();
    assert.ok(doc.paths["/api/v1/recordings"].get);
    assert.ok(doc.paths["/api/v1/recordings/{id}"].delete);
    assert.ok(doc.paths["/api/v1/recordings/{id}/audio"].get.responses["200"].content["audio/wav"]);
  });
});
