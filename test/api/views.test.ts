/** Bearer authentication, and the registrations, bans and status routes over real in-memory views. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auth, CLOCK_EPOCH, type Harness, NOW, startHarness, TOKEN } from "./fixtures.js";

interface ErrorBody {
  error: string;
  message: string;
}

describe("the admin API", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  describe("bearer authentication", () => {
    const routes = [
      ["GET", "/api/v1/users"],
      ["GET", "/api/v1/users/100"],
      ["POST", "/api/v1/users"],
      ["PATCH", "/api/v1/users/100"],
      ["PUT", "/api/v1/users/100"],
      ["DELETE", "/api/v1/users/100"],
      ["GET", "/api/v1/registrations"],
      ["DELETE", "/api/v1/registrations/x"],
      ["GET", "/api/v1/bans"],
      ["DELETE", "/api/v1/bans/192.0.2.1"],
      ["GET", "/api/v1/status"],
    ] as const;

    it("every /api/v1 route without a token is 401 unauthorized with a Bearer challenge", async () => {
      for (const [method, url] of routes) {
        const res = await h.app.inject({ method, url, payload: method === "POST" ? {} : undefined });
        assert.equal(res.statusCode, 401, `${method} ${url}`);
        assert.equal(res.json<ErrorBody>().error, "unauthorized");
        assert.match(String(res.headers["www-authenticate"]), /^Bearer realm="parley"/);
      }
    });

    it("a wrong token is 401 with error=invalid_token, and the store is untouched", async () => {
      for (const token of [`${TOKEN}x`, TOKEN.slice(0, -1), "short", "x".repeat(500)]) {
        const res = await h.app.inject({
          method: "POST",
          url: "/api/v1/users",
          headers: { authorization: `Bearer ${token}` },
          payload: { name: "intruder", password: "pw-secret" },
        });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json<ErrorBody>().error, "unauthorized");
        assert.match(String(res.headers["www-authenticate"]), /invalid_token/);
      }
      assert.equal(await h.store.users.get(1, "intruder"), undefined);
    });

    it("another scheme or a bare token is 401", async () => {
      for (const authorization of [`Basic ${TOKEN}`, TOKEN, "Bearer", `Bearer ${TOKEN} extra`]) {
        const res = await h.app.inject({ method: "GET", url: "/api/v1/status", headers: { authorization } });
        assert.equal(res.statusCode, 401, authorization);
      }
    });

    it("the scheme name is case-insensitive (RFC 7235 2.1)", async () => {
      const res = await h.app.inject({
        method: "GET",
        url: "/api/v1/status",
        headers: { authorization: `bearer ${TOKEN}` },
      });
      assert.equal(res.statusCode, 200);
    });

    it("the OpenAPI document and the docs need no token", async () => {
      assert.equal((await h.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).statusCode, 200);
      assert.equal((await h.app.inject({ method: "GET", url: "/api/docs" })).statusCode, 200);
    });

    it("an unknown route is 404 not_found in JSON", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/v1/nothing", headers: auth });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<ErrorBody>().error, "not_found");
    });
  });

  describe("/api/v1/registrations", () => {
    before(() => {
      h.registrations.add({
        id: "b1",
        domainId: 1,
        user: "100",
        contact: "sip:100@192.0.2.10:5062;transport=udp",
        transport: "udp",
        sourceAddress: "198.51.100.7",
        sourcePort: 40001,
        expiresAt: NOW + 30_500,
        userAgent: "baresip 3.10",
        instanceId: "<urn:uuid:00000000-0000-0000-0000-000000000001>",
        q: 0.5,
        path: ["<sip:edge.example.com;lr>"],
      });
      h.registrations.add({
        id: "b2",
        domainId: 1,
        user: "101",
        contact: "sip:101@[2001:db8::5]:5060",
        transport: "tcp",
        sourceAddress: "2001:db8::5",
        sourcePort: 5060,
        expiresAt: NOW + 3_600_000,
        userAgent: undefined,
        instanceId: undefined,
        q: undefined,
        path: [],
      });
    });

    it("lists live bindings with ISO expiry and seconds left", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/v1/registrations", headers: auth });
      assert.equal(res.statusCode, 200);
      const { items } = res.json<{ items: Record<string, unknown>[] }>();
      assert.equal(items.length, 2);
      assert.deepEqual(items[0], {
        id: "b1",
        domainId: 1,
        user: "100",
        contact: "sip:100@192.0.2.10:5062;transport=udp",
        transport: "udp",
        sourceAddress: "198.51.100.7",
        sourcePort: 40001,
        expiresAt: new Date(NOW + 30_500).toISOString(),
        expiresIn: 31,
        userAgent: "baresip 3.10",
        instanceId: "<urn:uuid:00000000-0000-0000-0000-000000000001>",
        q: 0.5,
        path: ["<sip:edge.example.com;lr>"],
      });
      assert.equal("userAgent" in items[1]!, false);
      assert.equal(items[1]!.expiresIn, 3600);
    });

    it("filters by user", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/v1/registrations?user=101", headers: auth });
      assert.deepEqual(
        res.json<{ items: { id: string }[] }>().items.map((r) => r.id),
        ["b2"],
      );
    });

    it("DELETE removes one binding (204), then it is 404", async () => {
      const res = await h.app.inject({ method: "DELETE", url: "/api/v1/registrations/b2", headers: auth });
      assert.equal(res.statusCode, 204);
      assert.equal(h.registrations.bindings.has("b2"), false);
      const again = await h.app.inject({ method: "DELETE", url: "/api/v1/registrations/b2", headers: auth });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json<ErrorBody>().error, "not_found");
    });
  });

  describe("/api/v1/bans", () => {
    before(() => {
      for (let i = 0; i < 3; i++) h.bans.recordFailure("192.0.2.66", "100");
      h.clock.advance(5_000);
      for (let i = 0; i < 3; i++) h.bans.recordFailure("2001:db8::66", undefined);
    });

    it("lists the bans with wall-clock times from the ban list's clock", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/v1/bans", headers: auth });
      assert.equal(res.statusCode, 200);
      const { items } = res.json<{ items: Record<string, unknown>[] }>();
      assert.equal(items.length, 2);
      // The virtual clock read 1,000,000 at the first ban, which toEpochMs maps to NOW.
      assert.deepEqual(items[0], {
        address: "192.0.2.66",
        since: new Date(CLOCK_EPOCH + 1_000_000).toISOString(),
        until: new Date(CLOCK_EPOCH + 1_600_000).toISOString(),
        expiresIn: 600,
        reason: "3 failed authentications",
        failures: 3,
      });
      assert.equal(items[1]!.address, "2001:db8::/64", "an IPv6 source is banned by its /64 (issue 22)");
      assert.equal(items[1]!.expiresIn, 605);
    });

    it("DELETE lifts a ban (204): the address is no longer banned; again is 404", async () => {
      const url = `/api/v1/bans/${encodeURIComponent("2001:db8::66")}`;
      const res = await h.app.inject({ method: "DELETE", url, headers: auth });
      assert.equal(res.statusCode, 204);
      assert.equal(h.bans.isBanned("2001:db8::66"), false);
      assert.equal(h.bans.isBanned("192.0.2.66"), true);
      const again = await h.app.inject({ method: "DELETE", url, headers: auth });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json<ErrorBody>().error, "not_found");
    });

    it("an expired ban is no longer listed", async () => {
      h.clock.advance(600_000);
      const res = await h.app.inject({ method: "GET", url: "/api/v1/bans", headers: auth });
      assert.deepEqual(res.json<{ items: unknown[] }>().items, []);
    });
  });

  describe("/api/v1/status", () => {
    it("reports version, start time, uptime, listeners and counts", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/v1/status", headers: auth });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        version: "0.1.0",
        startedAt: new Date(NOW - 90_500).toISOString(),
        uptimeSeconds: 90,
        listeners: [
          { protocol: "udp", address: "0.0.0.0", port: 5060 },
          { protocol: "tcp", address: "0.0.0.0", port: 5060 },
        ],
        counts: { users: 0, registrations: 0, bans: 0 },
      });
    });
  });
});
