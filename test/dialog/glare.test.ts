import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { glareRetryDelay } from "../../src/dialog/glare.js";
import { establish, pair, request, response, run, SDP } from "./harness.js";

describe("RFC 3261 14.1 glare retry delay", () => {
  it("MUST be 2.1 to 4 s in units of 10 ms when the UAC owns the Call-ID", () => {
    assert.equal(
      glareRetryDelay(true, () => 0),
      2100,
    );
    assert.equal(
      glareRetryDelay(true, () => 0.999999),
      4000,
    );
    assert.equal(glareRetryDelay(true, () => 0.5) % 10, 0);
  });
  it("MUST be 0 to 2 s in units of 10 ms otherwise", () => {
    assert.equal(
      glareRetryDelay(false, () => 0),
      0,
    );
    assert.equal(
      glareRetryDelay(false, () => 0.999999),
      2000,
    );
  });
});

describe("RFC 3261 14.2 UAS behavior for a re-INVITE", () => {
  describe("upon a re-INVITE while Parley's own re-INVITE is in progress", () => {
    it("MUST answer 491 on both sides when both re-INVITE at once", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      const fromAlice = aliceDialog.request("INVITE", { body: SDP });
      const fromBob = bobDialog.request("INVITE", { body: SDP });
      await run(p.clock, 20);
      assert.equal((await fromAlice).status, 491);
      assert.equal((await fromBob).status, 491);
      assert.equal(aliceDialog.invitePending, false);
      assert.equal(aliceDialog.state, "confirmed");
    });

    it("afterGlare() MUST fire after the RFC delay for this side, then the retry succeeds", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      bobDialog.on("request", ({ tx }) => bobDialog.respond(tx, 200, { body: SDP }));
      const first = aliceDialog.request("INVITE", { body: SDP });
      const crossing = bobDialog.request("INVITE", { body: SDP });
      await run(p.clock, 20);
      assert.equal((await first).status, 491);
      assert.equal((await crossing).status, 491);
      const fired: number[] = [];
      const t0 = p.clock.now();
      // Alice sent the dialog-creating INVITE: she owns the Call-ID (random 0.5 -> 3.05 s);
      // Bob does not (1.00 s).
      aliceDialog.afterGlare(() => fired.push(p.clock.now() - t0));
      bobDialog.afterGlare(() => fired.push(-(p.clock.now() - t0)));
      await run(p.clock, 3_100, 10);
      assert.deepEqual(fired, [-1000, 3050]);
      const retry = aliceDialog.request("INVITE", { body: SDP });
      await run(p.clock, 20);
      assert.equal((await retry).status, 200);
    });

    it("a glare timer MUST NOT fire after the dialog ended", async () => {
      const p = pair();
      const { aliceDialog } = await establish(p);
      let fired = false;
      aliceDialog.afterGlare(() => {
        fired = true;
      });
      aliceDialog.close();
      await run(p.clock, 5_000, 100);
      assert.equal(fired, false);
    });
  });

  describe("upon a second INVITE before the first got its final response", () => {
    it("MUST answer 500 with a Retry-After between 0 and 10 s", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      bobDialog.on("request", () => {});
      const first = aliceDialog.request("INVITE", { body: SDP });
      await run(p.clock, 20);
      // The second INVITE goes round the dialog's own guard (a misbehaving peer).
      const second = aliceDialog.createRequest("INVITE", { body: SDP });
      const statuses: number[] = [];
      p.alice.layer.sendRequest(second, aliceDialog.destination(), {
        onResponse: (r) => statuses.push(r.status),
      });
      await run(p.clock, 20);
      assert.deepEqual(statuses, [500]);
      const rejected = p.net.packets(response(500))[0].message!;
      const retryAfter = Number(rejected.get("retry-after"));
      assert.ok(retryAfter >= 0 && retryAfter <= 10);
      void first;
    });
  });

  describe("RFC 3261 14.1 UAC: a re-INVITE while another INVITE is in progress", () => {
    it("MUST NOT be sent", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      bobDialog.on("request", () => {});
      void aliceDialog.request("INVITE", { body: SDP });
      await run(p.clock, 20);
      await assert.rejects(aliceDialog.request("INVITE", { body: SDP }));
      assert.equal(p.net.packets(request("INVITE")).length, 2);
    });
  });
});
