import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import { both, establish, from, pair, request, response, run, T1, T2 } from "./harness.js";

const invite200 = (p: { status: number; method?: string }) => p.status === 200 && p.method === "INVITE";
function is2xxToInvite(pk: { message?: unknown }): boolean {
  const m = pk.message as SipResponse | undefined;
  return m?.kind === "response" && invite200({ status: m.status, method: m.cseq?.method });
}

describe("RFC 3261 13.3.1.4 the UAS core retransmits its 2xx to an INVITE", () => {
  describe("while no ACK arrives", () => {
    it("MUST retransmit at T1, then doubling up to T2", async () => {
      const p = pair();
      p.net.dropAll(request("ACK"));
      await establish(p);
      const start = p.net.times(is2xxToInvite)[0];
      await run(p.clock, 12_000, 50);
      const gaps = p.net
        .times(both(from(p.bob), is2xxToInvite))
        .map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]))
        .slice(1);
      assert.deepEqual(gaps, [T1, 2 * T1, 4 * T1, T2, T2]);
      assert.ok(start >= 0);
    });

    it("MUST give up after 64*T1 and report ackTimeout so the TU can send BYE", async () => {
      const p = pair();
      p.net.dropAll(request("ACK"));
      const { bobDialog } = await establish(p);
      const timeouts: number[] = [];
      bobDialog.on("ackTimeout", () => timeouts.push(p.clock.now()));
      await run(p.clock, 64 * T1 - 100, 100);
      assert.deepEqual(timeouts, []);
      await run(p.clock, 200, 50);
      assert.equal(timeouts.length, 1);
      const count = p.net.packets(both(from(p.bob), is2xxToInvite)).length;
      await run(p.clock, 10_000, 100);
      assert.equal(p.net.packets(both(from(p.bob), is2xxToInvite)).length, count);
      // RFC 3261 13.3.1.4: "the dialog is confirmed, but the session SHOULD be terminated".
      assert.equal(bobDialog.state, "confirmed");
      const bye = bobDialog.bye();
      await run(p.clock, 20);
      assert.equal((await bye).status, 200);
    });
  });

  describe("upon the ACK", () => {
    it("MUST stop retransmitting and report the ACK once", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => {
        const dialog = invite.accept();
        dialog.on("ack", () => acks.push(p.clock.now()));
      };
      const acks: number[] = [];
      p.alice.dialogs.invite({ uri: "sip:bob@127.0.0.2:5080", from: "<sip:a@x>", to: "<sip:b@x>" });
      await run(p.clock, 10_000, 100);
      assert.equal(p.net.packets(both(from(p.bob), is2xxToInvite)).length, 1);
      assert.equal(acks.length, 1);
    });
  });
});

describe("RFC 3261 13.2.2.4 the UAC core ACKs a 2xx", () => {
  it("MUST send the ACK outside any transaction, with the INVITE's CSeq number and a new branch", async () => {
    const p = pair();
    const { uac } = await establish(p);
    const ack = p.net.packets(request("ACK"))[0].message!;
    assert.equal(ack.cseq!.seq, uac.request.cseq!.seq);
    assert.equal(ack.cseq!.method, "ACK");
    assert.notEqual(ack.topVia!.branch, uac.request.topVia!.branch);
    assert.equal(p.alice.layer.clientCount, 1, "only the INVITE client transaction lives");
  });

  it("MUST carry the INVITE's credentials", async () => {
    const p = pair();
    await establish(p, { headers: [["Proxy-Authorization", 'Digest username="a", nonce="n"']] });
    const ack = p.net.packets(request("ACK"))[0].message!;
    assert.equal(ack.get("proxy-authorization"), 'Digest username="a", nonce="n"');
  });

  describe("upon a retransmission of the 2xx", () => {
    it("MUST send the ACK again (the first one was lost)", async () => {
      const p = pair();
      p.net.dropNext(1, request("ACK"));
      const acked: number[] = [];
      p.bob.core.onInvite = (invite) => {
        invite.accept().on("ack", () => acked.push(p.clock.now()));
      };
      p.alice.dialogs.invite({ uri: "sip:bob@127.0.0.2:5080", from: "<sip:a@x>", to: "<sip:b@x>" });
      await run(p.clock, 5_000, 50);
      assert.equal(p.net.packets(request("ACK")).length, 2);
      assert.equal(p.net.packets(both(from(p.bob), is2xxToInvite)).length, 2);
      assert.deepEqual(acked, [T1]);
    });

    it("MUST send the ACK again when the 2xx arrives after the INVITE transaction ended (stray response)", async () => {
      const p = pair();
      await establish(p);
      await run(p.clock, 64 * T1 + 1_000, 500);
      assert.equal(p.alice.layer.clientCount, 0);
      const ok = p.net.packets(both(from(p.bob), is2xxToInvite))[0];
      await p.net.transmit(p.bob.endpoint, p.alice.endpoint.local, "UDP", ok.message!);
      await run(p.clock, 20);
      assert.equal(p.alice.core.strays.length, 1);
      assert.equal(p.net.packets(request("ACK")).length, 2);
      assert.equal(p.net.packets(response(200)).length >= 2, true);
    });
  });

  describe("with manualAck (late offer)", () => {
    it("MUST NOT ACK until the TU calls ack() with the answer", async () => {
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.accept({ body: "offer" });
      const uac = p.alice.dialogs.invite({
        uri: "sip:bob@127.0.0.2:5080",
        from: "<sip:a@x>",
        to: "<sip:b@x>",
        manualAck: true,
      });
      let ackBody = "";
      uac.on("answered", ({ dialog }) => {
        dialog.ack(uac.request, { body: "answer" });
      });
      p.bob.core.onInvite = (invite) => {
        invite.accept({ body: "offer" }).on("ack", ({ request: ack }) => {
          ackBody = ack.body.toString();
        });
      };
      await run(p.clock, 20);
      assert.equal(ackBody, "answer");
    });

    it("MUST send the same ACK, answer included, for a retransmission of the 2xx", async () => {
      const p = pair();
      p.net.dropNext(1, request("ACK"));
      const uac = p.alice.dialogs.invite({
        uri: "sip:bob@127.0.0.2:5080",
        from: "<sip:a@x>",
        to: "<sip:b@x>",
        manualAck: true,
      });
      uac.on("answered", ({ dialog }) => dialog.ack(uac.request, { body: "answer" }));
      const acked: string[] = [];
      p.bob.core.onInvite = (invite) => {
        invite.accept({ body: "offer" }).on("ack", ({ request: ack }) => acked.push(ack.body.toString()));
      };
      await run(p.clock, 5_000, 50);
      const acks = p.net.packets(request("ACK")).map((pk) => pk.message as SipRequest);
      assert.equal(acks.length, 2);
      assert.equal(acks[1].topVia?.branch, acks[0].topVia?.branch);
      assert.equal(acks[1].serialize().toString("latin1"), acks[0].serialize().toString("latin1"));
      assert.deepEqual(acked, ["answer"]);
    });
  });
});
