/**
 * End to end (issue 21 acceptance: "BLF never leaks across tenants"): two tenants in one
 * `parley start`, both with 100 and 101, their phones on the port they share. In each tenant 100
 * watches 101's dialog state (RFC 4235, a BLF key) and presence (RFC 3856). A call between a's 100
 * and a's 101 lights a's lamp (confirmed, then terminated) and changes nothing of b's: b's watcher
 * gets no NOTIFY; then b's call lights b's lamp and not a's. A SUBSCRIBE of b's 100 naming a's
 * domain is a's to answer, and b's credentials do not open it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TenantPhone } from "../helpers/tenant-phone.js";
import { sleep, type TenantHandle, until, useTwoTenants } from "../helpers/tenants.js";

describe("busy lamps and presence stay inside their tenant (issue 21)", () => {
  const env = useTwoTenants();
  const watcher: Record<string, TenantPhone> = {};
  const callee: Record<string, TenantPhone> = {};

  const phone = env.phone;

  /** What a watcher's NOTIFYs of `event` said so far. */
  const lamp = (x: TenantHandle, event: string) => watcher[x.name]!.notifies(event);

  it("each tenant's 100 watches its own 101: idle and online", async () => {
    for (const x of [env.a, env.b]) {
      callee[x.name] = await phone(x, "101");
      assert.equal((await callee[x.name]!.register()).status, 200);
      watcher[x.name] = await phone(x, "100");
      for (const event of ["dialog", "presence"]) {
        const res = await watcher[x.name]!.subscribe("101", event);
        assert.equal(res.status, 200, `${x.name} ${event}: ${res.status} ${res.reason}`);
      }
      const dialog = await until(`${x.name}'s first dialog NOTIFY`, () => lamp(x, "dialog")[0]);
      assert.match(dialog, /<dialog-info [^>]*state="full"/);
      assert.doesNotMatch(dialog, /<dialog /, "idle: no dialog");
      const presence = await until(`${x.name}'s first presence NOTIFY`, () => lamp(x, "presence")[0]);
      assert.match(presence, /<basic>open<\/basic>/);
    }
  });

  for (const name of ["a", "b"] as const)
    it(`a call in ${name} lights ${name}'s lamp and leaves the other tenant's as it was`, {
      timeout: 30_000,
    }, async () => {
      const x = env[name];
      const other = env.other(x);
      const before = { dialog: lamp(other, "dialog").length, presence: lamp(other, "presence").length };
      const mine = lamp(x, "dialog").length;
      const otherInvites = callee[other.name]!.requests("INVITE").length;
      const caller = await phone(x, "100");
      const { response, dialog } = await caller.call("101");
      assert.equal(response.status, 200, `${response.status} ${response.reason}`);
      const confirmed = await until(`${name}'s lamp confirmed`, () =>
        lamp(x, "dialog")
          .slice(mine)
          .find((b) => /<state>confirmed<\/state>/.test(b)),
      );
      assert.match(confirmed, /<remote><identity[^>]*>sip:100@/, "the caller's identity");
      await until(`${name}'s presence on the phone`, () =>
        lamp(x, "presence").find((b) => /on-the-phone/.test(b)),
      );
      assert.equal((await caller.inDialog(dialog!)).status, 200);
      await until(`${name}'s lamp terminated`, () =>
        lamp(x, "dialog")
          .slice(mine)
          .find((b) => /<state>terminated<\/state>/.test(b)),
      );
      // Half a second more, on purpose: a leaked NOTIFY would have come by now.
      await sleep(500);
      assert.deepEqual(lamp(other, "dialog").slice(before.dialog), [], `${other.name}'s BLF got no NOTIFY`);
      assert.deepEqual(
        lamp(other, "presence").slice(before.presence),
        [],
        `${other.name}'s presence got none`,
      );
      assert.equal(
        callee[other.name]!.requests("INVITE").length,
        otherInvites,
        `${other.name}'s 101 not rung`,
      );
      for (const b of lamp(other, "dialog")) assert.doesNotMatch(b, new RegExp(`sip:100@${x.domain}`));
    });

  it("b's 100 naming a's domain in a SUBSCRIBE gets no subscription to a's 101", async () => {
    const { a, b } = env;
    const stranger = await phone(b, "100");
    for (const event of ["dialog", "presence"]) {
      const res = await stranger.subscribe("101", event, 600, a.domain);
      assert.ok(res.status >= 400, `${event}: ${res.status} ${res.reason}`);
    }
    assert.deepEqual(stranger.requests("NOTIFY"), [], "no NOTIFY of a's 101 reached b's phone");
    const subs = await a.api("GET", "/api/v1/subscriptions");
    assert.equal(subs.status, 200);
    const watchers = subs.body.items.map((s: { watcher?: string; user?: string }) => JSON.stringify(s));
    assert.equal(subs.body.items.length, 2, `a's subscriptions are its own 100's two: ${watchers}`);
  });
});
