/** Live counts and limits of lines and trunks (FEATURES.md sections 3 and 4). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { externalLineSchema, sipTrunkSchema } from "../../src/store/routing-model.js";
import { CarrierState } from "../../src/trunks/carrier-state.js";

describe("CarrierState", () => {
  it("acquire() counts a call and its release (idempotent) uncounts it", () => {
    const s = new CarrierState();
    const release = s.acquire("trunk", "t1", "outgoing");
    s.acquire("trunk", "t1", "incoming");
    assert.deepEqual(s.calls("trunk", "t1"), { incoming: 1, outgoing: 1 });
    release();
    release();
    assert.deepEqual(s.calls("trunk", "t1"), { incoming: 1, outgoing: 0 });
  });

  it("a trunk's maximum outgoing calls: null unlimited, 0 none, n at most n", () => {
    const s = new CarrierState();
    const trunk = (max: number | null) =>
      sipTrunkSchema.parse({ trunkId: "t", address: "h", maxOutgoingCalls: max });
    assert.equal(s.trunkUsable(trunk(null)), true);
    assert.equal(s.trunkUsable(trunk(0)), false);
    s.acquire("trunk", "t", "outgoing");
    assert.equal(s.trunkUsable(trunk(1)), false);
    assert.equal(s.trunkUsable(trunk(2)), true);
  });

  it("a type 0 line needs its registration (unless it does not register) and room under both limits", () => {
    const s = new CarrierState();
    const line = (fields: object) => externalLineSchema.parse({ account: "l", server: "h", ...fields });
    assert.equal(s.lineUsable(line({})), false, "not registered");
    assert.equal(s.lineUsable(line({ doNotRegister: true })), true);
    s.setLineOnline("l", true);
    assert.equal(s.lineState(line({})), "online");
    s.acquire("line", "l", "incoming");
    assert.equal(s.lineUsable(line({ maxConcurrentCalls: 1 })), false, "in + out at the maximum");
    assert.equal(s.lineUsable(line({ maxOutgoingCalls: 1 })), true);
    s.acquire("line", "l", "outgoing");
    assert.equal(s.lineUsable(line({ maxOutgoingCalls: 1 })), false);
  });

  it("a type 1 line is online while its gateway is registered", () => {
    let registered = false;
    const s = new CarrierState(() => registered);
    const gateway = externalLineSchema.parse({ type: 1, account: "gw" });
    assert.equal(s.lineState(gateway), "offline");
    assert.equal(s.lineUsable(gateway), false);
    registered = true;
    assert.equal(s.lineState(gateway), "online");
    assert.equal(s.lineUsable(gateway), true);
  });
});
