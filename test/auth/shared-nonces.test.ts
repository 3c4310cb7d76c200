/**
 * Issue 21: every tenant's authenticator shares the process's nonce manager (one replay ring, not
 * 8 MB per tenant), and a nonce issued for one tenant's realm is still refused in another's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Authenticator } from "../../src/auth/authenticator.js";
import { BanList } from "../../src/auth/ban-list.js";
import { NonceManager, sharedNonceManager } from "../../src/auth/nonces.js";
import { VirtualClock } from "../../src/util/clock.js";

const noCredentials = {
  lookup: async () => undefined,
  cached: () => ({ entry: undefined }),
  byIp: async () => [],
  cachedByIp: () => [],
};

describe("sharedNonceManager()", () => {
  it("gives authenticators on one clock the same manager, and another clock its own", () => {
    const clock = new VirtualClock();
    const bans = new BanList(clock);
    const a = new Authenticator({ clock, credentials: noCredentials, bans });
    const b = new Authenticator({ clock, credentials: noCredentials, bans });
    assert.equal(a.nonces, b.nonces);
    assert.equal(a.nonces, sharedNonceManager(clock));
    const other = new VirtualClock();
    assert.notEqual(new Authenticator({ clock: other, credentials: noCredentials, bans }).nonces, a.nonces);
    assert.notEqual(sharedNonceManager(clock, 1000), a.nonces, "another lifetime, another manager");
  });
  it("refuses a nonce issued for one realm in another (one tenant's challenge is no good in the next)", () => {
    const nonces = sharedNonceManager(new VirtualClock());
    const nonce = nonces.issue("acme.example.com");
    assert.equal(nonces.check(nonce, "acme.example.com"), "valid");
    assert.equal(nonces.check(nonce, "globex.example.com"), "invalid");
  });
  it("is replaced by a manager given in the options", () => {
    const clock = new VirtualClock();
    const own = new NonceManager({ clock, slots: 16 });
    const auth = new Authenticator({
      clock,
      credentials: noCredentials,
      bans: new BanList(clock),
      nonces: own,
    });
    assert.equal(auth.nonces, own);
  });
});
