/**
 * Provisioning tenants through the provider's API (issue 21): every bad field is named; a taken
 * name, domain or port is a 409; the preset users over the user limit are refused and nothing of
 * the tenant is kept; a tenant's settings route refuses the provider's settings; the web phone of
 * a tenant's user signs in by naming its domain and is told to register with it; deleting takes
 * two steps, the second only with the code of the first, and the CDRs stay readable.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePorts } from "../helpers/ports.js";
import { ADMIN_PASSWORD, callApi } from "../helpers/tenants.js";

describe("tenant provisioning (issue 21)", () => {
  let parley: ParleyProcess;
  const provider = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    callApi(parley.httpPort, parley.apiToken, method, path, body, headers);
  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    await parley?.stop();
  });

  it("names every bad field, and refuses a taken name, domain or port with 409", async () => {
    const bad = await provider("POST", "/api/v1/tenants", {
      name: "Bad Name",
      domain: "not a domain",
      ports: { udp: 70000 },
      admin: { password: "short" },
    });
    assert.equal(bad.status, 400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ["admin.password", "domain", "name", "ports.udp"]);
    const [port] = await freePorts(1);
    const ok = await provider("POST", "/api/v1/tenants", {
      name: "one",
      domain: "one.test",
      ports: { udp: port },
      admin: { password: ADMIN_PASSWORD },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    for (const body of [
      { name: "one", domain: "other.test" },
      { name: "two", domain: "ONE.test" },
      { name: "three", domain: "three.test", ports: { udp: port } },
      { name: "four", domain: "four.test", ports: { udp: parley.sipPort } },
    ]) {
      const taken = await provider("POST", "/api/v1/tenants", {
        ...body,
        admin: { password: ADMIN_PASSWORD },
      });
      assert.equal(taken.status, 409, `${JSON.stringify(body)}: ${JSON.stringify(taken.body)}`);
    }
    const names = (await provider("GET", "/api/v1/tenants")).body.items.map((t: { name: string }) => t.name);
    assert.deepEqual(names, ["one"]);
  });

  it("refuses preset users beyond the user limit and keeps nothing of the tenant", async () => {
    const res = await provider("POST", "/api/v1/tenants", {
      name: "small",
      domain: "small.test",
      limits: { users: 1 },
      admin: { password: ADMIN_PASSWORD },
      users: [
        { name: "100", password: "p100-secret" },
        { name: "101", password: "p101-secret" },
      ],
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.error, "limit_reached");
    assert.equal((await provider("GET", "/api/v1/tenants/small")).status, 404);
    assert.equal(existsSync(join(parley.dataDir, "tenants", "small")), false);
  });

  it("holds preset users to the password policy, naming each bad one inside users[i]", async () => {
    const res = await provider("POST", "/api/v1/tenants", {
      name: "weak",
      domain: "weak.test",
      admin: { password: ADMIN_PASSWORD },
      users: [
        { name: "100", password: "good-secret-100" },
        { name: "200", password: "200" },
        { name: "100", password: "good-secret-101" },
      ],
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ["users[1].password", "users[1].password", "users[2].name"]);
    assert.equal((await provider("GET", "/api/v1/tenants/weak")).status, 404);
    const bad = await provider("POST", "/api/v1/tenants", {
      name: "weak",
      domain: "weak.test",
      admin: { password: ADMIN_PASSWORD },
      users: [{ name: "not a number!", password: "good-secret-100" }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.errors[0].field, /^users\[0\]\./);
  });

  it("the provider resets a tenant administrator's password: its sign-ins end, the new one signs in", async () => {
    const created = await provider("POST", "/api/v1/tenants", {
      name: "reset",
      domain: "reset.test",
      admin: { password: ADMIN_PASSWORD },
    });
    assert.equal(created.status, 201);
    const signIn = (password: string) =>
      fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-tenant": "reset" },
        body: JSON.stringify({ password }),
      });
    const first = await signIn(ADMIN_PASSWORD);
    assert.equal(first.status, 201);
    const session = ((await first.json()) as { token: string }).token;
    const asSession = () =>
      callApi(parley.httpPort, session, "GET", "/api/v1/tenant", undefined, { "x-parley-tenant": "reset" });
    assert.deepEqual((await asSession()).body, { name: "reset", domain: "reset.test", provider: false });
    const scoped = await provider("GET", "/api/v1/tenant", undefined, { "x-parley-tenant": "reset" });
    assert.deepEqual(
      scoped.body,
      { name: "reset", domain: "reset.test", provider: true },
      "the provider inside a tenant",
    );
    const changed = await provider("PATCH", "/api/v1/tenants/reset", {
      admin: { password: "a-new-admin-pw" },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await asSession()).status, 401, "the old sign-in ended");
    assert.equal((await signIn(ADMIN_PASSWORD)).status, 401);
    assert.equal((await signIn("a-new-admin-pw")).status, 201);
  });

  it("a tenant may not change the provider's settings; its phone registers with its domain", async () => {
    const created = await provider("POST", "/api/v1/tenants", {
      name: "acme",
      domain: "acme.test",
      admin: { password: ADMIN_PASSWORD },
      users: [{ name: "100", password: "acme-100-secret" }],
    });
    assert.equal(created.status, 201);
    const token = created.body.apiToken as string;
    const csv = await callApi(parley.httpPort, token, "PATCH", "/api/v1/system-settings", {
      cdrCsvDir: "/tmp/x",
    });
    assert.equal(csv.status, 400);
    assert.equal(csv.body.errors[0].field, "cdrCsvDir");
    const own = await callApi(parley.httpPort, token, "PATCH", "/api/v1/system-settings", {
      noAnswerTime: 25,
    });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const phone = await fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/phone/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-domain": "acme.test" },
      body: JSON.stringify({ user: "100", password: "acme-100-secret" }),
    });
    assert.equal(phone.status, 201);
    const { token: phoneToken } = (await phone.json()) as { token: string };
    const me = await fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/phone/me`, {
      headers: { authorization: `Bearer ${phoneToken}`, "x-parley-domain": "acme.test" },
    });
    const body = (await me.json()) as { user: string; sipHost: string; realm: string };
    assert.equal(body.sipHost, "acme.test");
    assert.equal(body.realm, "acme.test");
    // Without the domain, the same credentials are the default tenant's: refused.
    const wrong = await fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/phone/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "100", password: "acme-100-secret" }),
    });
    assert.equal(wrong.status, 401);
  });

  it("deletes in two steps, only with the first step's code, and keeps the CDRs readable", async () => {
    const first = await provider("DELETE", "/api/v1/tenants/one");
    assert.equal(first.status, 202);
    assert.match(first.body.confirm, /^[0-9a-f]{12}$/);
    assert.equal((await provider("GET", "/api/v1/tenants/one")).body.state, "active", "nothing removed yet");
    const wrong = await provider("DELETE", "/api/v1/tenants/one?confirm=000000000000");
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errors[0].field, "confirm");
    const done = await provider("DELETE", `/api/v1/tenants/one?confirm=${first.body.confirm}`);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.state, "deleted");
    const keptDays = (Date.parse(done.body.cdrsKeptUntil) - Date.now()) / 86_400_000;
    assert.ok(keptDays > 89 && keptDays <= 90, `kept ${keptDays} days`);
    const listed = (await provider("GET", "/api/v1/tenants")).body.items.find(
      (t: { name: string }) => t.name === "one",
    );
    assert.equal(listed.state, "deleted");
    assert.equal((await provider("GET", "/api/v1/tenants/one/cdrs")).status, 200);
    assert.equal(
      (await provider("GET", "/api/v1/users", undefined, { "x-parley-tenant": "one" })).status,
      404,
    );
    assert.equal(existsSync(join(parley.dataDir, "tenants", "one")), false, "its files are gone");
  });
});
