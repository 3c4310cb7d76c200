/**
 * patternCost() (pattern-cost.ts): the worst-case growth of Lua's backtracking matcher, which the
 * sandbox uses to refuse, before they start, pattern calls that could outrun a slice's CPU budget
 * (C code cannot be interrupted). Checked against the grammar of Lua 5.4 manual 6.4.1.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { patternCost } from "../../src/scripting/pattern-cost.js";

describe("patternCost()", () => {
  it("a literal is tried at every start: power 1, times its length", () => {
    assert.deepEqual(patternCost("abc", true), { power: 1, factor: 3 });
  });

  it("an anchored literal is tried once: power 0", () => {
    assert.deepEqual(patternCost("^abc", true), { power: 0, factor: 3 });
  });

  it("in gmatch a leading ^ does not anchor", () => {
    assert.equal(patternCost("^abc", false).power, 1);
  });

  it("an expanding item followed by one that can fail backtracks: a*b is quadratic", () => {
    assert.deepEqual(patternCost("a*b", true), { power: 2, factor: 2 / 2 });
    assert.equal(patternCost("a-a-b", true).power, 3);
    assert.equal(patternCost("(%d+)x", true).power, 2);
  });

  it("an expanding item at the end, or followed only by items that always match, does not", () => {
    assert.equal(patternCost("%d+", true).power, 1);
    assert.equal(patternCost("^%s*(.-)%s*", true).power, 0);
    assert.equal(patternCost("a*b*", true).power, 1);
  });

  it("$ at the end can fail, so what comes before it backtracks", () => {
    assert.deepEqual(patternCost("^%s*(.-)%s*$", true), { power: 3, factor: 4 / 6 });
  });

  it("%b and back references scan the subject on every attempt", () => {
    assert.equal(patternCost("%b()", true).power, 2);
    assert.equal(patternCost("(a)%1", true).power, 2);
  });

  it("each optional item so followed doubles the factor", () => {
    assert.deepEqual(patternCost("a?b?c", true), { power: 1, factor: 4 * 3 });
  });

  it("reads sets whole, with escapes and a leading ]", () => {
    assert.deepEqual(patternCost("[%]a-]*x", true), { power: 2, factor: 1 });
    assert.deepEqual(patternCost("[]]+", true), { power: 1, factor: 1 });
    assert.deepEqual(patternCost("%f[%w]%w+", true), { power: 1, factor: 2 });
  });
});
