/**
 * Issue 21: the script services of all tenants share one ScriptPool (a pool each gave every tenant
 * a worker thread); the last holder's release closes it, and the next acquire makes a new one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { acquireScriptPool } from "../../src/scripting/shared-script-pool.js";

describe("acquireScriptPool()", () => {
  it("shares one pool among holders and closes it when the last one releases", async () => {
    const a = acquireScriptPool();
    const b = acquireScriptPool();
    assert.equal(a.pool, b.pool);
    await a.pool.start();
    await b.pool.start();
    assert.equal(a.pool.workers.length, b.pool.workers.length, "the second start adds no worker");
    const ran = await b.pool.run({ name: "t", source: "return 1 + 1" });
    assert.equal(ran.ok, true);
    await a.release();
    await a.release(); // idempotent: b still holds its share
    assert.equal((await b.pool.run({ name: "t", source: "return 2" })).ok, true, "still open for b");
    await b.release();
    const closed = await b.pool.run({ name: "t", source: "return 3" });
    assert.equal(closed.ok, false, "closed with its last holder");
    const c = acquireScriptPool();
    assert.notEqual(c.pool, a.pool, "a new pool after the last release");
    await c.release();
  });
});
