/**
 * End to end (issue 22, hole 3): calls whose peers send oversized or odd values each leave a call
 * record, the values cut with a marker where they do not fit: a 2,000-character Contact, a TAB in
 * it, a 100-digit number, a 400-character Call-ID, and a callee's 486 with a 200-character reason
 * phrase. Before, the store refused such a record and it lived only in a log line.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

interface Cdr {
  dialed: string;
  disposition: string;
  sipStatus: number;
  sipReason: string;
  legs: Array<{ role: string; peer: string; callId: string }>;
}

describe("call records of hostile peers", () => {
  let parley: ParleyProcess;
  let caller: ScriptedPhone;
  let callee: ScriptedPhone;
  let refuser: ScriptedPhone;

  before(async () => {
    parley = await startParley(["--rtp-ports", "47100-47199", "--media-relay", "never"]);
    caller = await ScriptedPhone.open("100", parley.sipPort);
    callee = await ScriptedPhone.open("101", parley.sipPort);
    refuser = await ScriptedPhone.open("102", parley.sipPort, undefined, {
      refuse: { status: 486, reason: `Busy ${"B".repeat(195)}` },
    });
    for (const phone of [callee, refuser]) assert.equal((await phone.register()).status, 200);
  });
  after(async () => {
    for (const phone of [caller, callee, refuser]) phone?.close();
    await parley?.stop();
  });

  /** The records so far, newest first. */
  const records = async (): Promise<Cdr[]> => (await parley.api("GET", "/api/v1/cdrs?limit=100")).body.items;

  /** Waits for the record count to reach `n`; returns the newest. */
  async function nth(n: number): Promise<Cdr> {
    for (let i = 0; i < 100; i++) {
      const items = await records();
      if (items.length >= n) return items[0]!;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`no record ${n}: ${parley.output().slice(-2000)}`);
  }

  /** An answered call to 101 with `over`, hung up by the caller. */
  async function answered(over: { callId?: string; contact?: string }): Promise<void> {
    const dialog = await caller.call("101", over);
    assert.equal((await caller.inDialog(dialog, "BYE")).status, 200);
  }

  it("a 2,000-character Contact leaves a record, its peer cut with a marker", {
    timeout: 30000,
  }, async () => {
    await answered({ contact: `<sip:100@127.0.0.1:${caller.port};x=${"a".repeat(2000)}>` });
    const cdr = await nth(1);
    assert.equal(cdr.disposition, "answered");
    const peer = cdr.legs.find((l) => l.role === "caller")!.peer;
    assert.ok(peer.startsWith(`sip:100@127.0.0.1:${caller.port};x=aaaa`), peer);
    assert.equal([...peer].length, 512);
    assert.ok(peer.endsWith("…"));
  });

  it("a TAB in the Contact leaves a record", { timeout: 30000 }, async () => {
    await answered({ contact: `<sip:100@127.0.0.1:${caller.port}>;\tx=1;\tdevice="desk\tphone"` });
    const cdr = await nth(2);
    assert.equal(cdr.disposition, "answered");
    assert.ok(!JSON.stringify(cdr).includes("\\t"), "no control character stored");
  });

  it("a 400-character Call-ID leaves a record", { timeout: 30000 }, async () => {
    const callId = `${"c".repeat(390)}@phone`;
    await answered({ callId });
    const cdr = await nth(3);
    const leg = cdr.legs.find((l) => l.role === "caller")!;
    assert.equal(leg.callId, `${"c".repeat(254)}…`);
  });

  it("a 100-digit number leaves a record", { timeout: 30000 }, async () => {
    await assert.rejects(caller.call("1".repeat(100)));
    const cdr = await nth(4);
    assert.equal(cdr.dialed, `${"1".repeat(63)}…`);
    assert.notEqual(cdr.disposition, "answered");
  });

  it("a callee's 486 with a 200-character reason phrase leaves a record", { timeout: 30000 }, async () => {
    await assert.rejects(caller.call("102"), /486/);
    const cdr = await nth(5);
    assert.equal(cdr.disposition, "busy");
    assert.equal(cdr.sipStatus, 486);
    assert.ok(cdr.sipReason.startsWith("Busy BBB"), cdr.sipReason);
    assert.ok([...cdr.sipReason].length <= 128);
    assert.match(parley.output(), /parley started/);
    assert.doesNotMatch(parley.output(), /invalid CDR refused/);
  });
});
