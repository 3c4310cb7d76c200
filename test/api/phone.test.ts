/**
 * The web softphone's user-scope API (issue 20, "the softphone page"): a real API over a real
 * SQLite store, spoken to over HTTP on 127.0.0.1, every answer checked against the OpenAPI
 * document. Proven: a local user signs in with its extension and SIP password; an unknown user and
 * a wrong password get the same 401; a disabled user (no calls allowed) is refused; failures are
 * throttled per address; the phone token passes no admin route and neither the API token nor an
 * admin session passes a phone route; /phone/me names the WebSocket path and the configured
 * standalone ports; /phone/calls lists the user's calls newest first; /phone/presence lists the
 * colleagues the presence group rule lets the user watch; sign-out, idle expiry and a deleted user
 * end the session. Not here: the page itself (test/web/phone.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { AdminPassword } from "../../src/api/admin/admin-password.js";
import { SessionStore } from "../../src/api/admin/sessions.js";
import { createApi } from "../../src/api/index.js";
import { BanList } from "../../src/auth/ban-list.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { MIN, sampleCdr, T0, unanswered } from "../store/cdr-fixtures.js";
import { FixedStatus, MemoryCalls, MemoryRegistrations, NOW, TOKEN } from "./fixtures.js";
import type { OpenApiDocument } from "./openapi-document.js";

const IDLE_MS = 60_000;

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

describe("the web phone's API", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let now = NOW;
  let adminPassword: string;
  let doc: OpenApiDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formats.default(ajv);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-phone-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    await store.seedDefaults();
    await store.users.update(1, "100", { displayName: "Alice" });
    await store.users.create(1, { name: "103", password: "secret-103-long", maxConcurrentCalls: 0 });
    const opened = await AdminPassword.open({ dataDir: dir, configured: "admin-password-1" });
    adminPassword = "admin-password-1";
    app = await createApi({
      store,
      registrations: new MemoryRegistrations(),
      bans: new BanList(new VirtualClock(), {
        threshold: 3,
        userThreshold: 9,
        windowMs: 1,
        banMs: 1,
        allow: [],
      }),
      calls: new MemoryCalls(),
      status: new FixedStatus({ version: "0", startedAt: NOW, listeners: [], counts: {} }),
      token: TOKEN,
      now: () => now,
      userState: (_d, name) => (name === "101" ? "talking" : "offline"),
      presence: {
        presenceOf: async (_d, user) =>
          user === "101"
            ? { open: true, activities: ["on-the-phone"], note: "On the phone" }
            : { open: false, activities: [], note: "Offline" },
      },
      admin: { password: opened.admin, sessions: new SessionStore({ idleTtlMs: IDLE_MS, now: () => now }) },
      settings: () => ({ sipPort: 5060, sipWsPort: 8088 }),
      webUi: false,
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === "object");
    base = `http://127.0.0.1:${address.port}`;
    doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as OpenApiDocument;
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A request over HTTP whose answer must be documented (status and body schema) for its route. */
  async function call(
    method: "GET" | "POST" | "DELETE",
    path: string,
    options: { token?: string; body?: object; documented?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    const body: unknown = text === "" ? undefined : JSON.parse(text);
    const template = options.documented ?? path.replace(/\?.*$/, "");
    const op = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is documented`);
    const documented = op.responses?.[String(res.status)];
    assert.ok(documented, `${method} ${template} answered ${res.status}, not documented: ${text}`);
    const schema = documented.content?.["application/json"]?.schema;
    if (schema === undefined) assert.equal(text, "");
    else {
      const validate = ajv.compile(schema);
      assert.ok(validate(body), `${method} ${template} ${res.status}: ${ajv.errorsText(validate.errors)}`);
    }
    return { status: res.status, body, headers: res.headers };
  }

  const signIn = (user: string, password: string) =>
    call("POST", "/api/v1/phone/session", { body: { user, password } });

  async function phoneToken(user = "100", password = "100"): Promise<string> {
    const res = await signIn(user, password);
    assert.equal(res.status, 201);
    return (res.body as { token: string }).token;
  }

  describe("sign-in", () => {
    it("gives a local user with its SIP password a phone token", async () => {
      const res = await signIn("100", "100");
      assert.equal(res.status, 201);
      const body = res.body as { token: string; user: string; idleTimeout: number };
      assert.match(body.token, /^pp_[A-Za-z0-9_-]{43}$/);
      assert.equal(body.user, "100");
      assert.equal(body.idleTimeout, IDLE_MS / 1000);
    });

    it("answers an unknown user and a wrong password with the same 401", async () => {
      const wrong = await signIn("100", "not-100");
      const unknown = await signIn("999", "100");
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(wrong.body, unknown.body);
      assert.deepEqual((wrong.body as { errors: unknown }).errors, [
        { field: "password", message: "is not correct" },
      ]);
    });

    it("refuses a disabled user (no calls allowed) even with its password", async () => {
      const res = await signIn("103", "secret-103-long");
      assert.equal(res.status, 401);
      assert.deepEqual((res.body as { errors: unknown }).errors, [{ field: "user", message: "is disabled" }]);
    });

    it("refuses a body without the password with 400", async () => {
      const res = await call("POST", "/api/v1/phone/session", { body: { user: "100" } });
      assert.equal(res.status, 400);
    });
  });

  describe("the phone token and the admin API's tokens are not interchangeable", () => {
    it("a phone token passes no admin route", async () => {
      const token = await phoneToken();
      for (const path of ["/api/v1/users", "/api/v1/session", "/api/v1/registrations", "/api/v1/cdrs"]) {
        const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 401, path);
      }
    });

    it("neither the API token nor an admin session passes a phone route", async () => {
      const admin = await fetch(`${base}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password: adminPassword }),
      });
      assert.equal(admin.status, 201);
      const adminToken = ((await admin.json()) as { token: string }).token;
      // The admin session works where it belongs...
      assert.equal(
        (await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${adminToken}` } })).status,
        200,
      );
      // ...and nowhere on the phone routes.
      for (const token of [adminToken, TOKEN]) {
        const res = await call("GET", "/api/v1/phone/me", { token });
        assert.equal(res.status, 401);
        assert.match(String(res.headers.get("www-authenticate")), /error="invalid_token"/);
      }
      assert.equal((await call("GET", "/api/v1/phone/me")).status, 401);
    });
  });

  describe("with a phone token", () => {
    it("GET /phone/me names the user, its realm, the WebSocket path and the standalone port", async () => {
      const res = await call("GET", "/api/v1/phone/me", { token: await phoneToken() });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        user: "100",
        displayName: "Alice",
        domain: "default",
        realm: "parley",
        sipHost: "127.0.0.1",
        webSocket: { path: "/sip", wsPort: 8088 },
        idleTimeout: IDLE_MS / 1000,
      });
    });

    it("GET /phone/calls lists the user's calls newest first, outgoing and incoming", async () => {
      await store.cdrs.insert(sampleCdr({ startedAt: T0 }));
      await store.cdrs.insert(
        unanswered("no-answer", {
          startedAt: T0 + MIN,
          caller: "102",
          callerName: "Carol",
          dialed: "100",
          callee: "100",
        }),
      );
      await store.cdrs.insert(
        sampleCdr({ startedAt: T0 + 2 * MIN, caller: "101", dialed: "102", callee: "102" }),
      );
      const token = await phoneToken();
      const res = await call("GET", "/api/v1/phone/calls", { token });
      assert.equal(res.status, 200);
      const items = (res.body as { items: Array<Record<string, unknown>> }).items;
      assert.deepEqual(
        items.map((c) => [c.direction, c.peer, c.peerName, c.disposition]),
        [
          ["incoming", "102", "Carol", "no-answer"],
          ["outgoing", "101", "", "answered"],
        ],
      );
      assert.equal(items[1]?.talkTime, 62);
      const one = await call("GET", "/api/v1/phone/calls?limit=1", { token });
      assert.equal((one.body as { items: unknown[] }).items.length, 1);
      assert.equal((await call("GET", "/api/v1/phone/calls?limit=0", { token })).status, 400);
    });

    it("GET /phone/presence lists the colleagues the presence group rule lets the user watch", async () => {
      const token = await phoneToken();
      const all = await call("GET", "/api/v1/phone/presence", { token });
      assert.equal(all.status, 200);
      const items = (all.body as { items: Array<{ name: string; state: string; presence?: unknown }> }).items;
      assert.deepEqual(
        items.map((c) => c.name),
        ["101", "102", "103"],
      );
      assert.equal(items[0]?.state, "talking");
      assert.deepEqual(items[0]?.presence, {
        open: true,
        activities: ["on-the-phone"],
        note: "On the phone",
      });
      // In group 1, 100 sees only group 1.
      await store.users.update(1, "100", { presenceGroup: 1 });
      await store.users.update(1, "102", { presenceGroup: 1 });
      const group = await call("GET", "/api/v1/phone/presence", { token });
      assert.deepEqual(
        (group.body as { items: Array<{ name: string }> }).items.map((c) => c.name),
        ["102"],
      );
      await store.users.update(1, "100", { subscribeAllPresence: true });
      const everyone = await call("GET", "/api/v1/phone/presence", { token });
      assert.equal((everyone.body as { items: unknown[] }).items.length, 3);
      await store.users.update(1, "100", { presenceGroup: 0, subscribeAllPresence: false });
    });
  });

  describe("the end of a phone session", () => {
    it("DELETE /phone/session signs out: the token stops working", async () => {
      const token = await phoneToken();
      assert.equal((await call("DELETE", "/api/v1/phone/session", { token })).status, 204);
      assert.equal((await call("GET", "/api/v1/phone/me", { token })).status, 401);
    });

    it("expires after the idle time without a request, and a request renews it", async () => {
      const token = await phoneToken();
      now += IDLE_MS - 1000;
      assert.equal((await call("GET", "/api/v1/phone/me", { token })).status, 200);
      now += IDLE_MS - 1000;
      assert.equal((await call("GET", "/api/v1/phone/me", { token })).status, 200);
      now += IDLE_MS;
      assert.equal((await call("GET", "/api/v1/phone/me", { token })).status, 401);
    });

    it("ends when the user is deleted", async () => {
      await store.users.create(1, { name: "104", password: "secret-104-long" });
      const token = await phoneToken("104", "secret-104-long");
      assert.equal(await store.users.delete(1, "104"), true);
      assert.equal((await call("GET", "/api/v1/phone/me", { token })).status, 401);
      assert.equal((await call("GET", "/api/v1/phone/calls", { token })).status, 401);
    });
  });

  describe("throttling", () => {
    it("after 10 failures from an address, even the right password is refused with Retry-After", async () => {
      let refused: Answer | undefined;
      for (let i = 0; i < 12 && refused === undefined; i++) {
        const res = await signIn("100", `guess-${i}`);
        assert.equal(res.status, 401);
        if (res.headers.get("retry-after") !== null) refused = res;
      }
      assert.ok(refused, "the address was throttled");
      const right = await signIn("100", "100");
      assert.equal(right.status, 401);
      assert.ok(Number(right.headers.get("retry-after")) > 0);
      // The admin's sign-in keeps a throttle of its own.
      const admin = await fetch(`${base}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password: adminPassword }),
      });
      assert.equal(admin.status, 201);
    });
  });
});
