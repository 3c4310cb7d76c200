/**
 * End to end: call transfer (issue 4, RFC 5589) through a real `parley start` with sipp phones.
 * Blind: 100 calls 101; 101 REFERs 100 to 102 (RFC 3515), sees NOTIFY 100 then 200 (sipfrag) and
 * hangs up; Parley calls 102 for 100 with an offerless INVITE and re-INVITEs 100 with 102's offer;
 * 100 then talks to 102 and hangs up. A failed blind transfer is reported to the transferor and
 * leaves its call up. Attended transfers are in transfer-attended.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

const noSipp = missingTool("sipp");

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON
async function cdrFor(parley: ParleyProcess, caller: string, dialed: string): Promise<any> {
  for (let i = 0; i < 30; i++) {
    const res = await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=5`);
    assert.equal(res.status, 200);
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON
    const item = res.body.items.find((c: any) => c.caller === caller && c.dialed === dialed);
    if (item !== undefined) return item;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no CDR for ${caller} -> ${dialed}`);
}

describe("blind transfer, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--no-answer-time", "3"]);
  });
  after(async () => {
    await parley.stop();
  });

  it("101 transfers 100 to 102: NOTIFY 100 and 200 to 101, 100 talks to 102, the CDR names 102", async () => {
    const target = await registeredUas(parley, "102", "xfer-uas-target.xml");
    const transferor = await registeredUas(parley, "101", "xfer-uas-transferor.xml", [
      "-key",
      "target",
      "102",
    ]);
    passed(await uac(parley, "100", "101", "xfer-uac-transferee.xml"), "transferee 100", parley);
    passed(await transferor.done, "transferor 101", parley);
    passed(await target.done, "target 102", parley);
    const cdr = await cdrFor(parley, "100", "101");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.callee, "102", "the final callee is the transfer target");
    assert.equal(cdr.legs.length, 3, JSON.stringify(cdr.legs));
    assert.deepEqual(
      // biome-ignore lint/suspicious/noExplicitAny: the API's JSON
      cdr.legs.map((l: any) => l.role),
      ["caller", "callee", "callee"],
    );
    const calls = await parley.api("GET", "/api/v1/calls");
    assert.deepEqual(calls.body.items, [], "no call is left behind");
  });

  for (const [target, status, why] of [
    ["999", 404, "an unknown number"],
    ["104", 480, "a user with no binding"],
  ] as const) {
    it(`a transfer to ${why} fails with NOTIFY ${status}; the transferor's call goes on until it hangs up`, async () => {
      if (target === "104") {
        const created = await addUser(parley, "104");
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      const transferor = await registeredUas(parley, "101", "xfer-uas-transferor-fails.xml", [
        "-key",
        "target",
        target,
      ]);
      // The transferor's BYE after the failure reaches the caller: the call was still 100 <-> 101.
      passed(await uac(parley, "100", "101", "call-uac-wait-bye.xml"), "caller 100", parley);
      passed(await transferor.done, "transferor 101", parley);
      // The log arrives from the child process asynchronously: wait for the line.
      await parley.waitForLog((l) => l.msg === "transfer failed" && l.status === status, 5000);
    });
  }
});
