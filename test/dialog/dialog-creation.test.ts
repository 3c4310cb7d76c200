import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DialogEndCause } from "../../src/dialog/types.js";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { both, establish, from, inviteSpec, pair, request, run, SDP, T1 } from "./harness.js";

const P1 = "<sip:127.0.0.1:5070;lr;p=1>";
const P2 = "<sip:127.0.0.2:5080;lr;p=2>";

describe("RFC 3261 12.1.1 UAS behavior", () => {
  describe("upon sending a 1xx with a To tag to an INVITE", () => {
    it("MUST create an early dialog with the request's Record-Route in order and its Contact as remote target", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(180);
      p.alice.dialogs.invite(inviteSpec({ headers: [["Record-Route", `${P1}, ${P2}`]] }));
      await run(p.clock, 20);
      const dialog = p.bob.core.invites[0].dialog!;
      assert.equal(dialog.state, "early");
      assert.equal(dialog.role, "uas");
      assert.deepEqual(dialog.routeSet, [P1, P2]);
      assert.equal(dialog.remoteTarget, p.alice.contact);
      assert.equal(dialog.localTag, p.bob.core.invites[0].localTag);
      assert.equal(p.bob.dialogs.size, 1);
    });

    it("MUST set the remote sequence number from the INVITE's CSeq and leave the local one empty", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(183, { reliable: false });
      const uac = p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      const dialog = p.bob.core.invites[0].dialog!;
      assert.equal(dialog.remoteSeq, uac.request.cseq!.seq);
      assert.equal(dialog.localSeq, undefined);
    });

    it("MUST copy every Record-Route value into the response, in order", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(180);
      p.alice.dialogs.invite(inviteSpec({ headers: [["Record-Route", `${P1}, ${P2}`]] }));
      await run(p.clock, 20);
      const ringing = p.net.packets(both(from(p.bob), (pk) => pk.message?.kind === "response"))[0];
      assert.deepEqual(ringing.message!.getAll("record-route"), [P1, P2]);
      assert.equal(ringing.message!.nameAddrs("contact")[0].uri.raw, p.bob.contact);
    });
  });

  describe("upon sending a 2xx", () => {
    it("MUST move the dialog from early to confirmed", async () => {
      const p = pair();
      const call = await establish(p);
      assert.equal(call.bobDialog.state, "confirmed");
      assert.equal(call.uas.state, "accepted");
    });
  });

  describe("upon a 100 Trying", () => {
    it("MUST NOT create a dialog (a 100 carries no To tag)", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(100);
      p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      assert.equal(p.bob.core.invites[0].dialog, undefined);
      assert.equal(p.alice.dialogs.size, 0);
    });
  });
});

describe("RFC 3261 12.1.2 UAC behavior", () => {
  describe("upon a 1xx with a To tag", () => {
    it("MUST create an early dialog with the Record-Route reversed and the response's Contact as remote target", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(180, { reliable: false });
      const uac = p.alice.dialogs.invite(inviteSpec({ headers: [["Record-Route", `${P1}, ${P2}`]] }));
      await run(p.clock, 20);
      const dialog = [...uac.dialogs.values()][0];
      assert.equal(dialog.state, "early");
      assert.equal(dialog.role, "uac");
      assert.deepEqual(dialog.routeSet, [P2, P1]);
      assert.equal(dialog.remoteTarget, p.bob.contact);
      assert.equal(dialog.localSeq, uac.request.cseq!.seq);
      assert.equal(dialog.remoteSeq, undefined);
      assert.equal(dialog.localTag, uac.localTag);
      assert.equal(
        p.alice.dialogs.findForResponse(p.net.packets(from(p.bob)).at(-1)!.message as never),
        dialog,
      );
    });
  });

  describe("upon a 2xx", () => {
    it("MUST confirm the early dialog, recompute its route set and ACK the 2xx", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => {
        invite.progress(180);
        invite.accept({ body: SDP });
      };
      const events: string[] = [];
      const uac = p.alice.dialogs.invite(inviteSpec({ headers: [["Record-Route", P2]] }));
      uac.on("provisional", ({ dialog }) => dialog?.on("confirmed", () => events.push("confirmed")));
      uac.on("answered", ({ response }) => events.push(`answered ${response.status}`));
      await run(p.clock, 20);
      const dialog = [...uac.dialogs.values()][0];
      assert.equal(dialog.state, "confirmed");
      assert.deepEqual(dialog.routeSet, [P2]);
      assert.deepEqual(events, ["confirmed", "answered 200"]);
      assert.equal(p.net.packets(request("ACK")).length, 1);
      assert.equal(p.bob.core.invites[0].dialog!.state, "confirmed");
    });

    it("MUST create a confirmed dialog directly from a 2xx with no provisional before it", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.accept({ body: SDP });
      const uac = p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      assert.equal(uac.state, "answered");
      assert.equal([...uac.dialogs.values()][0].state, "confirmed");
    });
  });

  describe("upon provisionals from several forks", () => {
    it("MUST create one early dialog per To tag, and end the unanswered ones when the transaction ends", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => {
        const req = invite.request;
        for (const tag of ["fork-1", "fork-2"]) {
          const r = createResponse(req, 180, undefined, {
            toTag: tag,
            headers: [["Contact", `<sip:${tag}@127.0.0.2:5080>`]],
          });
          invite.tx.respond(r);
        }
        invite.tx.respond(
          createResponse(req, 200, undefined, {
            toTag: "fork-2",
            headers: [["Contact", "<sip:fork-2@127.0.0.2:5080>"]],
          }),
        );
      };
      const uac = p.alice.dialogs.invite(inviteSpec());
      const ended: DialogEndCause[] = [];
      uac.on("provisional", ({ dialog }) => dialog?.once("terminated", ({ cause }) => ended.push(cause)));
      await run(p.clock, 20);
      assert.deepEqual([...uac.dialogs.keys()], ["fork-1", "fork-2"]);
      assert.equal(uac.dialogs.get("fork-1")!.state, "early");
      assert.equal(uac.dialogs.get("fork-2")!.state, "confirmed");
      assert.equal(uac.dialogs.get("fork-2")!.remoteTarget, "sip:fork-2@127.0.0.2:5080");
      // RFC 6026 8.4: Timer M (64*T1) ends the INVITE client transaction.
      await run(p.clock, 64 * T1 + 100, 100);
      assert.equal(uac.dialogs.get("fork-1")!.state, "terminated");
      assert.deepEqual(ended, ["not-answered"]);
      assert.equal(p.alice.dialogs.size, 1);
    });
  });

  describe("upon a non-2xx final response", () => {
    it("MUST terminate the early dialogs of the INVITE on both sides", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => {
        invite.progress(180);
        invite.reject(486);
      };
      const uac = p.alice.dialogs.invite(inviteSpec());
      const failed: number[] = [];
      uac.on("failed", ({ response }) => failed.push(response.status));
      await run(p.clock, 20);
      assert.deepEqual(failed, [486]);
      assert.equal([...uac.dialogs.values()][0].state, "terminated");
      assert.equal(p.bob.core.invites[0].dialog!.state, "terminated");
      assert.equal(p.alice.dialogs.size + p.bob.dialogs.size, 0);
    });
  });
});

describe("RFC 3261 9 CANCEL of a dialog-creating INVITE", () => {
  describe("upon cancel() after a provisional", () => {
    it("MUST send CANCEL with the Reason; the UAS answers 487 and both early dialogs end", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(180);
      const uac = p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      const cancelled: number[] = [];
      p.bob.core.invites[0].on("cancelled", ({ status }) => cancelled.push(status));
      const failed: number[] = [];
      uac.on("failed", ({ response }) => failed.push(response.status));
      assert.equal(uac.cancel('SIP;cause=200;text="Call completed elsewhere"'), true);
      await run(p.clock, 20);
      const cancel = p.net.packets(request("CANCEL"))[0].message as SipRequest;
      assert.equal(cancel.get("reason"), 'SIP;cause=200;text="Call completed elsewhere"');
      assert.deepEqual(cancelled, [487]);
      assert.deepEqual(failed, [487]);
      assert.equal(p.alice.dialogs.size + p.bob.dialogs.size, 0);
    });
  });

  describe("upon cancel() before any provisional", () => {
    it("MUST NOT send the CANCEL until a provisional arrives (RFC 3261 9.1)", async () => {
      const p = pair();
      p.bob.core.onInvite = () => {};
      const uac = p.alice.dialogs.invite(inviteSpec());
      uac.cancel();
      await run(p.clock, 100);
      assert.equal(p.net.packets(request("CANCEL")).length, 0);
      // The INVITE server transaction's 100 Trying (RFC 3261 17.2.1, 200 ms) lets the CANCEL go.
      await run(p.clock, 200);
      assert.equal(p.net.packets(request("CANCEL")).length, 1);
    });
  });
});
