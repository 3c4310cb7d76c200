/**
 * End to end (issue 15): call waiting with sipp phones against a real `parley start`. 101 is in a
 * call with 100; without the call-waiting right (set through the API) a second call from 102 gets
 * 486 Busy Here and 101's phone is not disturbed (test/services/call-waiting.test.ts covers the
 * waiting call ringing with the right, and busy forwarding).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

describe("call waiting (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
  });
  after(() => parley.stop());

  it("without the right, a second call to a talking user gets 486", { timeout: 60000 }, async () => {
    const r = await parley.api("PATCH", "/api/v1/users/101", { callWaiting: false });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    const first = uac(parley, "100", "101", "call-uac-long.xml");
    let talking = false;
    for (let i = 0; i < 50 && !talking; i++) {
      await new Promise((res) => setTimeout(res, 100));
      talking = (await parley.api("GET", "/api/v1/users/101")).body.state === "talking";
    }
    assert.ok(talking, "101 is in the first call");
    passed(await uac(parley, "102", "101", "call-uac-486.xml"), "the second caller got 486", parley);
    passed(await first, "the first call went on and ended normally", parley);
    passed(await callee.done, "101 saw only the first call", parley);
  });
});
