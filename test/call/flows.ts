/**
 * Call flows the engine tests start from, told in SIP: a call rung, a call answered. Assertions on
 * what crossed the wire read the phones' received messages and the loop network's packets.
 */
import assert from "node:assert/strict";
import type { Dialog } from "../../src/dialog/index.js";
import type { NewCallRecord } from "../../src/store/cdr-model.js";
import type { EngineHarness } from "./harness.js";
import type { OutgoingCall, Phone } from "./phone.js";

/** `caller` dials `number`; every phone named in `rung` receives its INVITE and rings (180). */
export async function ring(h: EngineHarness, caller: Phone, number: string, rung: readonly Phone[]) {
  const call = caller.call(number);
  await h.run(50);
  for (const phone of rung) assert.equal(phone.invites.length, 1, `${phone.contact} is rung once`);
  // RFC 3261 16.2 / 17.2.1: 100 Trying to each INVITE (the first one challenged, then its retry).
  assert.equal(call.statuses[0], 100, "the caller hears 100 Trying at once");
  assert.equal(call.statuses.at(-1), 180, "then the callee's 180 Ringing");
  return call;
}

/** `caller` calls `callee`'s user, `callee` answers: both legs confirmed. */
export async function answered(
  h: EngineHarness,
  caller: Phone,
  callee: Phone,
): Promise<{ call: OutgoingCall; calleeDialog: Dialog }> {
  const call = await ring(h, caller, callee.user, [callee]);
  const calleeDialog = callee.answer();
  await h.run(50);
  assert.equal(call.status, 200, "the caller receives the callee's 200");
  assert.equal(call.dialog?.state, "confirmed");
  assert.equal(calleeDialog.state, "confirmed", "Parley ACKed the callee's 200");
  return { call, calleeDialog };
}

/** The one CDR written (fails when there is none or more). */
export function onlyCdr(h: EngineHarness): NewCallRecord {
  assert.equal(h.cdrs.length, 1, `one CDR, got ${JSON.stringify(h.cdrs)}`);
  return h.cdrs[0]!;
}
