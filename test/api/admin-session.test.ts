/**
 * The web UI's sign-in (POST /api/v1/session), idle expiry, the administrator password, the
 * settings route and the live event stream: a real API over a real SQLite store, the stream read
 * over a real socket on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { AdminPassword } from "../../src/api/admin/admin-password.js";
import { LiveEvents } from "../../src/api/admin/live-events.js";
import { SessionStore } from "../../src/api/admin/sessions.js";
import { SignInThrottle } from "../../src/api/admin/sign-in-throttle.js";
import { createApi } from "../../src/api/index.js";
import { BanList } from "../../src/auth/ban-list.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { FixedStatus, MemoryCalls, MemoryRegistrations, NOW, TOKEN } from "./fixtures.js";

const IDLE_MS = 60_000;

describe("the web UI's sign-in API", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let now = NOW;
  let password: string;
  const events = new LiveEvents();
  const calls = new MemoryCalls();
  const online = new Set<string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-admin-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    await store.seedDefaults();
    const opened = await AdminPassword.open({ dataDir: dir });
    assert.ok(opened.generated, "a first start generates a password");
    password = opened.generated;
    app = await createApi({
      store,
      registrations: new MemoryRegistrations(),
      bans: new BanList(new VirtualClock(), {
        threshold: 3,
        userThreshold: 9,
        windowMs: 1000,
        banMs: 1000,
        allow: [],
      }),
      calls,
      status: new FixedStatus({ version: "0", startedAt: NOW, listeners: [], counts: {} }),
      token: TOKEN,
      now: () => now,
      userState: (_d, name) => (online.has(name) ? "online" : "offline"),
      admin: { password: opened.admin, sessions: new SessionStore({ idleTtlMs: IDLE_MS, now: () => now }) },
      events,
      settings: () => ({ sipPort: 5060, apiToken: "secret-token-1234567", adminPassword: "x", bind: ["::"] }),
      webUi: false,
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (body: object) => app.inject({ method: "POST", url: "/api/v1/session", payload: body });
  const get = (url: string, token: string) =>
    app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });

  it("stores only an scrypt hash of the generated password, readable by its owner only", () => {
    const file = join(dir, "admin-password");
    assert.match(readFileSync(file, "utf8"), /^scrypt\$\d+\$8\$1\$/);
    assert.ok(!readFileSync(file, "utf8").includes(password));
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it("POST /session with a wrong password answers 401 naming the password field", async () => {
    const res = await signIn({ password: "wrong-password" });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json().errors, [{ field: "password", message: "is not correct" }]);
  });

  it("POST /session with neither password nor token answers 400 naming password", async () => {
    const res = await signIn({});
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errors[0].field, "password");
  });

  it("a session token works like the API token until it has been idle for the TTL", async () => {
    const res = await signIn({ password });
    assert.equal(res.statusCode, 201);
    const { token, idleTimeout } = res.json();
    assert.equal(idleTimeout, 60);
    assert.equal((await get("/api/v1/users", token)).statusCode, 200);
    now += IDLE_MS - 1000; // used just before expiry: renewed
    assert.equal((await get("/api/v1/session", token)).json().kind, "session");
    now += IDLE_MS - 1000;
    assert.equal((await get("/api/v1/users", token)).statusCode, 200);
    now += IDLE_MS;
    const expired = await get("/api/v1/users", token);
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().message, /expired/);
  });

  it("the API token signs in too, and DELETE /session signs out", async () => {
    assert.equal((await signIn({ token: "not-the-token" })).statusCode, 401);
    const { token } = (await signIn({ token: TOKEN })).json();
    const out = await app.inject({
      method: "DELETE",
      url: "/api/v1/session",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(out.statusCode, 204);
    assert.equal((await get("/api/v1/users", token)).statusCode, 401);
  });

  it("PUT /admin-password names each bad field, then changes the password and signs others out", async () => {
    const mine = (await signIn({ password })).json().token;
    const other = (await signIn({ password })).json().token;
    const put = (body: object) =>
      app.inject({
        method: "PUT",
        url: "/api/v1/admin-password",
        headers: { authorization: `Bearer ${mine}` },
        payload: body,
      });
    const bad = await put({ currentPassword: "nope", newPassword: "short" });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().errors.map((e: { field: string }) => e.field),
      ["currentPassword", "newPassword"],
    );
    assert.equal((await put({ currentPassword: password, newPassword: "a new passphrase" })).statusCode, 204);
    assert.equal((await get("/api/v1/users", other)).statusCode, 401);
    assert.equal((await get("/api/v1/users", mine)).statusCode, 200);
    assert.equal((await signIn({ password })).statusCode, 401);
    assert.equal((await signIn({ password: "a new passphrase" })).statusCode, 201);
    password = "a new passphrase";
  });

  it("GET /settings leaves the secrets out", async () => {
    const items = (await get("/api/v1/settings", TOKEN)).json().items;
    assert.deepEqual(items, { sipPort: 5060, bind: ["::"] });
  });

  it("GET /events streams a snapshot at once and a new one after each change, user list changes included", async () => {
    const address = app.server.address();
    assert.ok(address && typeof address === "object");
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/v1/events`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const nextSnapshot = async (): Promise<{ users: Array<{ name: string; state: string }> }> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: snapshot\ndata: (.*)$/m.exec(block);
          if (data) return JSON.parse(data[1]!);
          continue;
        }
        const { value, done } = await reader.read();
        assert.ok(!done, "the stream stays open");
        buffer += value;
      }
    };
    const first = await nextSnapshot();
    assert.equal(first.users.find((u) => u.name === "100")?.state, "offline");
    online.add("100");
    events.notify();
    const second = await nextSnapshot();
    assert.equal(second.users.find((u) => u.name === "100")?.state, "online");
    // A user created through the API is in the next snapshot (the cached user list is reread).
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { name: "300", password: "secret-300", displayName: "New" },
    });
    assert.equal(created.statusCode, 201);
    const third = await nextSnapshot();
    assert.equal(third.users.find((u) => u.name === "300")?.state, "offline");
    controller.abort();
    await reader.cancel().catch(() => {});
  });

  it("GET /events without a token answers 401", async () => {
    assert.equal((await app.inject({ method: "GET", url: "/api/v1/events" })).statusCode, 401);
  });

  it("the OpenAPI document lists the sign-in routes, POST /session needing no token", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    assert.deepEqual(doc.paths["/api/v1/session"].post.security, []);
    for (const path of ["/api/v1/session", "/api/v1/admin-password", "/api/v1/events", "/api/v1/settings"])
      assert.ok(doc.paths[path], path);
  });

  it("after 10 failed sign-ins from an address even the right password is refused, with Retry-After", async () => {
    for (let i = 0; i < 10; i++) await signIn({ password: "guess-" + i });
    const locked = await signIn({ password });
    assert.equal(locked.statusCode, 401);
    assert.match(locked.json().errors[0].message, /^too many failed sign-ins: try again in \d+ s$/);
    assert.ok(Number(locked.headers["retry-after"]) > 0);
  });
});

describe("AdminPassword", () => {
  it("the adminPassword setting replaces the stored password at start (how a forgotten one is reset)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-admin-reset-"));
    try {
      const first = await AdminPassword.open({ dataDir: dir });
      assert.ok(first.generated);
      const again = await AdminPassword.open({ dataDir: dir });
      assert.equal(again.generated, undefined, "a second start keeps the stored password");
      assert.equal(await again.admin.verify(first.generated), true);
      const reset = await AdminPassword.open({ dataDir: dir, configured: "reset to this one" });
      assert.equal(reset.generated, undefined);
      const after = await AdminPassword.open({ dataDir: dir });
      assert.equal(await after.admin.verify(first.generated), false);
      assert.equal(await after.admin.verify("reset to this one"), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("SignInThrottle", () => {
  it("locks an address after maxFailures within the window, until the window since the first failure ends", () => {
    let now = 0;
    const throttle = new SignInThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      assert.equal(throttle.retryAfterMs("10.0.0.1"), 0);
      throttle.failed("10.0.0.1");
      now += 1000;
    }
    assert.equal(throttle.retryAfterMs("10.0.0.1"), 57_000);
    assert.equal(throttle.retryAfterMs("10.0.0.2"), 0, "another address is not locked");
    now = 60_000;
    assert.equal(throttle.retryAfterMs("10.0.0.1"), 0);
  });

  it("a success clears the address's failures", () => {
    const throttle = new SignInThrottle({ maxFailures: 2, windowMs: 60_000, now: () => 0 });
    throttle.failed("a");
    throttle.succeeded("a");
    throttle.failed("a");
    assert.equal(throttle.retryAfterMs("a"), 0);
  });
});
