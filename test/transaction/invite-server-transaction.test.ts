import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SipRequest } from "../../src/sip/types.js";
import type { ServerTransaction } from "../../src/transaction/index.js";
import type { ReceivedMessage, TransportProtocol } from "../../src/transport/types.js";
import { answer, harness, isResponse, layerOn, request, settle, T1, T2, T4 } from "./harness.js";

/**
 * A TransactionLayer on "uas"; a raw peer "uac" sends an INVITE (and can resend it or ACK).
 * `respondAt0` lets the TU answer synchronously from onRequest.
 */
function setup(
  protocol: TransportProtocol = "UDP",
  respondAt0?: (rx: ReceivedMessage, tx: ServerTransaction) => void,
) {
  const h = harness();
  const { layer, user } = layerOn(h, h.uas);
  user.onRequestHook = respondAt0;
  const atUac: ReceivedMessage[] = [];
  h.uac.onMessage((rx) => atUac.push(rx));
  const invite = request({ method: "INVITE", protocol });
  const dest = h.uas.destination(protocol);
  h.uac.sendRequest(invite, dest);
  h.clock.advance(0);
  const tx = () => user.requests[0].tx;
  const rx = () => user.requests[0].rx;
  /** Resend the very same INVITE bytes (a retransmission). */
  const retransmit = () => {
    h.uac.sendRequest(invite, dest);
    h.clock.advance(0);
  };
  /** The ACK a client transaction would build for the final response (17.1.1.3). */
  const ack = (toTag = "b-tag") => {
    const a = request({ method: "ACK", via: invite.topVia?.raw, callId: invite.callId, toTag });
    h.uac.sendRequest(a, dest);
    h.clock.advance(0);
  };
  const statuses = () => atUac.map((m) => (m.message.kind === "response" ? m.message.status : 0));
  return { ...h, layer, user, tx, rx, retransmit, ack, statuses, atUac };
}

describe("RFC 3261 17.2.1 INVITE server transaction", () => {
  describe("upon a new INVITE", () => {
    it("MUST enter 'proceeding' and pass the INVITE to the TU", () => {
      const s = setup();
      assert.equal(s.user.requests.length, 1);
      assert.equal(s.tx().state, "proceeding");
      assert.equal(s.tx().kind, "invite-server");
    });

    it("MUST generate a 100 (Trying) when the TU has not answered within 200 ms", () => {
      const s = setup();
      s.clock.advance(199);
      assert.deepEqual(s.statuses(), []);
      s.clock.advance(1);
      assert.deepEqual(s.net.times(isResponse(100)), [200]);
      assert.deepEqual(s.statuses(), [100]);
    });

    it("MUST NOT generate the 100 (Trying) when the TU sent a provisional response first", () => {
      const s = setup("UDP", (rx, tx) => tx.respond(answer(rx, 180)));
      s.clock.advance(1000);
      assert.deepEqual(s.statuses(), [180]);
    });
  });

  describe("in 'proceeding'", () => {
    it("MUST pass each provisional response from the TU to the transport", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 180));
      s.tx().respond(answer(s.rx(), 183));
      s.clock.advance(0);
      assert.deepEqual(s.statuses(), [180, 183]);
      assert.equal(s.tx().state, "proceeding");
    });

    it("MUST answer a retransmitted INVITE with the most recent provisional response, without telling the TU", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 180));
      s.clock.advance(0);
      s.retransmit();
      assert.deepEqual(s.statuses(), [180, 180]);
      assert.equal(s.user.requests.length, 1);
    });

    it("MUST answer a retransmitted INVITE with the 100 (Trying) it generated", () => {
      const s = setup();
      s.clock.advance(300);
      s.retransmit();
      assert.deepEqual(s.statuses(), [100, 100]);
    });
  });

  describe("upon a 300-699 response from the TU in 'proceeding'", () => {
    it("MUST send it and enter 'completed'", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(0);
      assert.equal(s.tx().state, "completed");
      assert.deepEqual(s.statuses(), [486]);
    });
  });

  describe("in 'completed' over UDP", () => {
    it("MUST retransmit the response at T1, then doubling, capped at T2 (Timer G), until Timer H", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(64 * T1 - 1);
      assert.deepEqual(
        s.net.times(isResponse(486)),
        [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
      );
    });

    it("MUST terminate and indicate the failure to the TU when Timer H fires (no ACK)", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(64 * T1 - 1);
      assert.equal(s.tx().state, "completed");
      s.clock.advance(1);
      assert.equal(s.tx().state, "terminated");
      assert.equal(s.tx().failure, "timeout");
      assert.deepEqual(
        s.user.failures.map((f) => f.failure),
        ["timeout"],
      );
      assert.equal(s.layer.serverCount, 0);
    });

    it("SHOULD pass the final response to the transport on a retransmitted INVITE", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 404));
      s.clock.advance(100);
      s.retransmit();
      assert.deepEqual(s.net.times(isResponse(404)), [0, 100]);
      assert.equal(s.user.requests.length, 1);
    });

    it("MUST transition to 'confirmed' on the ACK, absorb it and stop retransmitting", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(T1 + 100);
      s.ack();
      assert.equal(s.tx().state, "confirmed");
      assert.equal(s.user.acks.length, 0);
      s.clock.advance(10 * T2);
      assert.deepEqual(s.net.times(isResponse(486)), [0, T1]);
    });
  });

  describe("in 'completed' over TCP", () => {
    it("MUST NOT set Timer G, and MUST set Timer H to 64·T1", () => {
      const s = setup("TCP");
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(64 * T1);
      assert.deepEqual(s.net.times(isResponse(486)), [0]);
      assert.equal(s.tx().failure, "timeout");
    });
  });

  describe("in 'confirmed'", () => {
    it("MUST absorb further ACKs", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(0);
      s.ack();
      s.ack();
      assert.equal(s.user.acks.length, 0);
      assert.equal(s.tx().state, "confirmed");
    });

    it("MUST set Timer I to T4 over UDP, then terminate", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(0);
      s.ack();
      s.clock.advance(T4 - 1);
      assert.equal(s.tx().state, "confirmed");
      s.clock.advance(1);
      assert.equal(s.tx().state, "terminated");
      assert.deepEqual(s.user.failures, []);
    });

    it("MUST set Timer I to 0 over TCP", () => {
      const s = setup("TCP");
      s.tx().respond(answer(s.rx(), 486));
      s.clock.advance(0);
      s.ack();
      assert.equal(s.tx().state, "terminated");
      assert.equal(s.layer.serverCount, 0);
    });
  });

  describe("RFC 6026 8.5 upon a 2xx response from the TU in 'proceeding'", () => {
    it("MUST send it once (no Timer G) and transition to 'accepted'", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.clock.advance(10_000);
      assert.equal(s.tx().state, "accepted");
      assert.deepEqual(s.net.times(isResponse(200)), [0]);
    });
  });

  describe("RFC 6026 8.7 in 'accepted'", () => {
    it("MUST absorb retransmitted INVITEs (no response, not passed to the TU)", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.clock.advance(0);
      s.retransmit();
      assert.deepEqual(s.statuses(), [200]);
      assert.equal(s.user.requests.length, 1);
    });

    it("MUST pass 2xx retransmissions from the TU to the transport", () => {
      const s = setup();
      const ok = answer(s.rx(), 200);
      s.tx().respond(ok);
      s.clock.advance(T1);
      s.tx().respond(ok);
      s.clock.advance(0);
      assert.deepEqual(s.net.times(isResponse(200)), [0, T1]);
    });

    it("MUST pass an ACK to the TU", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.clock.advance(0);
      s.ack();
      assert.equal(s.user.acks.length, 1);
      assert.equal(s.tx().state, "accepted");
    });

    it("MUST terminate when Timer L fires after 64·T1, over UDP and TCP alike", () => {
      for (const protocol of ["UDP", "TCP"] as const) {
        const s = setup(protocol);
        s.tx().respond(answer(s.rx(), 200));
        s.clock.advance(64 * T1 - 1);
        assert.equal(s.tx().state, "accepted");
        s.clock.advance(1);
        assert.equal(s.tx().state, "terminated");
        assert.deepEqual(s.user.failures, []);
      }
    });
  });

  describe("RFC 3261 17.2.4 upon a transport error", () => {
    it("SHOULD inform the TU and MUST transition to 'terminated'", async () => {
      const s = setup();
      s.net.failNext(1, isResponse(486));
      s.tx().respond(answer(s.rx(), 486));
      await settle();
      assert.equal(s.tx().state, "terminated");
      assert.deepEqual(
        s.user.failures.map((f) => f.failure),
        ["transport-error"],
      );
      assert.equal(s.layer.serverCount, 0);
    });
  });

  it("responds to the source of the request (RFC 3261 18.2.2 via the transport)", () => {
    const s = setup();
    s.tx().respond(answer(s.rx(), 180));
    s.clock.advance(0);
    assert.equal(s.atUac.length, 1);
    assert.equal((s.rx().message as SipRequest).method, "INVITE");
  });
});
