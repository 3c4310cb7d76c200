/** /api/v1/users over a real SQLite store: CRUD, validation that names the field, paging, search. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auth, type Harness, startHarness } from "./fixtures.js";

interface ErrorBody {
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

interface UserBody {
  name: string;
  displayName: string;
  forwarding: { busy: { enabled: boolean; number: string } };
  followMe: { strategy: number; interval: number; destinations: string[] };
  multiDevice: boolean;
  maxDevices: number;
  ipAuthorization: string[];
  [key: string]: unknown;
}

describe("/api/v1/users", () => {
  let h: Harness;
  let domainId: number;

  const call = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  const fields = (body: ErrorBody) => (body.errors ?? []).map((e) => e.field);

  before(async () => {
    h = await startHarness();
    domainId = (await h.store.domains.getDefault()).id;
  });
  after(() => h.close());

  describe("POST", () => {
    it("creates a user with defaults: 201, Location, the whole user without any password", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "200",
        password: "s3cret-pw",
        displayName: "Alice",
      });
      assert.equal(res.statusCode, 201);
      assert.equal(res.headers.location, "/api/v1/users/200");
      const user = res.json<UserBody>();
      assert.equal(user.name, "200");
      assert.equal(user.displayName, "Alice");
      assert.equal(user.maxDevices, 3);
      assert.deepEqual(user.forwarding.busy, { enabled: false, number: "" });
      assert.equal(user.domainId, domainId);
      assert.equal("password" in user, false);
      assert.equal(
        Object.keys(user).some((k) => /ha1|password/i.test(k)),
        false,
      );
      assert.ok(await h.store.users.getAuth(domainId, "200"));
    });

    it("a duplicate name is 409 conflict", async () => {
      const res = await call("POST", "/api/v1/users", { name: "200", password: "other-secret" });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json<ErrorBody>().error, "conflict");
    });

    it("a missing required property is 400 naming it (schema level)", async () => {
      const res = await call("POST", "/api/v1/users", { name: "201" });
      assert.equal(res.statusCode, 400);
      const body = res.json<ErrorBody>();
      assert.equal(body.error, "validation");
      assert.deepEqual(fields(body), ["password"]);
      assert.match(body.message, /password/);
    });

    it("a wrong type deep inside is 400 naming the dotted path (schema level)", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        forwarding: { busy: { number: 200 } },
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["forwarding.busy.number"]);
    });

    it("an array element is named with its index (schema level)", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        followMe: { destinations: ["100", "not a number"] },
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["followMe.destinations[1]"]);
    });

    it("an unknown field is 400 naming it, not silently dropped", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        forwarding: { busy: { enabled: false, colour: "red" } },
      });
      assert.equal(res.statusCode, 400);
      const body = res.json<ErrorBody>();
      assert.deepEqual(fields(body), ["forwarding.busy.colour"]);
      assert.equal(body.errors?.[0]?.message, "unknown field");
    });

    it("body values are not coerced: a string for an integer is 400", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        maxDevices: "5",
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["maxDevices"]);
    });

    it("every bad field is reported at once", async () => {
      const res = await call("POST", "/api/v1/users", {
        password: "pw-secret",
        callRight: -1,
        multiDevice: "yes",
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()).sort(), ["callRight", "multiDevice", "name"]);
    });

    it("a bad e-mail address is 400 naming the field (store level)", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        email: "nobody",
      });
      assert.equal(res.statusCode, 400);
      const body = res.json<ErrorBody>();
      assert.equal(body.error, "validation");
      assert.deepEqual(fields(body), ["email"]);
    });

    it("a bad address in ipAuthorization is 400 naming its index (store level)", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        ipAuthorization: ["192.0.2.0/24", "nowhere"],
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["ipAuthorization[1]"]);
    });

    it("a bad e-mail is 400 naming email (store level)", async () => {
      const res = await call("POST", "/api/v1/users", {
        name: "201",
        password: "pw-secret",
        email: "nobody",
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["email"]);
    });

    it("malformed JSON is 400 bad_request", async () => {
      const res = await h.app.inject({
        method: "POST",
        url: "/api/v1/users",
        headers: { ...auth, "content-type": "application/json" },
        payload: "{not json",
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json<ErrorBody>().error, "bad_request");
    });

    it("a body that is not JSON is 415 unsupported_media_type", async () => {
      const res = await h.app.inject({
        method: "POST",
        url: "/api/v1/users",
        headers: { ...auth, "content-type": "application/xml" },
        payload: "<user/>",
      });
      assert.equal(res.statusCode, 415);
      assert.equal(res.json<ErrorBody>().error, "unsupported_media_type");
    });

    it("text/plain is not JSON either: 415 naming the type (issue 23; it was a 400 about the body's shape)", async () => {
      const res = await h.app.inject({
        method: "POST",
        url: "/api/v1/users",
        headers: { ...auth, "content-type": "text/plain" },
        payload: "name=201",
      });
      assert.equal(res.statusCode, 415);
      assert.deepEqual(res.json<ErrorBody>(), {
        error: "unsupported_media_type",
        message: "the body must be application/json, not text/plain",
      });
    });

    it("a DELETE with a JSON Content-Type and no body is accepted (issue 23; it was 400)", async () => {
      await call("POST", "/api/v1/users", { name: "299", password: "a-long-secret" });
      const res = await h.app.inject({
        method: "DELETE",
        url: "/api/v1/users/299",
        headers: { ...auth, "content-type": "application/json" },
      });
      assert.equal(res.statusCode, 204);
    });
  });

  describe("GET one", () => {
    it("returns the user", async () => {
      const res = await call("GET", "/api/v1/users/200");
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<UserBody>().displayName, "Alice");
    });

    it("an unknown user is 404 not_found", async () => {
      const res = await call("GET", "/api/v1/users/999");
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<ErrorBody>().error, "not_found");
    });
  });

  describe("PATCH", () => {
    it("changes only the fields given, merging nested objects", async () => {
      const res = await call("PATCH", "/api/v1/users/200", {
        forwarding: { busy: { enabled: true, number: "300" } },
        followMe: { strategy: 2 },
        multiDevice: true,
      });
      assert.equal(res.statusCode, 200);
      const user = res.json<UserBody>();
      assert.deepEqual(user.forwarding.busy, { enabled: true, number: "300" });
      assert.equal(user.followMe.strategy, 2);
      assert.equal(user.followMe.interval, 20);
      assert.equal(user.displayName, "Alice");
      assert.equal(user.multiDevice, true);
    });

    it("clearing an enabled forwarding's number keeps the right (the user sets it again by *90*number#)", async () => {
      const res = await call("PATCH", "/api/v1/users/200", { forwarding: { busy: { number: "" } } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json<UserBody>().forwarding.busy, { enabled: true, number: "" });
    });

    it("doNotDisturb is off by default and set like any flag; a non-boolean is 400 naming it", async () => {
      assert.equal((await call("GET", "/api/v1/users/200")).json<UserBody>().doNotDisturb, false);
      const on = await call("PATCH", "/api/v1/users/200", { doNotDisturb: true });
      assert.equal(on.statusCode, 200);
      assert.equal(on.json<UserBody>().doNotDisturb, true);
      const bad = await call("PATCH", "/api/v1/users/200", { doNotDisturb: "yes" });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(fields(bad.json<ErrorBody>()), ["doNotDisturb"]);
      assert.equal((await call("PATCH", "/api/v1/users/200", { doNotDisturb: false })).statusCode, 200);
    });

    it("a new password changes the stored digest hashes and is not returned", async () => {
      const before = await h.store.users.getAuth(domainId, "200");
      const res = await call("PATCH", "/api/v1/users/200", { password: "n3w-secret" });
      assert.equal(res.statusCode, 200);
      assert.equal("password" in res.json<UserBody>(), false);
      assert.notDeepEqual(await h.store.users.getAuth(domainId, "200"), before);
    });

    it("the unchanged name in a patch is no rename (needs no password)", async () => {
      const res = await call("PATCH", "/api/v1/users/200", { name: "200", displayName: "Alice B" });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<UserBody>().displayName, "Alice B");
    });

    it("a rename without a new password is 400 naming password", async () => {
      const res = await call("PATCH", "/api/v1/users/200", { name: "210" });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["password"]);
    });

    it("a rename onto an existing name is 409", async () => {
      assert.equal(
        (await call("POST", "/api/v1/users", { name: "202", password: "pw-secret" })).statusCode,
        201,
      );
      const res = await call("PATCH", "/api/v1/users/202", { name: "200", password: "pw-secret" });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json<ErrorBody>().error, "conflict");
    });

    it("an unknown user is 404", async () => {
      const res = await call("PATCH", "/api/v1/users/999", { displayName: "x" });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<ErrorBody>().error, "not_found");
    });
  });

  describe("PUT", () => {
    it("replaces the settings: fields not given return to their defaults, the password stays", async () => {
      const authBefore = await h.store.users.getAuth(domainId, "200");
      const res = await call("PUT", "/api/v1/users/200", { displayName: "Replaced", maxDevices: 7 });
      assert.equal(res.statusCode, 200);
      const user = res.json<UserBody>();
      assert.equal(user.displayName, "Replaced");
      assert.equal(user.maxDevices, 7);
      assert.equal(user.multiDevice, false);
      assert.deepEqual(user.forwarding.busy, { enabled: false, number: "" });
      assert.equal(user.followMe.strategy, 0);
      assert.deepEqual(await h.store.users.getAuth(domainId, "200"), authBefore);
    });

    it("an unknown user is 404", async () => {
      const res = await call("PUT", "/api/v1/users/999", { displayName: "x" });
      assert.equal(res.statusCode, 404);
    });
  });

  describe("DELETE", () => {
    it("removes the user: 204, then GET and DELETE are 404", async () => {
      assert.equal(
        (await call("POST", "/api/v1/users", { name: "gone", password: "pw-secret" })).statusCode,
        201,
      );
      const res = await call("DELETE", "/api/v1/users/gone");
      assert.equal(res.statusCode, 204);
      assert.equal(res.body, "");
      assert.equal((await call("GET", "/api/v1/users/gone")).statusCode, 404);
      assert.equal((await call("DELETE", "/api/v1/users/gone")).statusCode, 404);
    });
  });

  describe("live registrations of a deleted or renamed user", () => {
    const binding = (id: string, user: string, domainId = 1) => ({
      id,
      domainId,
      user,
      contact: `sip:${user}@192.0.2.1`,
      transport: "udp",
      sourceAddress: "192.0.2.1",
      sourcePort: 5060,
      expiresAt: Date.now() + 60_000,
      userAgent: undefined,
      instanceId: undefined,
      q: undefined,
      path: [],
    });

    it("DELETE removes the user's live bindings, and only those", async () => {
      assert.equal(
        (await call("POST", "/api/v1/users", { name: "700", password: "pw-secret" })).statusCode,
        201,
      );
      h.registrations.add(binding("a", "700"));
      h.registrations.add(binding("b", "700", 2));
      h.registrations.add(binding("c", "200"));
      assert.equal((await call("DELETE", "/api/v1/users/700")).statusCode, 204);
      assert.deepEqual([...h.registrations.bindings.keys()].sort(), ["b", "c"]);
    });

    it("a rename removes the old name's live bindings", async () => {
      assert.equal(
        (await call("POST", "/api/v1/users", { name: "701", password: "pw-secret" })).statusCode,
        201,
      );
      h.registrations.add(binding("d", "701"));
      const res = await call("PATCH", "/api/v1/users/701", { name: "702", password: "pw2-secret" });
      assert.equal(res.statusCode, 200);
      assert.equal(h.registrations.bindings.has("d"), false);
      assert.equal((await call("DELETE", "/api/v1/users/702")).statusCode, 204);
      h.registrations.bindings.clear();
    });
  });

  describe("GET list", () => {
    before(async () => {
      for (let i = 1; i <= 12; i++) {
        const name = `5${String(i).padStart(2, "0")}`;
        const displayName = i % 3 === 0 ? `Sales ${i}` : `Support ${i}`;
        const res = await call("POST", "/api/v1/users", { name, password: "pw-secret", displayName });
        assert.equal(res.statusCode, 201);
      }
    });

    interface Page {
      items: UserBody[];
      total: number;
      offset: number;
      limit: number;
    }

    it("pages by offset and limit, in name order, with the total", async () => {
      const first = (await call("GET", "/api/v1/users?offset=0&limit=5")).json<Page>();
      const second = (await call("GET", "/api/v1/users?offset=5&limit=5")).json<Page>();
      assert.equal(first.total, 14);
      assert.equal(first.offset, 0);
      assert.equal(first.limit, 5);
      assert.deepEqual(
        first.items.map((u) => u.name),
        ["200", "202", "501", "502", "503"],
      );
      assert.deepEqual(
        second.items.map((u) => u.name),
        ["504", "505", "506", "507", "508"],
      );
      assert.equal(second.offset, 5);
    });

    it("defaults to offset 0 and limit 100", async () => {
      const page = (await call("GET", "/api/v1/users")).json<Page>();
      assert.equal(page.offset, 0);
      assert.equal(page.limit, 100);
      assert.equal(page.items.length, 14);
    });

    it("searches names and display names, case-insensitively", async () => {
      const sales = (await call("GET", "/api/v1/users?search=SALES")).json<Page>();
      assert.deepEqual(
        sales.items.map((u) => u.name),
        ["503", "506", "509", "512"],
      );
      assert.equal(sales.total, 4);
      const byName = (await call("GET", "/api/v1/users?search=51&limit=1")).json<Page>();
      assert.equal(byName.total, 3);
      assert.deepEqual(
        byName.items.map((u) => u.name),
        ["510"],
      );
    });

    it("a search of LIKE wildcards matches them literally", async () => {
      const page = (await call("GET", "/api/v1/users?search=%25")).json<Page>();
      assert.equal(page.total, 0);
    });

    it("a limit over 1000 is 400 naming limit", async () => {
      const res = await call("GET", "/api/v1/users?limit=1001");
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["limit"]);
    });

    it("a non-numeric offset is 400 naming offset", async () => {
      const res = await call("GET", "/api/v1/users?offset=abc");
      assert.equal(res.statusCode, 400);
      assert.deepEqual(fields(res.json<ErrorBody>()), ["offset"]);
    });
  });
});
