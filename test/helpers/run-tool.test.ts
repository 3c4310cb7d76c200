/**
 * The skip helpers of the test suite: outside CI a missing tool or capability is a skip with a
 * reason; under CI=true (CI sets it) it is a failure, so a CI run never hides an untested part.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { missingCapability, missingTool } from "./run-tool.js";

describe("missingCapability() and missingTool()", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.CI;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  it("missingCapability() of an available capability is false, in CI or not", () => {
    delete process.env.CI;
    assert.equal(missingCapability(true, "needs root"), false);
    process.env.CI = "true";
    assert.equal(missingCapability(true, "needs root"), false);
  });

  it("missingCapability() of a missing capability outside CI returns the reason (a skip)", () => {
    delete process.env.CI;
    assert.equal(missingCapability(false, "needs root for unshare -n"), "needs root for unshare -n");
  });

  it("missingCapability() of a missing capability with CI=true throws, naming it", () => {
    process.env.CI = "true";
    assert.throws(() => missingCapability(false, "needs root for unshare -n"), /needs root for unshare -n/);
  });

  it("missingTool() of a tool that is not on PATH throws with CI=true and is a skip reason without", () => {
    const tool = "parley-no-such-tool-xyz";
    process.env.CI = "true";
    assert.throws(() => missingTool(tool), /parley-no-such-tool-xyz is not installed/);
    delete process.env.CI;
    assert.match(String(missingTool(tool)), /not installed/);
  });
});
