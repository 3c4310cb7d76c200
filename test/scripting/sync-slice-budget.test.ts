/**
 * The slice budget across host calls answered at once (sync-slice-budget.ts), on a given clock:
 * Lua time between calls and the host's own time add up until a real wait (a promise) ends the
 * slice; the first stretch before any answer is the sandbox's own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SyncSliceBudget } from "../../src/scripting/sync-slice-budget.js";

describe("SyncSliceBudget", () => {
  it("does not count the stretch before the first answer", () => {
    const budget = new SyncSliceBudget(10);
    assert.equal(budget.call(1000), true);
  });

  it("adds Lua time and host time across answers at once, and is over once past the budget", () => {
    const budget = new SyncSliceBudget(10);
    budget.call(0);
    budget.answered(3, 100); // spent 3 (host)
    assert.equal(budget.call(104), true); // + 4 Lua = 7
    budget.answered(2, 200); // 9
    assert.equal(budget.call(200.5), true); // 9.5
    budget.answered(0, 300);
    assert.equal(budget.call(301), false); // 10.5
  });

  it("starts a new slice after an answer that was a promise (a real wait)", () => {
    const budget = new SyncSliceBudget(10);
    budget.call(0);
    budget.answered(9, 10);
    budget.answered(undefined, 5000);
    assert.equal(budget.call(5009), true);
    budget.answered(0, 5009);
    assert.equal(budget.call(5011), false);
  });
});
