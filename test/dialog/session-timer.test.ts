import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMinSE, parseSessionExpires } from "../../src/dialog/headers.js";
import { negotiateAsUas } from "../../src/dialog/session-timer-negotiation.js";
import { createRequest } from "../../src/sip/index.js";
import { establish, pair, request, response, run } from "./harness.js";

const SETTINGS = { enabled: true, interval: 1800, minSE: 90 };

function invite(headers: Array<[string, string]>) {
  return createRequest({
    method: "INVITE",
    uri: "sip:b@10.0.0.2",
    headers: [["Via", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1"], ["CSeq", "1 INVITE"], ...headers],
  });
}

describe("RFC 4028 9 UAS negotiation", () => {
  it("MUST reject a Session-Expires below its minimum with 422 and its Min-SE", () => {
    assert.deepEqual(negotiateAsUas(invite([["Session-Expires", "60"]]), SETTINGS), {
      kind: "reject",
      minSE: 90,
    });
  });
  it("keeps the requested interval and lets a supporting UAC refresh when it did not choose", () => {
    assert.deepEqual(
      negotiateAsUas(
        invite([
          ["Supported", "timer"],
          ["Session-Expires", "600"],
        ]),
        SETTINGS,
      ),
      {
        kind: "accept",
        interval: 600,
        refresher: "uac",
        require: true,
      },
    );
  });
  it("MUST make the UAS the refresher when the UAC does not support timer", () => {
    assert.deepEqual(negotiateAsUas(invite([["Session-Expires", "600;refresher=uac"]]), SETTINGS), {
      kind: "accept",
      interval: 600,
      refresher: "uas",
      require: false,
    });
  });
  it("MAY add its own interval when the request carries no Session-Expires, never below the request's Min-SE", () => {
    const n = negotiateAsUas(
      invite([
        ["Supported", "timer"],
        ["Min-SE", "2000"],
      ]),
      SETTINGS,
    );
    assert.deepEqual(n, { kind: "accept", interval: 2000, refresher: "uac", require: true });
  });
  it("does nothing when session timers are off", () => {
    assert.deepEqual(negotiateAsUas(invite([["Session-Expires", "60"]]), { ...SETTINGS, enabled: false }), {
      kind: "none",
    });
  });
});

describe("RFC 4028 6 / 7.4 the 422 response", () => {
  describe("upon an INVITE whose Session-Expires is below the UAS's Min-SE", () => {
    it("the UAS MUST answer 422 with Min-SE, and the UAC retries with that interval", async () => {
      const p = pair(
        { sessionTimer: { enabled: true, interval: 120, minSE: 90 } },
        { sessionTimer: { enabled: true, minSE: 300 } },
      );
      const { uac, bobDialog } = await establish(p);
      const rejected = p.net.packets(response(422))[0].message!;
      assert.equal(parseMinSE(rejected), 300);
      const invites = p.net.packets(request("INVITE")).map((pk) => pk.message!);
      assert.equal(invites.length, 2);
      assert.equal(parseSessionExpires(invites[0])!.interval, 120);
      assert.equal(parseSessionExpires(invites[1])!.interval, 300);
      assert.equal(parseMinSE(invites[1]), 300);
      assert.equal(invites[1].cseq!.seq, invites[0].cseq!.seq + 1);
      assert.equal(invites[1].callId, invites[0].callId);
      assert.equal(uac.state, "answered");
      assert.equal(bobDialog.session.interval, 300);
    });
  });
});

describe("RFC 4028 10 running the session timer", () => {
  const both = { sessionTimer: { enabled: true, interval: 90, minSE: 90 } };

  describe("when the UAC is the refresher and the peer allows UPDATE", () => {
    it("MUST refresh with UPDATE at half the interval; the refresh restarts both sides' timers", async () => {
      const p = pair(both, both);
      const call = await establish(p);
      // Bob's 2xx lists UPDATE in Allow.
      call.aliceDialog.peerAllowsUpdate = true;
      const ok = p.net.packets(response(200))[0].message!;
      assert.deepEqual(parseSessionExpires(ok), { interval: 90, refresher: "uac" });
      assert.equal(ok.get("require"), "timer");
      assert.equal(call.aliceDialog.session.localRefresher, true);
      assert.equal(call.bobDialog.session.localRefresher, false);
      const refreshed: string[] = [];
      call.aliceDialog.on("sessionRefreshed", () => refreshed.push(`alice ${p.clock.now()}`));
      call.bobDialog.on("sessionRefreshed", () => refreshed.push(`bob ${p.clock.now()}`));
      const okAt = p.net.packets(response(200))[0].at;
      await run(p.clock, 45_000 + 100, 100);
      const update = p.net.packets(request("UPDATE"));
      assert.equal(update.length, 1);
      assert.equal(update[0].at - okAt, 45_000);
      assert.equal(refreshed.length, 2);
      assert.equal(call.bobDialog.state, "confirmed");
    });
  });

  describe("when the peer does not allow UPDATE", () => {
    it("MUST refresh with a re-INVITE carrying the last session description", async () => {
      const p = pair(both, both);
      const call = await establish(p);
      call.bobDialog.on("request", ({ tx }) => call.bobDialog.respond(tx, 200, { body: "v=0\r\n" }));
      await run(p.clock, 45_000 + 100, 100);
      const reinvite = p.net.packets(request("INVITE"))[1];
      assert.ok(reinvite !== undefined);
      assert.equal(reinvite.message!.body.toString(), call.uac.request.body.toString());
      assert.equal(p.net.packets(request("ACK")).length, 2);
    });
  });

  describe("when no refresh arrives", () => {
    it("MUST report sessionExpired at the interval minus min(32, interval/3) seconds", async () => {
      const p = pair(both, both);
      const call = await establish(p);
      p.net.dropAll(request("INVITE"));
      const expired: number[] = [];
      const t0 = p.clock.now();
      call.bobDialog.on("sessionExpired", () => expired.push(p.clock.now() - t0));
      await run(p.clock, 70_000, 100);
      // 90 - min(32, 30) = 60 s after the 2xx.
      assert.equal(expired.length, 1);
      assert.ok(Math.abs(expired[0] - 60_000) <= 20, `expired at ${expired[0]}`);
    });

    it("the refresher whose refresh got no answer MUST report sessionExpired at the same point", async () => {
      const p = pair(both, both);
      const call = await establish(p);
      assert.equal(call.aliceDialog.session.localRefresher, true);
      p.net.dropAll(request("INVITE"));
      const expired: number[] = [];
      const t0 = p.clock.now();
      call.aliceDialog.on("sessionExpired", () => expired.push(p.clock.now() - t0));
      await run(p.clock, 70_000, 100);
      // The refresh went at 45 s and got nothing; 90 - min(32, 30) = 60 s after the 2xx.
      assert.equal(p.net.packets(request("INVITE")).length >= 2, true);
      assert.equal(expired.length, 1);
      assert.ok(Math.abs(expired[0] - 60_000) <= 20, `expired at ${expired[0]}`);
    });
  });

  describe("when the UAC does not support timer", () => {
    it("the UAS MUST be the refresher, and keeps refreshing though the 2xx carries no Session-Expires", async () => {
      const p = pair({}, both);
      const call = await establish(p, { headers: [["Allow", "INVITE, ACK, BYE, UPDATE"]] });
      const ok = p.net.packets(response(200))[0].message!;
      assert.deepEqual(parseSessionExpires(ok), { interval: 90, refresher: "uas" });
      assert.equal(ok.get("require"), undefined);
      assert.equal(call.bobDialog.session.localRefresher, true);
      call.aliceDialog.on("request", ({ tx }) => call.aliceDialog.respond(tx, 200));
      const expired: number[] = [];
      call.bobDialog.on("sessionExpired", () => expired.push(p.clock.now()));
      await run(p.clock, 100_000, 100);
      assert.equal(p.net.packets(request("UPDATE")).length, 2);
      assert.deepEqual(expired, []);
    });
  });
});
