/**
 * End to end (issue 16): call pick-up with sipp phones against a real `parley start`. 100 calls
 * 101, whose phone rings; 102 dials `*40*101#` (directed) or `*50` (group): 101's phone gets
 * CANCEL with `Reason: SIP;cause=200` (RFC 3326), 100 is answered and talks with 102; when 102
 * hangs up, Parley ends 100's call too. With nothing ringing, or outside the pick-up group, the
 * picker hears a prompt and is hung up on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

describe("call pick-up (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--rtp-ports", "35000-35099"]);
  });
  after(() => parley.stop());

  async function ringing(user: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      if ((await parley.api("GET", `/api/v1/users/${user}`)).body.state === "ringing") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${user} never rang`);
  }

  /** 100 calls 101 and 101 rings; `code` dialled by 102 picks the call up. */
  async function pickUp(code: string): Promise<void> {
    const callee = await registeredUas(parley, "101", "call-uas-cancelled-elsewhere.xml");
    const caller = uac(parley, "100", "101", "call-uac-wait-bye.xml");
    await ringing("101");
    passed(await uac(parley, "102", code, "call-uac-bye.xml"), `102 dialled ${code}`, parley);
    passed(await callee.done, "101's phone stopped ringing: CANCEL with Reason cause=200", parley);
    passed(await caller, "100 was answered, then got Parley's BYE when 102 hung up", parley);
    let record: { callee: string; legs: Array<{ peer: string }> } | undefined;
    for (let i = 0; i < 30 && record === undefined; i++) {
      const items = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items;
      record = items?.[0]?.legs?.some((l: { peer: string }) => l.peer === "parley:pick-up")
        ? items[0]
        : undefined;
      if (record === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(record, "the picked-up call's record has the pick-up leg");
    assert.equal(record.callee, "102", JSON.stringify(record));
  }

  it("*40*101# picks up the call ringing at 101", { timeout: 60000 }, async () => {
    await pickUp("*40*101%23");
  });

  it("*50 picks up a call ringing in the picker's pick-up group", { timeout: 60000 }, async () => {
    for (const user of ["101", "102"])
      assert.equal((await parley.api("PATCH", `/api/v1/users/${user}`, { pickupGroupId: 7 })).status, 200);
    await pickUp("*50");
  });

  it("with nothing ringing, or outside the group, the picker hears why and is hung up on", {
    timeout: 60000,
  }, async () => {
    passed(await uac(parley, "102", "*40*101%23", "call-uac-wait-bye.xml"), "nothing ringing at 101", parley);
    await parley.api("PATCH", "/api/v1/users/100", { pickupGroupId: 0 });
    passed(await uac(parley, "100", "*50", "call-uac-wait-bye.xml"), "100 has no pick-up group", parley);
  });

  it("*40* picks up a ringing-group call at a member that is not the called one", {
    timeout: 60000,
  }, async () => {
    // 101 and 102 ring together when 101 is called; 100 picks up at 102 by *40*102#.
    for (const user of ["101", "102"])
      assert.equal((await parley.api("PATCH", `/api/v1/users/${user}`, { ringingGroupId: 5 })).status, 200);
    assert.equal((await addUser(parley, "103")).status, 201);
    const called = await registeredUas(parley, "101", "call-uas-cancelled-elsewhere.xml");
    const member = await registeredUas(parley, "102", "call-uas-cancelled-elsewhere.xml");
    const caller = uac(parley, "103", "101", "call-uac-wait-bye.xml");
    await ringing("102");
    passed(await uac(parley, "100", "*40*102%23", "call-uac-bye.xml"), "100 picked up at 102", parley);
    passed(await called.done, "101 stopped ringing", parley);
    passed(await member.done, "102 stopped ringing", parley);
    passed(await caller, "103 was answered by the picker", parley);
  });
});
