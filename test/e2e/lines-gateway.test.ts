/**
 * End to end, FEATURES.md section 3 type 1 lines: an FXO gateway (sipp) registers to Parley with
 * the line's account and password; out-group calls leave through it, and its incoming calls (it
 * authenticates with the same credentials) go to the line's destination number.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

const noSipp = missingTool("sipp");

describe("type 1 lines (FXO gateway registers to Parley), end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
    // sipp-phones registers with the password equal to the name.
    const created = await parley.api("POST", "/api/v1/external-lines", {
      type: 1,
      account: "gw1",
      password: "gw1",
      destinationNumber: "101",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, "offline");
  });
  after(async () => {
    await parley.stop();
  });

  it("the gateway registers with the line's credentials, the line goes online, out-group calls ring it", async () => {
    const gateway = await registeredUas(parley, "gw1", "call-uas-answer.xml");
    const line = await parley.api("GET", "/api/v1/external-lines/gw1");
    assert.equal(line.body.state, "online");
    passed(await uac(parley, "100", "95551234", "call-uac-bye.xml"), "100 dialing out", parley);
    passed(await gateway.done, "gateway", parley);
    const cdrs = await parley.api("GET", "/api/v1/cdrs?number=95551234&limit=1");
    assert.equal(cdrs.body.items[0]?.callee, "5551234");
    assert.equal(cdrs.body.items[0]?.disposition, "answered");
  });

  it("a call in from the gateway goes to the line's destination number", async () => {
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(await uac(parley, "gw1", "5550000", "call-uac-bye.xml"), "gateway calling in", parley);
    passed(await callee.done, "101", parley);
  });

  it("a wrong password is refused like a phone's", async () => {
    const bad = await parley.api("PATCH", "/api/v1/external-lines/gw1", { password: "other" });
    assert.equal(bad.status, 200);
    const r = await uac(parley, "gw1", "5550000", "call-uac-403.xml");
    passed(r, "gateway refused (403 after the 407)", parley);
    assert.equal((await parley.api("DELETE", "/api/v1/external-lines/gw1")).status, 204);
  });
});
