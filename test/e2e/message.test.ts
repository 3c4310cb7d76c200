/**
 * End to end: SIP MESSAGE in pager mode (RFC 3428) between local users through a real
 * `parley start`. A sipp recipient registers; a sipp sender authenticates (407) and sends a text
 * message; the recipient checks the body, its Content-Type and the sender's display name.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

describe("MESSAGE (RFC 3428 pager mode), end to end", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
    const named = await parley.api("PATCH", "/api/v1/users/100", { displayName: "Alice Pager" });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    const created = await addUser(parley, "103", { multiDevice: true, maxDevices: 2 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await parley.stop();
  });

  it("a MESSAGE to a registered user is delivered with its body, Content-Type and the sender's name; 200 to the sender", async () => {
    const recipient = await registeredUas(parley, "101", "message-uas.xml");
    passed(await uac(parley, "100", "101", "message-uac-200.xml"), "sender", parley);
    passed(await recipient.done, "recipient", parley);
  });

  it("a MESSAGE to a user with two bindings is delivered to both", async () => {
    const first = await registeredUas(parley, "103", "message-uas.xml");
    const second = await registeredUas(parley, "103", "message-uas.xml");
    passed(await uac(parley, "100", "103", "message-uac-200.xml"), "sender", parley);
    passed(await first.done, "first binding", parley);
    passed(await second.done, "second binding", parley);
  });

  it("a MESSAGE to an unknown user gets 404 after the 407 challenge", async () => {
    passed(await uac(parley, "100", "999", "message-uac-404.xml"), "sender", parley);
  });

  it("a MESSAGE to a user with no binding gets 480", async () => {
    passed(await uac(parley, "100", "102", "message-uac-480.xml"), "sender", parley);
  });

  it("a MESSAGE refused by the only binding gets that failure (486)", async () => {
    const recipient = await registeredUas(parley, "102", "message-uas-busy.xml");
    passed(await uac(parley, "100", "102", "message-uac-486.xml"), "sender", parley);
    passed(await recipient.done, "recipient", parley);
  });
});
