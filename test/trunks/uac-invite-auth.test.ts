/**
 * A B2BUA leg toward a provider (RFC 3261 22.2, 22.3): UacInvite answers a 401/407 with the
 * line's credentials in a new INVITE (same Call-ID and From tag, next CSeq), gives up when the
 * same challenge comes back, and leaves 100rel out of Supported when the line says so. Loop
 * network, virtual clock.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectedResponse, ha1, parseCredentials } from "../../src/auth/digest.js";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { DigestClient } from "../../src/trunks/digest-client.js";
import { establish, inviteSpec, pair, request, run, SDP } from "../dialog/harness.js";

const CHALLENGE = 'Digest realm="provider", nonce="abc123", algorithm=MD5, qop="auth"';

describe("UacInvite with credentials", () => {
  describe("upon a 407 to the INVITE", () => {
    it("MUST retry with Proxy-Authorization, the same Call-ID and From tag, the next CSeq", async () => {
      const p = pair();
      let seen = 0;
      p.bob.core.onInvite = (invite) => {
        seen++;
        if (seen === 1) {
          invite.reject(407, {
            reason: "Proxy Authentication Required",
            headers: [["Proxy-Authenticate", CHALLENGE]],
          });
          return;
        }
        invite.accept({ body: SDP });
      };
      const digest = new DigestClient({ username: "line-1", password: "pw" });
      const uac = p.alice.dialogs.invite(
        inviteSpec({ authorize: (challenge, req) => digest.authorize(challenge, req) }),
      );
      await run(p.clock, 50);
      assert.equal(uac.state, "answered");
      const [first, second] = p.net.packets(request("INVITE")).map((pk) => pk.message as SipRequest);
      assert.ok(first && second);
      assert.equal(second.callId, first.callId);
      assert.equal(second.from?.tag, first.from?.tag);
      assert.equal(second.cseq?.seq, (first.cseq?.seq ?? 0) + 1);
      const c = parseCredentials(second.get("proxy-authorization") ?? "");
      assert.ok(c);
      assert.equal(c.username, "line-1");
      assert.equal(
        c.response,
        expectedResponse({
          algorithm: "MD5",
          ha1: ha1("MD5", "line-1", "provider", "pw"),
          method: "INVITE",
          uri: second.uriText,
          nonce: "abc123",
          qop: "auth",
          nc: c.nc,
          cnonce: c.cnonce,
        }),
      );
    });

    it("MUST NOT loop when the provider challenges the same nonce again: it fails with the 407", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) =>
        invite.reject(407, {
          reason: "Proxy Authentication Required",
          headers: [["Proxy-Authenticate", CHALLENGE]],
        });
      const digest = new DigestClient({ username: "line-1", password: "wrong" });
      const uac = p.alice.dialogs.invite(
        inviteSpec({ authorize: (challenge, req) => digest.authorize(challenge, req) }),
      );
      let failed = 0;
      uac.on("failed", ({ response }) => {
        failed = response.status;
      });
      await run(p.clock, 50);
      assert.equal(failed, 407);
      assert.equal(p.net.packets(request("INVITE")).length, 2);
    });
  });

  it("without credentials a 401 fails the INVITE at once", async () => {
    const p = pair();
    p.bob.core.onInvite = (invite) =>
      invite.reject(401, { reason: "Unauthorized", headers: [["WWW-Authenticate", CHALLENGE]] });
    const uac = p.alice.dialogs.invite(inviteSpec());
    await run(p.clock, 50);
    assert.equal(uac.state, "failed");
    assert.equal(p.net.packets(request("INVITE")).length, 1);
  });

  it("no100rel leaves 100rel out of Supported (timer stays when session timers are on)", async () => {
    const p = pair({ sessionTimer: { enabled: true } });
    p.bob.core.onInvite = (invite) => invite.accept({ body: SDP });
    p.alice.dialogs.invite(inviteSpec({ no100rel: true }));
    await run(p.clock, 20);
    const [invite] = p.net.packets(request("INVITE")).map((pk) => pk.message!);
    assert.equal(invite?.get("supported"), "timer");
  });
});

describe("a dialog of an INVITE with credentials", () => {
  /** Bob challenges the first request of `method` in the dialog with 401. */
  function challengeFirst(p: ReturnType<typeof pair>, method: string): void {
    const original = p.bob.dialogs.receiveRequest.bind(p.bob.dialogs);
    let challenged = false;
    p.bob.dialogs.receiveRequest = (rx, tx) => {
      const req = rx.message as SipRequest;
      if (req.method === method && !challenged) {
        challenged = true;
        tx.respond(createResponse(req, 401, undefined, { headers: [["WWW-Authenticate", CHALLENGE]] }));
        return true;
      }
      return original(rx, tx);
    };
  }

  it("answers a challenged BYE once with Authorization and the next CSeq (RFC 3261 22.2)", async () => {
    const p = pair();
    const digest = new DigestClient({ username: "line-1", password: "pw" });
    const { aliceDialog } = await establish(p, { authorize: (c, r) => digest.authorize(c, r) });
    challengeFirst(p, "BYE");
    const done = aliceDialog.bye();
    await run(p.clock, 50);
    assert.equal((await done).status, 200);
    const byes = p.net.packets(request("BYE")).map((pk) => pk.message as SipRequest);
    assert.equal(byes.length, 2);
    assert.equal(byes[1]!.cseq?.seq, (byes[0]!.cseq?.seq ?? 0) + 1);
    assert.match(byes[1]!.get("authorization") ?? "", /username="line-1"/);
  });

  it("answers a challenged re-INVITE the same way", async () => {
    const p = pair();
    const digest = new DigestClient({ username: "line-1", password: "pw" });
    const { aliceDialog, bobDialog } = await establish(p, { authorize: (c, r) => digest.authorize(c, r) });
    bobDialog.on("request", ({ tx }) => bobDialog.respond(tx, 200, { body: SDP }));
    challengeFirst(p, "INVITE");
    const answer = aliceDialog.request("INVITE", { body: SDP });
    await run(p.clock, 50);
    assert.equal((await answer).status, 200);
    const reinvites = p.net
      .packets(request("INVITE"))
      .map((pk) => pk.message as SipRequest)
      .slice(1);
    assert.equal(reinvites.length, 2);
    assert.ok(reinvites[1]!.get("authorization"));
    assert.equal(aliceDialog.invitePending, false);
  });

  it("without credentials a challenged BYE simply ends with the 401", async () => {
    const p = pair();
    const { aliceDialog } = await establish(p);
    challengeFirst(p, "BYE");
    const done = aliceDialog.bye();
    await run(p.clock, 50);
    assert.equal((await done).status, 401);
    assert.equal(p.net.packets(request("BYE")).length, 1);
  });
});
