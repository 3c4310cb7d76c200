import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";

describe("feature code table", () => {
  it("matches whole codes exactly and the longest code first", () => {
    const t = new FeatureCodeTable();
    t.add("*4", "four");
    t.add("*43", "echo-test");
    assert.deepEqual(t.match("*43"), { service: "echo-test", argument: "" });
    assert.deepEqual(t.match("*4"), { service: "four", argument: "" });
    assert.equal(t.match("*430"), undefined);
    assert.equal(t.match("101"), undefined);
  });

  it("passes the argument after a code that takes one, without its final #", () => {
    const t = new FeatureCodeTable();
    t.add("*93*", "forward", { argument: true });
    assert.deepEqual(t.match("*93*101#"), { service: "forward", argument: "101" });
    assert.deepEqual(t.match("*93*101"), { service: "forward", argument: "101" });
    assert.equal(t.match("*93*"), undefined);
  });

  it("adds nothing for an empty code (a setting turned the service off) and removes on request", () => {
    const t = new FeatureCodeTable();
    t.add("", "echo-test");
    assert.equal(t.list().length, 0);
    const remove = t.add("*43", "echo-test");
    remove();
    assert.equal(t.match("*43"), undefined);
  });
});
