/**
 * End to end (issue 21: a tenant on the shared ports is "told apart by the host of the
 * Request-URI, else To"): a tenant whose SIP domain the provider changes (PATCH /tenants/a
 * `{ domain }`) is reached on the shared port by its new domain only. Its phones register with the
 * new domain; a REGISTER naming the old one is not a's any more (it goes where any unknown
 * domain goes, the provider's own PBX, where a's credentials open nothing); its own port and the
 * other tenant are unaffected. A suspended tenant stays suspended across the change. A tenant
 * whose own port changes is served on the new one, no longer on the old one, with its
 * registrations kept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isPortBound } from "../helpers/port-bound.js";
import { freePort } from "../helpers/ports.js";
import { TenantPhone } from "../helpers/tenant-phone.js";
import { useTwoTenants } from "../helpers/tenants.js";

describe("a tenant's SIP domain and own port changed by the provider (issue 21)", () => {
  const env = useTwoTenants();

  async function register(domain: string, port: number, password: string, user = "100") {
    const p = env.track(await TenantPhone.open({ user, password, domain, port }));
    return p.register();
  }

  it("the shared port knows a by its new domain only; a's own port and b are unaffected", async () => {
    const { a, b, parley } = env;
    const changed = await env.provider("PATCH", "/api/v1/tenants/a", { domain: "a2.test" });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.domain, "a2.test");

    const renamed = await register("a2.test", parley.sipPort, a.password("100"));
    assert.equal(renamed.status, 200, `REGISTER 100@a2.test: ${renamed.status} ${renamed.reason}`);
    const old = await register("a.test", parley.sipPort, a.password("100"));
    assert.notEqual(old.status, 200, `REGISTER 100@a.test after the change: ${old.status} ${old.reason}`);
    const regs = await a.api("GET", "/api/v1/registrations");
    assert.equal(regs.body.items.length, 1, `a holds the a2.test phone only: ${JSON.stringify(regs.body)}`);
    // The provider's own PBX did not take a's credentials either.
    const own = await env.provider("GET", "/api/v1/registrations");
    assert.deepEqual(own.body.items, [], JSON.stringify(own.body));

    assert.equal((await register("a2.test", a.port, a.password("101"), "101")).status, 200, "a's own port");
    assert.equal((await register("b.test", parley.sipPort, b.password("100"))).status, 200, "b");
  });

  it("a suspended tenant whose domain changes stays suspended", async () => {
    const { a } = env;
    assert.equal((await env.provider("POST", "/api/v1/tenants/a/suspend")).status, 200);
    const changed = await env.provider("PATCH", "/api/v1/tenants/a", { domain: "a3.test" });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.state, "suspended");
    const res = await register("a3.test", env.parley.sipPort, a.password("100"));
    assert.equal(res.status, 403, `${res.status} ${res.reason}`);
    assert.equal((await env.provider("POST", "/api/v1/tenants/a/resume")).status, 200);
    assert.equal((await register("a3.test", env.parley.sipPort, a.password("100"))).status, 200);
  });

  it("its own port changed: served on the new one, the old one closed, its registrations kept", {
    timeout: 30_000,
  }, async () => {
    const { a, b, parley } = env;
    const domain = (await env.provider("GET", "/api/v1/tenants/a")).body.domain;
    const stays = await TenantPhone.open({
      user: "101",
      password: a.password("101"),
      domain,
      port: parley.sipPort,
    });
    env.track(stays);
    assert.equal((await stays.register()).status, 200);
    const port = await freePort();
    const moved = await env.provider("PATCH", "/api/v1/tenants/a", { ports: { udp: port } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body.ports, { udp: port });
    assert.equal((await register(domain, port, a.password("100"))).status, 200, "the new port");
    const pid = parley.proc.pid!;
    assert.equal(await isPortBound(a.port, "udp", pid), false, "Parley no longer holds the old port");
    assert.equal(await isPortBound(port, "udp", pid), true, "Parley holds the new port");
    // The PBX started again on the new port with the registrations it had: 101 is rung.
    const caller = await TenantPhone.open({ user: "100", password: a.password("100"), domain, port });
    env.track(caller);
    const call = await caller.call("101");
    assert.equal(call.response.status, 200, `${call.response.status} ${call.response.reason}`);
    assert.equal(stays.requests("INVITE").length, 1);
    assert.equal((await caller.inDialog(call.dialog!)).status, 200);
    assert.equal((await register("b.test", b.port, b.password("100"))).status, 200, "b's own port");
  });
});
