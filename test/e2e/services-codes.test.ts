/**
 * End to end (issue 15 acceptance, feature codes and do-not-disturb) with sipp against a real
 * `parley start`: a phone sets and clears its unconditional forwarding by feature code
 * (`*93*102%23`, `*93%23`), the change shows at once in GET /api/v1/users; without the right
 * nothing changes; `*78` turns do-not-disturb on (the API shows it) and a call to the user then
 * gets 486 Busy Here; `*79` turns it off. Each code is answered by Parley, which speaks its
 * confirmation and hangs up (the caller waits for Parley's BYE). The prompts heard and the other
 * codes (*90/*91/*92, no #, an outside caller's 403) are proven in test/services/user-codes.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";

describe("feature codes from a phone (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--rtp-ports", "31400-31449"]);
  });
  after(() => parley.stop());

  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked by the assertions
  async function user(name: string): Promise<any> {
    const res = await parley.api("GET", `/api/v1/users/${name}`);
    assert.equal(res.status, 200);
    return res.body;
  }

  /** Dials `code` as `from`: Parley answers, speaks the confirmation and sends BYE. */
  async function dialCode(from: string, code: string): Promise<void> {
    const r = await uac(parley, from, code, "call-uac-wait-bye.xml");
    passed(r, `${from} dialled ${code}, was answered and got Parley's BYE`, parley);
  }

  it("*93*102%23 without the right changes nothing", { timeout: 30000 }, async () => {
    assert.equal((await user("100")).forwarding.unconditional.enabled, false);
    await dialCode("100", "*93*102%23");
    assert.deepEqual((await user("100")).forwarding.unconditional, { enabled: false, number: "" });
  });

  it("with the right, *93*102%23 sets unconditional forwarding to 102 and *93%23 clears it", {
    timeout: 30000,
  }, async () => {
    const patch = await parley.api("PATCH", "/api/v1/users/100", {
      forwarding: { unconditional: { enabled: true } },
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    assert.deepEqual(patch.body.forwarding.unconditional, { enabled: true, number: "" });

    await dialCode("100", "*93*102%23");
    assert.deepEqual((await user("100")).forwarding.unconditional, { enabled: true, number: "102" });

    await dialCode("100", "*93%23");
    assert.deepEqual((await user("100")).forwarding.unconditional, { enabled: true, number: "" });
  });

  it("*78 turns do-not-disturb on: a call to the user gets 486; *79 turns it off", {
    timeout: 30000,
  }, async () => {
    assert.equal((await user("100")).doNotDisturb, false);
    await dialCode("100", "*78");
    assert.equal((await user("100")).doNotDisturb, true);

    const busy = await uac(parley, "101", "100", "call-uac-486.xml");
    passed(busy, "101 calling 100 (do-not-disturb on) got 486 Busy Here", parley);

    await dialCode("100", "*79%23");
    assert.equal((await user("100")).doNotDisturb, false);
    // 100 has no device: with do-not-disturb off the call takes the unreachable path (480).
    const unreachable = await uac(parley, "101", "100", "call-uac-480.xml");
    passed(unreachable, "101 calling 100 (do-not-disturb off, no device) got 480", parley);
  });
});
