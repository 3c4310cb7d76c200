/**
 * End to end (issue 21): two tenants survive a restart. Parley is stopped and started again on
 * the same data dir and ports: both tenants come back (their state, domain, own port and limits),
 * with their users (a user b added, a change a made), their phones' registrations (reloaded from
 * the store: a call reaches b's 101 registered before the restart, with no new REGISTER), their
 * own ports listening again, their administrators' API tokens still accepted (b's rotated one,
 * not the one before it), what each administrator set (SMTP, an uploaded prompt), and a
 * suspended tenant suspended.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { TenantPhone } from "../helpers/tenant-phone.js";
import {
  callApi,
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
  /** b's token before it was rotated. */
  let oldToken = "";

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
    const smtp = await a.api("PUT", "/api/v1/smtp", {
      host: "127.0.0.1",
      port: 2525,
      from: "PBX a <pbx@a.test>",
    });
    assert.equal(smtp.status, 200, JSON.stringify(smtp.body));
    const prompt = await a.api("PUT", "/api/v1/prompts/en/prompt-test", silenceWav(1));
    assert.equal(prompt.status, 200, JSON.stringify(prompt.body));
    // b's administrator gets a new token: the old one stops at once.
    oldToken = b.token;
    const rotated = await first.provider("POST", "/api/v1/tenants/b/token");
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    b.token = rotated.body.apiToken;
    assert.equal((await callApi(parley.httpPort, oldToken, "GET", "/api/v1/users")).status, 401);
    assert.equal((await b.api("GET", "/api/v1/users")).status, 200);
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
    assert.equal(
      (await callApi(again.httpPort, oldToken, "GET", "/api/v1/users")).status,
      401,
      "b's old token",
    );
    // What each administrator set is its tenant's still.
    const smtp = await a.api("GET", "/api/v1/smtp");
    assert.equal(smtp.body.from, "PBX a <pbx@a.test>");
    assert.notEqual((await b.api("GET", "/api/v1/smtp")).body.from, "PBX a <pbx@a.test>");
    const replaced = async (x: TenantHandle) =>
      (await x.api("GET", "/api/v1/prompts?lang=en")).body.items.find(
        (p: { name: string }) => p.name === "prompt-test",
      ).replaced;
    assert.equal(await replaced(a), true);
    assert.equal(await replaced(b), false);

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

  it("a tenant suspended before a restart is suspended after it; resume restores it", {
    timeout: 60_000,
  }, async () => {
    const before = twoTenants(again!, reattach(again!, first.a), reattach(again!, first.b));
    assert.equal((await before.provider("POST", "/api/v1/tenants/a/suspend")).status, 200);
    const ports = { sip: again!.sipPort, tls: again!.tlsPort, http: again!.httpPort };
    assert.equal(await again!.stop(), 0);
    again = await startParley([], {}, { dataDir, ports });
    const env = twoTenants(again, reattach(again, first.a), reattach(again, first.b));
    assert.equal((await env.provider("GET", "/api/v1/tenants/a")).body.state, "suspended");
    const aPhone = await phone(env.a, "100", env.a.port);
    const refused = await aPhone.register();
    assert.equal(refused.status, 403, `${refused.status} ${refused.reason}`);
    assert.equal((await (await phone(env.b, "100", again.sipPort)).register()).status, 200, "b is served");
    assert.equal((await env.provider("POST", "/api/v1/tenants/a/resume")).status, 200);
    assert.equal((await aPhone.register()).status, 200);
  });
});

/** A WAV of `seconds` of silence, 8 kHz mono 16-bit PCM (what the prompt upload takes). */
function silenceWav(seconds: number): Buffer {
  const data = 8000 * 2 * seconds;
  const wav = Buffer.alloc(44 + data);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + data, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(data, 40);
  return wav;
}
