/**
 * End to end: phones behind NAT write a Contact where they do not listen (here: port 9 on
 * loopback, while they send from another port). In-dialog requests must go where their packets
 * come from (dialog-init.ts natPeer), or a hang-up never reaches them. Each test ends only if the
 * NATed phone receives its BYE.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { startSipp } from "../helpers/sipp.js";
import { credentials, passed, registeredUas, sipp, uac } from "../helpers/sipp-phones.js";

const noSipp = missingTool("sipp");

describe("calls with phones behind NAT, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    await parley.stop();
  });

  it("a NATed caller gets the callee's BYE at the address it calls from", async () => {
    const callee = await registeredUas(parley, "101", "call-uas-bye.xml");
    passed(await uac(parley, "100", "101", "call-uac-wait-bye-natted.xml"), "NATed caller 100", parley);
    passed(await callee.done, "callee 101", parley);
  });

  it("a NATed callee gets the caller's BYE at the address it registered from", async () => {
    const port = await freePort();
    const reg = await sipp(parley, "call-register-natted.xml", port, ["-inf", credentials(parley, "102")]);
    passed(reg, "NATed registration of 102", parley);
    const regs = await parley.api("GET", "/api/v1/registrations?user=102");
    assert.equal(regs.status, 200);
    // Called once its socket is bound (the port it registered from), never after a fixed sleep.
    const callee = await startSipp({
      scenario: "call-uas-answer-natted.xml",
      port,
      remotePort: parley.sipPort,
    });
    passed(await uac(parley, "100", "102", "call-uac-bye.xml"), "caller 100", parley);
    passed(await callee.done, "NATed callee 102", parley);
  });
});
