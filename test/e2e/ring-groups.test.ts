/**
 * End to end (issue 16): a ringing group of three sipp phones against a real `parley start`, set
 * through the REST API. A call to one member rings all three; the first answer wins and the two
 * others see CANCEL with RFC 3326 Reason "Call completed elsewhere" (their scenario checks it);
 * the CDR names the member that answered. A member with "suppress ring group on direct call"
 * rings alone when its own number is called. A dial plan record of route type ringing-group gives
 * the group a number of its own that rings every member.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

interface Cdr {
  callee?: string;
  dialed: string;
  legs: Array<{ role: string; peer: string; status: number }>;
}

describe("ringing group (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
    // The embedded defaults are 100, 101 and 102: the third member needs a user of its own.
    const created = await addUser(parley, "103");
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const name of ["101", "102", "103"]) {
      const r = await parley.api("PATCH", `/api/v1/users/${name}`, { ringingGroupId: 7 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
  });
  after(() => parley.stop());

  async function lastCdr(dialed: string): Promise<Cdr | undefined> {
    for (let i = 0; i < 30; i++) {
      const items = (await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=1`)).body.items as Cdr[];
      const record = items?.find((r) => r.dialed === dialed);
      if (record !== undefined) return record;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  it("a call to a member rings all three; the first answer wins, the others see CANCEL with Reason", {
    timeout: 60000,
  }, async () => {
    const b = await registeredUas(parley, "101", "call-uas-cancelled-elsewhere.xml");
    const c = await registeredUas(parley, "102", "call-uas-cancelled-elsewhere.xml");
    const d = await registeredUas(parley, "103", "call-uas-slow-answer.xml");
    passed(await uac(parley, "100", "102", "call-uac-bye.xml"), "caller", parley);
    passed(await d.done, "103 answered", parley);
    passed(await b.done, "101 rang and saw CANCEL with Reason", parley);
    passed(await c.done, "102 rang and saw CANCEL with Reason", parley);
    const record = await lastCdr("102");
    assert.equal(record?.callee, "103", `the member that answered: ${JSON.stringify(record)}`);
  });

  it("a member with suppress on direct call rings alone when called directly", {
    timeout: 60000,
  }, async () => {
    const r = await parley.api("PATCH", "/api/v1/users/103", { suppressRingGroupOnDirectCall: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // 101 and 102 stay registered (their bindings from the first test) but must not ring.
    const d = await registeredUas(parley, "103", "call-uas-answer.xml");
    passed(await uac(parley, "100", "103", "call-uac-bye.xml"), "caller", parley);
    passed(await d.done, "103 answered", parley);
    const record = await lastCdr("103");
    const callees = record?.legs.filter((l) => l.role === "callee") ?? [];
    assert.equal(callees.length, 1, `one callee leg only: ${JSON.stringify(record)}`);
  });

  it("a dial plan route of type ringing-group rings every member at the group's own number", {
    timeout: 60000,
  }, async () => {
    const route = { prefix: "700", routeType: "ringing-group", ringingGroupId: 7 };
    const created = await parley.api("POST", "/api/v1/dialplan/analyze", route);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const b = await registeredUas(parley, "101", "call-uas-slow-answer.xml");
    const c = await registeredUas(parley, "102", "call-uas-cancelled-elsewhere.xml");
    const d = await registeredUas(parley, "103", "call-uas-cancelled-elsewhere.xml");
    passed(await uac(parley, "100", "700", "call-uac-bye.xml"), "caller", parley);
    passed(await b.done, "101 answered", parley);
    passed(await c.done, "102 saw CANCEL with Reason", parley);
    passed(await d.done, "103 (suppressed only on a direct call) saw CANCEL with Reason", parley);
    assert.equal((await lastCdr("700"))?.callee, "101");
  });
});
