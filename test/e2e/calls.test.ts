/**
 * End to end: sipp phones call each other through a real `parley start` (issue 4). A callee sipp
 * registers from the port its UAS scenario then listens on; a caller sipp authenticates (407) and
 * calls it. Every call is checked in its CDR (GET /api/v1/cdrs).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool, type ToolResult } from "../helpers/run-tool.js";
import { registeredUas, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

const noSipp = missingTool("sipp");

/** Registers `user` from a free port, then runs the callee scenario there. */
const callee = registeredUas;

const caller = uac;

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON
async function lastCdr(parley: ParleyProcess, dialed: string): Promise<any> {
  for (let i = 0; i < 20; i++) {
    const res = await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=1`);
    assert.equal(res.status, 200);
    const item = res.body.items[0];
    if (item !== undefined && !seen.has(item.id)) {
      seen.add(item.id);
      return item;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no new CDR for ${dialed}`);
}
const seen = new Set<number>();
let current: ParleyProcess | undefined;

function ok(r: ToolResult, what: string): void {
  assert.equal(
    r.code,
    0,
    `${what}:\n${r.stdout.slice(-1500)}\n${r.stderr}\nparley:\n${current?.output().slice(-3000)}`,
  );
}

describe("calls, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--no-answer-time", "2"]);
    current = parley;
    const created = await addUser(parley, "103", { multiDevice: true, maxDevices: 2 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await parley.stop();
  });

  it("answered, the caller hangs up: BYE relayed to the callee", async () => {
    const uas = await callee(parley, "101", "call-uas-answer.xml");
    ok(await caller(parley, "100", "101", "call-uac-bye.xml"), "caller");
    ok(await uas.done, "callee");
    const cdr = await lastCdr(parley, "101");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.caller, "100");
    assert.equal(cdr.callee, "101");
    assert.equal(cdr.sipStatus, 200);
    assert.ok(cdr.answeredAt);
    assert.equal(cdr.legs.length, 2);
    assert.notEqual(cdr.legs[0].callId, cdr.legs[1].callId, "each leg has its own Call-ID");
  });

  it("answered, the callee hangs up: BYE relayed to the caller", async () => {
    const uas = await callee(parley, "101", "call-uas-bye.xml");
    ok(await caller(parley, "100", "101", "call-uac-wait-bye.xml"), "caller");
    ok(await uas.done, "callee");
    const cdr = await lastCdr(parley, "101");
    assert.equal(cdr.disposition, "answered");
  });

  it("busy: the callee's 486 is relayed", async () => {
    const uas = await callee(parley, "101", "call-uas-busy.xml");
    ok(await caller(parley, "100", "101", "call-uac-486.xml"), "caller");
    ok(await uas.done, "callee");
    const cdr = await lastCdr(parley, "101");
    assert.equal(cdr.disposition, "busy");
    assert.equal(cdr.sipStatus, 486);
  });

  it("the caller cancels: the fork is cancelled, 487 to the caller", async () => {
    const uas = await callee(parley, "101", "call-uas-cancelled.xml");
    ok(await caller(parley, "100", "101", "call-uac-cancel.xml"), "caller");
    ok(await uas.done, "callee");
    const cdr = await lastCdr(parley, "101");
    assert.equal(cdr.disposition, "cancelled");
    assert.equal(cdr.sipStatus, 487);
  });

  it("no answer within --no-answer-time: 480 to the caller, CANCEL to the callee", async () => {
    const uas = await callee(parley, "101", "call-uas-cancelled.xml");
    ok(await caller(parley, "100", "101", "call-uac-480.xml"), "caller");
    ok(await uas.done, "callee");
    const cdr = await lastCdr(parley, "101");
    assert.equal(cdr.disposition, "no-answer");
    assert.equal(cdr.sipStatus, 480);
  });

  it("hold and resume: re-INVITEs relayed to the callee", async () => {
    const uas = await callee(parley, "101", "call-uas-hold.xml");
    ok(await caller(parley, "100", "101", "call-uac-hold.xml"), "caller");
    ok(await uas.done, "callee");
    const cdr = await lastCdr(parley, "101");
    assert.equal(cdr.disposition, "answered");
  });

  it("an unknown number gets 404 (after the 407 challenge)", async () => {
    // Not 9xx: with the default out-group prefix 9 that number leaves on an external line (issue 5).
    ok(await caller(parley, "100", "555", "call-uac-404.xml"), "caller");
    const cdr = await lastCdr(parley, "555");
    assert.equal(cdr.disposition, "failed");
    assert.equal(cdr.sipStatus, 404);
  });

  it("a known user with no binding gets 480", async () => {
    ok(await caller(parley, "100", "102", "call-uac-480.xml"), "caller");
    const cdr = await lastCdr(parley, "102");
    assert.equal(cdr.disposition, "failed");
    assert.equal(cdr.sipStatus, 480);
    assert.equal(cdr.callee, "102");
  });

  it("forks to two bindings: the first 200 wins, the other gets CANCEL with a Reason", async () => {
    const loser = await callee(parley, "103", "call-uas-cancelled-elsewhere.xml");
    const winner = await callee(parley, "103", "call-uas-answer.xml");
    ok(await caller(parley, "100", "103", "call-uac-bye.xml"), "caller");
    ok(await winner.done, "winning callee");
    ok(await loser.done, "losing callee");
    const cdr = await lastCdr(parley, "103");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.legs.length, 3);
  });

  it("lists no call once every call ended", async () => {
    const res = await parley.api("GET", "/api/v1/calls");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items ?? res.body, []);
  });
});
