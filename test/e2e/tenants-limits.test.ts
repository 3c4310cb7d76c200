/**
 * End to end (issue 21 acceptance: "the user and concurrent-call limits of a tenant are enforced
 * with clear errors while the other tenant is unaffected; a suspended tenant's phones get 403 and
 * its calls are refused"): two tenants in one `parley start`, scripted phones on both the
 * tenant's own port and the shared one.
 * - limits.users = 2 in a (which has 100 and 101): a third user through a's API is 409
 *   limit_reached naming the limit (also by a percent-encoded path); b creates users as before.
 * - limits.lines = 1 in a: a second trunk or line is 409 limit_reached; b creates several.
 * - limits.calls = 1 in a: a second call while one is up gets 503 Tenant Call Limit Reached; b
 *   holds two at once; once a's call ends, a calls again.
 * - POST /tenants/a/suspend: a's REGISTER and INVITE get 403 Tenant Suspended on either port, a
 *   call under way still ends cleanly, b is served; resume restores a.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTwoTenants } from "../helpers/tenants.js";

describe("tenant limits and suspension, end to end (issue 21)", () => {
  const env = useTwoTenants();

  const phone = env.phone;

  async function limits(name: string, value: Record<string, number>): Promise<void> {
    const res = await env.provider("PATCH", `/api/v1/tenants/${name}`, { limits: value });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.limits, value);
  }

  it("limits.users = 2: a's third user is 409 limit_reached; b still creates users", async () => {
    const { a, b } = env;
    await limits("a", { users: 2 });
    const refused = await a.addUser("102");
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error, "limit_reached");
    assert.match(refused.body.message, /tenant a allows 2 users/);
    // The same route by a percent-encoded path meets the same limit.
    const encoded = await a.api("POST", "/api/v1/%75sers", { name: "104", password: "a-104-Secret9" });
    assert.equal(encoded.status, 409, `POST /api/v1/%75sers: ${JSON.stringify(encoded.body)}`);
    // The provider acting in a meets the same limit.
    const viaProvider = await env.provider(
      "POST",
      "/api/v1/users",
      { name: "103", password: "a-103-Secret9" },
      "a",
    );
    assert.equal(viaProvider.status, 409, JSON.stringify(viaProvider.body));
    const users = await a.api("GET", "/api/v1/users");
    assert.deepEqual(
      users.body.items.map((u: { name: string }) => u.name),
      ["100", "101"],
    );
    const created = await b.addUser("102");
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const listed = await env.provider("GET", "/api/v1/tenants");
    const totals = Object.fromEntries(
      listed.body.items.map((t: { name: string; totals: { users: number } }) => [t.name, t.totals.users]),
    );
    assert.equal(totals.a, 2);
    assert.equal(totals.b, 3);
  });

  it("limits.lines = 1: a's second line or trunk is 409 limit_reached; b still creates them", async () => {
    const { a, b } = env;
    await limits("a", { users: 2, lines: 1 });
    const trunk = (id: string) => ({ trunkId: id, address: "127.0.0.1", port: 9 });
    const line = { account: "second", server: "127.0.0.1", serverPort: 9, doNotRegister: true };
    assert.equal((await a.api("POST", "/api/v1/sip-trunks", trunk("first"))).status, 201);
    for (const [path, body] of [
      ["/api/v1/sip-trunks", trunk("second")],
      ["/api/v1/external-lines", line],
      ["/api/v1/sip-%74runks", trunk("third")],
    ] as const) {
      const res = await a.api("POST", path, body);
      assert.equal(res.status, 409, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, "limit_reached");
      assert.match(res.body.message, /tenant a allows 1 lines and trunks/);
    }
    assert.deepEqual(
      (await a.api("GET", "/api/v1/sip-trunks")).body.items.map((t: { trunkId: string }) => t.trunkId),
      ["first"],
    );
    assert.equal((await a.api("GET", "/api/v1/external-lines")).body.items.length, 0);
    for (const id of ["first", "second"])
      assert.equal((await b.api("POST", "/api/v1/sip-trunks", trunk(id))).status, 201);
    assert.equal((await b.api("POST", "/api/v1/external-lines", line)).status, 201);
    for (const x of [a, b]) {
      const trunks = (await x.api("GET", "/api/v1/sip-trunks")).body.items as Array<{ trunkId: string }>;
      for (const t of trunks)
        assert.equal((await x.api("DELETE", `/api/v1/sip-trunks/${t.trunkId}`)).status, 204);
    }
  });

  it("limits.calls = 1: a's second concurrent call gets 503 while b holds two; a calls again after", {
    timeout: 30_000,
  }, async () => {
    const { a, b } = env;
    await limits("a", { users: 2, calls: 1 });
    for (const x of [a, b]) assert.equal((await (await phone(x, "101")).register()).status, 200);

    const first = await (await phone(a, "100")).call("101");
    assert.equal(first.response.status, 200, `${first.response.status} ${first.response.reason}`);
    for (const [port, where] of [
      [a.port, "a's own port"],
      [env.parley.sipPort, "the shared port"],
    ] as const) {
      const second = await (await phone(a, "100", port)).call("*43");
      assert.equal(
        second.response.status,
        503,
        `${where}: ${second.response.status} ${second.response.reason}`,
      );
      assert.equal(second.response.reason, "Tenant Call Limit Reached");
    }
    const aCalls = await a.api("GET", "/api/v1/calls");
    assert.equal(aCalls.body.items.length, 1, JSON.stringify(aCalls.body));

    // b is not limited: two calls at once while a is at its limit.
    const bCaller = await phone(b, "100");
    const b1 = await bCaller.call("101");
    const b2 = await (await phone(b, "100")).call("*43");
    assert.equal(b1.response.status, 200, `b's first: ${b1.response.status}`);
    assert.equal(b2.response.status, 200, `b's second: ${b2.response.status}`);
    const bCalls = await b.api("GET", "/api/v1/calls");
    assert.equal(bCalls.body.items.length, 2, JSON.stringify(bCalls.body));
    for (const c of [b1, b2])
      assert.equal(
        (await env.phones.find((p) => p.dialogs.includes(c.dialog!))!.inDialog(c.dialog!)).status,
        200,
      );

    // a's call ends: a new one goes through.
    const aCaller = env.phones.find((p) => p.dialogs.includes(first.dialog!))!;
    assert.equal((await aCaller.inDialog(first.dialog!)).status, 200);
    const again = await (await phone(a, "100")).call("*43");
    assert.equal(again.response.status, 200, `${again.response.status} ${again.response.reason}`);
    assert.equal((await env.phones.at(-1)!.inDialog(again.dialog!)).status, 200);
    await limits("a", {});
  });

  it("a suspended tenant: REGISTER and INVITE get 403 on both ports, b is served; resume restores a", {
    timeout: 30_000,
  }, async () => {
    const { a, b } = env;
    // A call under way when a is suspended.
    assert.equal((await (await phone(a, "101")).register()).status, 200);
    const up = await (await phone(a, "100")).call("101");
    assert.equal(up.response.status, 200);
    const suspended = await env.provider("POST", "/api/v1/tenants/a/suspend");
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    assert.equal(suspended.body.state, "suspended");
    assert.equal((await env.provider("GET", "/api/v1/tenants/a")).body.state, "suspended");

    for (const port of [a.port, env.parley.sipPort]) {
      const p = await phone(a, "100", port);
      const reg = await p.register();
      assert.equal(reg.status, 403, `REGISTER on ${port}: ${reg.status} ${reg.reason}`);
      assert.equal(reg.reason, "Tenant Suspended");
      const inv = await p.call("101");
      assert.equal(inv.response.status, 403, `INVITE on ${port}: ${inv.response.status}`);
      assert.equal(inv.response.reason, "Tenant Suspended");
    }
    // The call under way ends cleanly (a request inside its dialog passes).
    const holder = env.phones.find((p) => p.dialogs.includes(up.dialog!))!;
    assert.equal((await holder.inDialog(up.dialog!)).status, 200, "BYE of the call under way");

    for (const port of [b.port, env.parley.sipPort]) {
      const p = await phone(b, "100", port);
      assert.equal((await p.register()).status, 200, `b registers on ${port}`);
      const call = await p.call("*43");
      assert.equal(call.response.status, 200, `b calls on ${port}: ${call.response.status}`);
      assert.equal((await p.inDialog(call.dialog!)).status, 200);
    }

    const resumed = await env.provider("POST", "/api/v1/tenants/a/resume");
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.state, "active");
    for (const port of [a.port, env.parley.sipPort]) {
      const p = await phone(a, "100", port);
      assert.equal((await p.register()).status, 200, `a registers again on ${port}`);
      const call = await p.call("101");
      assert.equal(call.response.status, 200, `a calls again on ${port}: ${call.response.status}`);
      assert.equal((await p.inDialog(call.dialog!)).status, 200);
    }
  });
});
