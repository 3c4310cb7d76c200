/**
 * End to end (issue 21): two tenants survive a restart. Parley is stopped and started again on
 * the same data dir and ports: both tenants come back (their state, domain, own port and limits),
 * with their users (a user b added, a change a made), their phones' registrations (reloaded from
 * the store: a call reaches b's 101 registered before the restart, with no new REGISTER), their
 * own ports listening again, and their administrators' API tokens still accepted.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { TenantPhone } from "../helpers/tenant-phone.js";
import {
  reattach,
  startTwoTenants,
  type TenantHandle,
  type TwoTenants,
  twoTenants,
} from "../helpers/tenants.js";

describe("two tenants across a restart (issue 21)", () => {
  let dataDir: string;
  let first: TwoTenants;
  let again: ParleyProcess | undefined;
  const phones: TenantPhone[] = [];
  /** Each phone's registration as its tenant listed it before the restart. */
  const contacts: Record<string, string> = {};

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-tenants-restart-"));
    first = await startTwoTenants([], { dataDir });
  });
  after(async () => {
    for (const p of phones) p.close();
    await first?.parley.stop();
    await again?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function phone(x: TenantHandle, user: string, port: number): Promise<TenantPhone> {
    const p = await TenantPhone.open({ user, password: x.password(user), domain: x.domain, port });
    phones.push(p);
    return p;
  }

  it("before: phones register in both tenants, b adds a user, a changes one, a has a limit", async () => {
    const { a, b, parley } = first;
    assert.equal((await (await phone(a, "100", a.port)).register(3600)).status, 200);
    assert.equal((await (await phone(b, "101", parley.sipPort)).register(3600)).status, 200);
    assert.equal((await b.addUser("555")).status, 201);
    assert.equal((await a.api("PATCH", "/api/v1/users/101", { displayName: "A one-oh-one" })).status, 200);
    const limited = await first.provider("PATCH", "/api/v1/tenants/a", { limits: { users: 5, calls: 3 } });
    assert.equal(limited.status, 200, JSON.stringify(limited.body));
    for (const [x, user] of [
      [a, "100"],
      [b, "101"],
    ] as const) {
      const regs = await x.api("GET", "/api/v1/registrations");
      assert.equal(regs.body.items.length, 1, JSON.stringify(regs.body));
      assert.equal(regs.body.items[0].user, user);
      contacts[x.name] = regs.body.items[0].contact;
    }
  });

  it("after a restart on the same data dir: tenants, users, registrations and tokens are back", {
    timeout: 60_000,
  }, async () => {
    const { parley } = first;
    const ports = { sip: parley.sipPort, tls: parley.tlsPort, http: parley.httpPort };
    assert.equal(await parley.stop(), 0, "a clean stop");
    again = await startParley([], {}, { dataDir, ports });
    const env = twoTenants(again, reattach(again, first.a), reattach(again, first.b));
    const { a, b } = env;
    assert.ok(
      !again.logs.some((l) => l.msg === "tenant not started"),
      `every tenant started\n${again.output().slice(-3000)}`,
    );

    const listed = await env.provider("GET", "/api/v1/tenants");
    assert.equal(listed.status, 200);
    const byName = Object.fromEntries(listed.body.items.map((t: { name: string }) => [t.name, t]));
    for (const x of [a, b]) {
      const t = byName[x.name];
      assert.ok(t, `tenant ${x.name} listed: ${JSON.stringify(listed.body)}`);
      assert.equal(t.state, "active");
      assert.equal(t.domain, x.domain);
      assert.deepEqual(t.ports, { udp: x.port });
      assert.equal(t.totals.registrations, 1, `${x.name}: ${JSON.stringify(t.totals)}`);
    }
    assert.deepEqual(byName.a.limits, { users: 5, calls: 3 });
    assert.equal(byName.b.totals.users, 3);

    // The tokens given at creation still open each tenant's API, and only its own.
    const names = async (x: TenantHandle) =>
      (await x.api("GET", "/api/v1/users")).body.items.map((u: { name: string }) => u.name);
    assert.deepEqual(await names(a), ["100", "101"]);
    assert.deepEqual(await names(b), ["100", "101", "555"]);
    assert.equal((await a.api("GET", "/api/v1/users/101")).body.displayName, "A one-oh-one");
    assert.equal((await a.api("GET", "/api/v1/users/555")).status, 404);
    assert.deepEqual((await a.api("GET", "/api/v1/tenant")).body, {
      name: "a",
      domain: "a.test",
      provider: false,
    });

    // The registrations were reloaded, each in its own tenant.
    for (const [x, user] of [
      [a, "100"],
      [b, "101"],
    ] as const) {
      const regs = await x.api("GET", "/api/v1/registrations");
      assert.deepEqual(
        regs.body.items.map((r: { user: string; contact: string }) => [r.user, r.contact]),
        [[user, contacts[x.name]]],
        `${x.name}'s registrations`,
      );
    }
    // b's 101, registered before the restart and not since, is rung by b's 100 on the shared port.
    const callee = phones[1]!;
    const invites = callee.requests("INVITE").length;
    const caller = await phone(b, "100", again.sipPort);
    const call = await caller.call("101");
    assert.equal(call.response.status, 200, `${call.response.status} ${call.response.reason}`);
    assert.equal(callee.requests("INVITE").length, invites + 1, "b's 101 rang");
    assert.equal((await caller.inDialog(call.dialog!)).status, 200);
    // a's own port listens again: its phone registers there.
    assert.equal((await phones[0]!.register(3600)).status, 200);
    const aCaller = await phone(a, "101", a.port);
    const aCall = await aCaller.call("*43");
    assert.equal(aCall.response.status, 200);
    assert.equal((await aCaller.inDialog(aCall.dialog!)).status, 200);
  });
});
