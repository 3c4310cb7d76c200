/**
 * Requirement (RFC 5589 with Parley as the B2BUA between all parties): a REFER inside an answered
 * call is accepted 202 and its progress reported by NOTIFY message/sipfrag (RFC 3515 2.4.4-2.4.7);
 * a blind transfer rings the target with Referred-By (RFC 3892) and joins it to the transferee; an
 * attended transfer with Replaces (RFC 3891) joins the transferee to the consulted party and ends
 * the replaced dialog; a failed transfer leaves the call as it was; a REFER outside any call is
 * refused 403. Media moves by re-INVITE (RFC 3725 flow I), checked by whose SDP arrives where.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Dialog } from "../../src/dialog/index.js";
import { answered, onlyCdr } from "./flows.js";
import { createEngineHarness, DOMAIN } from "./harness.js";
import type { Phone } from "./phone.js";

/** The sipfrag status lines of the NOTIFYs a transferor received, with their subscription state. */
function notifies(phone: Phone): Array<[string, string]> {
  return phone
    .got("NOTIFY")
    .map((n) => [n.body.toString().trim(), (n.get("subscription-state") ?? "").split(";")[0]!]);
}

function refer(dialog: Dialog, target: string) {
  return dialog.request("REFER", {
    headers: [
      ["Refer-To", `<sip:${target}@${DOMAIN.realm}>`],
      ["Referred-By", `<sip:101@${DOMAIN.realm}>`],
    ],
  });
}

function threeUsers() {
  const h = createEngineHarness();
  return { h, alice: h.phone("100"), bob: h.phone("101"), carol: h.phone("102") };
}

describe("a blind transfer (RFC 5589 6)", () => {
  it("MUST accept the REFER 202, ring the target with Referred-By and report 100, 180, 200 by NOTIFY sipfrag", async () => {
    const { h, alice, bob, carol } = threeUsers();
    const { calleeDialog } = await answered(h, alice, bob);
    const accepted = await h.until(refer(calleeDialog, "102"));
    assert.equal(accepted.status, 202, "RFC 3515 2.4.2: 202 Accepted");
    await h.run(50);
    const invite = carol.lastInvite.request;
    assert.equal(invite.get("referred-by"), `<sip:101@${DOMAIN.realm}>`, "RFC 3892: who asked for the call");
    assert.equal(invite.from?.uri.user, "100", "the target sees the transferee calling");
    assert.equal(invite.body.length, 0, "an offerless INVITE asks the target for an offer (RFC 3725 flow I)");
    carol.answer();
    await h.run(100);
    assert.deepEqual(notifies(bob), [
      ["SIP/2.0 100 Trying", "active"],
      ["SIP/2.0 180 Ringing", "active"],
      ["SIP/2.0 200 OK", "terminated"],
    ]);
    for (const notify of bob.got("NOTIFY")) {
      assert.equal(notify.get("event"), "refer");
      assert.match(notify.get("content-type") ?? "", /^message\/sipfrag/);
    }
  });

  it("joins the transferee to the target: the target's SDP reaches the transferee, and their BYE ends both", async () => {
    const { h, alice, bob, carol } = threeUsers();
    const { call, calleeDialog } = await answered(h, alice, bob);
    await h.until(refer(calleeDialog, "102"));
    await h.run(50);
    carol.answer();
    await h.run(100);
    const reinvite = alice.got("INVITE").at(-1);
    assert.match(
      reinvite?.body.toString() ?? "",
      /^o=102 /m,
      "the transferee is re-INVITEd with the target's offer",
    );
    assert.equal(carol.got("ACK").length, 1);
    assert.match(
      carol.got("ACK")[0]!.body.toString(),
      /^o=100 /m,
      "the target's ACK carries the transferee's answer",
    );
    // RFC 5589 6: the transferor hangs up; the call goes on without it.
    assert.equal((await h.until(calleeDialog.bye())).status, 200);
    await h.run(50);
    assert.equal(alice.got("BYE").length, 0, "the transferor's BYE does not end the transferee's call");
    assert.equal(h.activeCalls(), 1);
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(carol.got("BYE").length, 1, "the transferee's BYE reaches the target");
    const cdr = onlyCdr(h);
    assert.equal(cdr.caller, "100");
    assert.equal(cdr.callee, "102", "the final callee is the transfer target");
    assert.equal(h.activeCalls(), 0);
  });

  it("ends the transferor's dialog itself when the transferor stays on after the transfer (RFC 5589 6)", async () => {
    const { h, alice, bob, carol } = threeUsers();
    const { calleeDialog } = await answered(h, alice, bob);
    await h.until(refer(calleeDialog, "102"));
    await h.run(50);
    carol.answer();
    await h.run(100);
    await h.run(33_000, 500);
    assert.equal(bob.got("BYE").length, 1, "Parley sends the BYE the transferor did not");
    assert.equal(calleeDialog.state, "terminated");
    assert.equal(h.activeCalls(), 1, "the transferee and the target still talk");
  });

  it("reports a target that does not exist by NOTIFY 404; the call goes on", async () => {
    const { h, alice, bob } = threeUsers();
    const { call, calleeDialog } = await answered(h, alice, bob);
    await h.until(refer(calleeDialog, "999"));
    await h.run(50);
    assert.deepEqual(notifies(bob).at(-1), ["SIP/2.0 404 Not Found", "terminated"]);
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(bob.got("BYE").length, 1, "the transferee's BYE still reaches the transferor");
  });

  it("reports a target that rejects the call by NOTIFY with its status", async () => {
    const { h, alice, bob, carol } = threeUsers();
    carol.onIncoming = 486;
    const { calleeDialog } = await answered(h, alice, bob);
    await h.until(refer(calleeDialog, "102"));
    await h.run(50);
    assert.deepEqual(notifies(bob).at(-1), ["SIP/2.0 486 Busy Here", "terminated"]);
    assert.equal(h.activeCalls(), 1);
  });
});

describe("an attended transfer with Replaces (RFC 5589 7, RFC 3891)", () => {
  it("joins the transferee to the consulted target, ends the replaced dialog, and reports 200 by NOTIFY", async () => {
    const { h, alice, bob, carol } = threeUsers();
    const first = await answered(h, alice, bob);
    const consult = await answered(h, bob, carol);
    const mine = consult.call.dialog!;
    // RFC 3891 3: the dialog as the transferor sees it: Call-ID, to-tag (remote), from-tag (local).
    const replaces = encodeURIComponent(`${mine.callId};to-tag=${mine.remoteTag};from-tag=${mine.localTag}`);
    const accepted = await h.until(
      first.calleeDialog.request("REFER", {
        headers: [["Refer-To", `<sip:102@${DOMAIN.realm}?Replaces=${replaces}>`]],
      }),
    );
    assert.equal(accepted.status, 202);
    await h.run(200);
    assert.deepEqual(notifies(bob).at(-1), ["SIP/2.0 200 OK", "terminated"]);
    assert.equal(mine.state, "terminated", "RFC 3891 3: the replaced dialog is ended with BYE");
    assert.equal(bob.got("BYE").length, 1);
    // The target is asked for an offer (offerless re-INVITE), which goes to the transferee.
    const solicit = carol.got("INVITE").at(-1);
    assert.equal(solicit?.body.length, 0);
    assert.match(alice.got("INVITE").at(-1)?.body.toString() ?? "", /^o=102 /m);
    await h.until(first.calleeDialog.bye());
    await h.until(first.call.hangup());
    await h.run(50);
    assert.equal(carol.got("BYE").length, 1, "the transferee now talks to the target: its BYE reaches it");
    assert.equal(h.activeCalls(), 0);
    const consultCdr = h.cdrs.find((c) => c.caller === "101");
    assert.equal(consultCdr?.sipReason, "Transferred");
    const joinedCdr = h.cdrs.find((c) => c.caller === "100");
    assert.equal(joinedCdr?.callee, "102");
  });

  it("reports a Replaces naming no dialog by NOTIFY 481 (RFC 3891 3); the call goes on", async () => {
    const { h, alice, bob } = threeUsers();
    const { call, calleeDialog } = await answered(h, alice, bob);
    await h.until(
      calleeDialog.request("REFER", {
        headers: [["Refer-To", `<sip:102@${DOMAIN.realm}?Replaces=nosuch%3Bto-tag%3Da%3Bfrom-tag%3Db>`]],
      }),
    );
    await h.run(50);
    assert.deepEqual(notifies(bob).at(-1), ["SIP/2.0 481 Call/Transaction Does Not Exist", "terminated"]);
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(bob.got("BYE").length, 1);
  });
});

describe("a REFER", () => {
  it("outside any call is refused 403 (RFC 3515 2.4.2: Parley transfers only calls it bridges)", async () => {
    const { h, bob } = threeUsers();
    const answer = await h.until(bob.send("REFER", "100", [["Refer-To", `<sip:102@${DOMAIN.realm}>`]]));
    assert.equal(answer.status, 403);
    assert.equal(answer.reason, "REFER Outside A Call Not Allowed");
  });

  it("without Refer-To is answered 400 (RFC 3515 2.4.1)", async () => {
    const { h, alice, bob } = threeUsers();
    const { calleeDialog } = await answered(h, alice, bob);
    const answer = await h.until(calleeDialog.request("REFER"));
    assert.equal(answer.status, 400);
    assert.equal(h.activeCalls(), 1);
  });
});
