/**
 * End to end: the dial plan on the SIP path (issue 5), the same engine the dry run explains. A
 * transition with re-analysis reaches a local user, a call right refuses with 403, a reject
 * record answers its status, and a user's own dial plan applies to it only.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

const noSipp = missingTool("sipp");

describe("the dial plan on real calls, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  async function create(path: string, body: object): Promise<void> {
    const res = await parley.api("POST", `/api/v1/${path}`, body);
    assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
  }
  before(async () => {
    parley = await startParley();
    await create("dialplan/transitions", { id: 1, type: "delete", start: 0, length: 2 });
    // *7 + extension: strip "*7" and analyze again (no record for 1xx: a local user).
    await create("dialplan/analyze", {
      prefix: "*7",
      routeType: "local-user",
      changeNumber: true,
      transitionId: 1,
      reanalyze: true,
    });
    await create("dialplan/analyze", { prefix: "00", routeType: "local-user", callRight: 2 });
    await create("dialplan/analyze", { prefix: "666", routeType: "reject", rejectStatus: 404 });
    await create("dialplans", { name: "lobby", users: ["102"] });
    await create("dialplan/analyze", {
      dialPlan: "lobby",
      prefix: "1",
      routeType: "reject",
      rejectStatus: 403,
    });
  });
  after(async () => {
    await parley.stop();
  });

  it("a transition with re-analysis reaches the local user (*7101 rings 101)", async () => {
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(await uac(parley, "100", "*7101", "call-uac-bye.xml"), "100 dialing *7101", parley);
    passed(await callee.done, "101", parley);
    const dry = await parley.api("POST", "/api/v1/dialplan/test", { caller: "100", number: "*7101" });
    assert.deepEqual(dry.body.route, { kind: "local-user", number: "101" });
  });

  it("a record needing a higher call right answers 403", async () => {
    passed(await uac(parley, "100", "00123", "call-uac-403.xml"), "100 dialing 00123", parley);
  });

  it("a reject record answers its status", async () => {
    passed(await uac(parley, "100", "666", "call-uac-404.xml"), "100 dialing 666", parley);
  });

  it("a user's own dial plan applies to it only", async () => {
    passed(await uac(parley, "102", "101", "call-uac-403.xml"), "102 (lobby) dialing 101", parley);
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(await uac(parley, "100", "101", "call-uac-bye.xml"), "100 (default) dialing 101", parley);
    passed(await callee.done, "101", parley);
  });
});
