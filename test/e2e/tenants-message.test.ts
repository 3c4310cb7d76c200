/**
 * End to end (issue 21: "nothing afterwards can reach another tenant's users"): instant messages
 * (RFC 3428 MESSAGE) between the same numbers in two tenants of one `parley start`. Both tenants'
 * 101 are registered from the same host on the shared port; each tenant's 100 messages `101` and
 * only its own 101 gets the text. a's 100 naming b's domain gets no message to b's 101, on the
 * shared port (b does not take a's credentials) nor on a's own port (a keeps its requests).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { TenantPhone } from "../helpers/tenant-phone.js";
import { sleep, type TenantHandle, useTwoTenants } from "../helpers/tenants.js";

describe("instant messages stay inside their tenant (issue 21)", () => {
  const env = useTwoTenants();
  const inbox: Record<string, TenantPhone> = {};

  before(async () => {
    for (const x of [env.a, env.b]) {
      inbox[x.name] = await phone(x, "101", env.parley.sipPort);
      assert.equal((await inbox[x.name]!.register()).status, 200);
    }
  });
  const phone = (x: TenantHandle, user: string, port: number) => env.phone(x, user, port);

  /** The texts a tenant's 101 received so far. */
  const texts = (name: string) => inbox[name]!.requests("MESSAGE").map((m) => m.body.toString());

  it("each tenant's 100 messages 101: its own 101 gets the text, the other tenant's nothing", async () => {
    for (const x of [env.a, env.b]) {
      const sender = await phone(x, "100", env.parley.sipPort);
      const res = await sender.message("101", `hello from ${x.name}`);
      assert.equal(res.status, 200, `${x.name}: ${res.status} ${res.reason}`);
      await inbox[x.name]!.waitFor(
        (m) => m.method === "MESSAGE" && m.body.toString() === `hello from ${x.name}`,
      );
    }
    assert.deepEqual(texts("a"), ["hello from a"]);
    assert.deepEqual(texts("b"), ["hello from b"]);
  });

  it("a's 100 naming b's domain reaches no one of b, on the shared port or a's own", async () => {
    const { a, b, parley } = env;
    for (const port of [parley.sipPort, a.port]) {
      const sender = await phone(a, "100", port);
      const res = await sender.message("101", `for b via ${port}`, b.domain);
      if (port === parley.sipPort) assert.ok(res.status >= 400, `shared port: ${res.status} ${res.reason}`);
    }
    // Half a second more, on purpose: a message let through would have arrived.
    await sleep(500);
    assert.deepEqual(texts("b"), ["hello from b"], "b's 101 got only b's message");
  });
});
