import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransportProtocol } from "../../src/transport/types.js";
import { answer, harness, isResponse, layerOn, request, settle, T1 } from "./harness.js";

/** A TransactionLayer on "uas"; a raw peer "uac" sends an OPTIONS and can resend it. */
function setup(protocol: TransportProtocol = "UDP") {
  const h = harness();
  const { layer, user } = layerOn(h, h.uas);
  h.uac.onMessage(() => {});
  const options = request({ method: "OPTIONS", protocol });
  const dest = h.uas.destination(protocol);
  h.uac.sendRequest(options, dest);
  h.clock.advance(0);
  const retransmit = () => {
    h.uac.sendRequest(options, dest);
    h.clock.advance(0);
  };
  const tx = () => user.requests[0].tx;
  const rx = () => user.requests[0].rx;
  const responses = () =>
    h.net.packets(isResponse()).map((p) => (p.message?.kind === "response" ? p.message.status : 0));
  return { ...h, layer, user, tx, rx, retransmit, responses };
}

describe("RFC 3261 17.2.2 non-INVITE server transaction", () => {
  describe("upon a new request", () => {
    it("MUST be initialized in 'trying' and pass the request to the TU", () => {
      const s = setup();
      assert.equal(s.tx().state, "trying");
      assert.equal(s.tx().kind, "non-invite-server");
      assert.equal(s.user.requests.length, 1);
    });
  });

  describe("in 'trying'", () => {
    it("MUST discard request retransmissions", () => {
      const s = setup();
      s.retransmit();
      s.retransmit();
      assert.deepEqual(s.responses(), []);
      assert.equal(s.user.requests.length, 1);
    });

    it("MUST enter 'proceeding' and send a provisional response from the TU", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 100));
      assert.equal(s.tx().state, "proceeding");
      assert.deepEqual(s.responses(), [100]);
    });

    it("MUST enter 'completed' and send a final response from the TU", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      assert.equal(s.tx().state, "completed");
      assert.deepEqual(s.responses(), [200]);
    });
  });

  describe("in 'proceeding'", () => {
    it("MUST answer a retransmission with the most recent provisional response", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 100));
      s.tx().respond(answer(s.rx(), 180));
      s.retransmit();
      assert.deepEqual(s.responses(), [100, 180, 180]);
      assert.equal(s.user.requests.length, 1);
    });
  });

  describe("in 'completed'", () => {
    it("MUST answer each retransmission with the same final response", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.clock.advance(100);
      s.retransmit();
      s.clock.advance(100);
      s.retransmit();
      const finals = s.net.packets(isResponse(200));
      assert.deepEqual(
        finals.map((p) => p.at),
        [0, 100, 200],
      );
      assert.ok(finals.every((p) => p.wire.equals(finals[0].wire)));
      assert.equal(s.user.requests.length, 1);
    });

    it("MUST discard any other final response from the TU", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.tx().respond(answer(s.rx(), 500));
      s.clock.advance(0);
      assert.deepEqual(s.responses(), [200]);
    });

    it("MUST set Timer J to 64·T1 over UDP, then terminate and leave the layer", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.clock.advance(64 * T1 - 1);
      assert.equal(s.tx().state, "completed");
      assert.equal(s.layer.serverCount, 1);
      s.clock.advance(1);
      assert.equal(s.tx().state, "terminated");
      assert.equal(s.layer.serverCount, 0);
      assert.deepEqual(s.user.terminated, [s.tx()]);
    });

    it("MUST set Timer J to 0 over TCP", () => {
      const s = setup("TCP");
      s.tx().respond(answer(s.rx(), 200));
      assert.equal(s.tx().state, "terminated");
      assert.equal(s.layer.serverCount, 0);
    });

    it("treats a request arriving after 'terminated' as new (the transaction left the layer)", () => {
      const s = setup();
      s.tx().respond(answer(s.rx(), 200));
      s.clock.advance(64 * T1);
      s.retransmit();
      assert.equal(s.user.requests.length, 2);
    });
  });

  describe("RFC 3261 17.2.4 upon a transport error", () => {
    it("SHOULD inform the TU and MUST transition to 'terminated'", async () => {
      const s = setup();
      s.net.failNext(1, isResponse());
      s.tx().respond(answer(s.rx(), 200));
      await settle();
      assert.equal(s.tx().state, "terminated");
      assert.equal(s.tx().failure, "transport-error");
      assert.deepEqual(
        s.user.failures.map((f) => f.failure),
        ["transport-error"],
      );
    });
  });
});
