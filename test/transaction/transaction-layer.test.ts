import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SipRequest } from "../../src/sip/types.js";
import { createCancel, TransactionLayer } from "../../src/transaction/index.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import {
  answer,
  generateBranch,
  harness,
  isRequest,
  layerOn,
  RecordingHandler,
  RecordingUser,
  request,
  T1,
} from "./harness.js";

/** A layer on "uas" and a raw peer on "uac" sending hand-made requests. */
function serverSide() {
  const h = harness();
  const { layer, user } = layerOn(h, h.uas);
  const atUac: ReceivedMessage[] = [];
  h.uac.onMessage((rx) => atUac.push(rx));
  const send = (req: SipRequest) => {
    h.uac.sendRequest(req, h.uas.destination());
    h.clock.advance(0);
  };
  return { ...h, layer, user, send, atUac };
}

describe("RFC 3261 17.2.3 matching requests to server transactions", () => {
  describe("with a branch beginning with z9hG4bK", () => {
    it("MUST match a request with the same branch, sent-by and method to the existing transaction", () => {
      const s = serverSide();
      const branch = generateBranch();
      s.send(request({ method: "OPTIONS", branch, callId: "c1" }));
      s.send(request({ method: "OPTIONS", branch, callId: "c1" }));
      assert.equal(s.user.requests.length, 1);
    });

    it("MUST NOT match when the sent-by differs", () => {
      const s = serverSide();
      const branch = generateBranch();
      s.send(request({ method: "OPTIONS", via: `SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}` }));
      // The loop transport rewrites sent-by to the sender's socket, so send from another endpoint.
      const other = s.net.endpoint("other", "127.0.0.3", 5090);
      other.sendRequest(request({ method: "OPTIONS", branch }), s.uas.destination());
      s.clock.advance(0);
      assert.equal(s.user.requests.length, 2);
    });

    it("MUST NOT match when the method differs (CANCEL has its own transaction)", () => {
      const s = serverSide();
      const invite = request({ method: "INVITE" });
      s.send(invite);
      s.send(createCancel(invite));
      assert.deepEqual(
        s.user.requests.map((r) => r.tx.kind),
        ["invite-server", "non-invite-server"],
      );
    });

    it("MUST match an ACK to the INVITE transaction (the ACK for a non-2xx shares its branch)", () => {
      const s = serverSide();
      const invite = request({ method: "INVITE" });
      s.send(invite);
      const tx = s.user.requests[0].tx;
      tx.respond(answer(s.user.requests[0].rx, 486));
      s.clock.advance(0);
      s.send(request({ method: "ACK", via: invite.topVia?.raw, callId: invite.callId, toTag: "b-tag" }));
      assert.equal(tx.state, "confirmed");
      assert.equal(s.user.acks.length, 0);
    });
  });

  describe("an ACK for a 2xx (new branch, RFC 3261 13.2.2.4)", () => {
    it("MUST go to the TU, not to a transaction", () => {
      const s = serverSide();
      const invite = request({ method: "INVITE" });
      s.send(invite);
      s.user.requests[0].tx.respond(answer(s.user.requests[0].rx, 200));
      s.clock.advance(0);
      s.send(request({ method: "ACK", callId: invite.callId, toTag: "b-tag" }));
      assert.equal(s.user.acks.length, 1);
      assert.equal(s.user.requests.length, 1);
      assert.equal(s.layer.serverCount, 1, "an ACK creates no transaction");
    });

    it("MUST go to the TU when no transaction exists at all", () => {
      const s = serverSide();
      s.send(request({ method: "ACK", toTag: "x" }));
      assert.equal(s.user.acks.length, 1);
      assert.equal(s.layer.serverCount, 0);
    });
  });

  describe("RFC 3261 9.2 a CANCEL", () => {
    it("MUST be given the INVITE server transaction it matches as cancelTarget", () => {
      const s = serverSide();
      const invite = request({ method: "INVITE" });
      s.send(invite);
      s.send(createCancel(invite));
      const [inv, cancel] = s.user.requests;
      assert.equal(cancel.tx.method, "CANCEL");
      assert.equal(cancel.tx.cancelTarget, inv.tx);
      // The core answers 200 to the CANCEL and 487 to the INVITE.
      cancel.tx.respond(answer(cancel.rx, 200));
      inv.tx.respond(answer(inv.rx, 487));
      s.clock.advance(0);
      assert.deepEqual(
        s.atUac.map((rx) =>
          rx.message.kind === "response" ? `${rx.message.status} ${rx.message.cseq?.method}` : "",
        ),
        ["200 CANCEL", "487 INVITE"],
      );
    });

    it("for an unknown INVITE MUST get no cancelTarget", () => {
      const s = serverSide();
      s.send(createCancel(request({ method: "INVITE", branch: generateBranch() })));
      assert.equal(s.user.requests.length, 1);
      assert.equal(s.user.requests[0].tx.cancelTarget, undefined);
    });

    it("MUST be matched as a retransmission of itself when resent", () => {
      const s = serverSide();
      const invite = request({ method: "INVITE" });
      s.send(invite);
      const cancel = createCancel(invite);
      s.send(cancel);
      s.send(cancel);
      assert.equal(s.user.requests.length, 2);
    });
  });

  describe("without the magic cookie (RFC 2543 peers)", () => {
    const via2543 = "SIP/2.0/UDP 127.0.0.1:5070;branch=1234abcd";

    it("MUST match an INVITE retransmission by Request-URI, To tag, From tag, Call-ID, CSeq and top Via", () => {
      const s = serverSide();
      s.send(request({ method: "INVITE", via: via2543, callId: "old-1" }));
      s.user.requests[0].tx.respond(answer(s.user.requests[0].rx, 180));
      s.clock.advance(0);
      s.send(request({ method: "INVITE", via: via2543, callId: "old-1" }));
      assert.equal(s.user.requests.length, 1);
      assert.equal(s.atUac.length, 2, "the retransmission is answered with the last provisional");
    });

    it("MUST treat a different CSeq as a new transaction", () => {
      const s = serverSide();
      s.send(request({ method: "OPTIONS", via: via2543, callId: "old-2", cseq: 1 }));
      s.send(request({ method: "OPTIONS", via: via2543, callId: "old-2", cseq: 2 }));
      assert.equal(s.user.requests.length, 2);
    });

    it("MUST match an ACK whose To tag is that of the non-2xx response to the INVITE transaction", () => {
      const s = serverSide();
      s.send(request({ method: "INVITE", via: via2543, callId: "old-3" }));
      const { tx, rx } = s.user.requests[0];
      tx.respond(answer(rx, 486, "resp-tag"));
      s.clock.advance(0);
      s.send(request({ method: "ACK", via: via2543, callId: "old-3", toTag: "resp-tag" }));
      assert.equal(tx.state, "confirmed");
      assert.equal(s.user.acks.length, 0);
    });

    it("MUST NOT match an ACK carrying another To tag", () => {
      const s = serverSide();
      s.send(request({ method: "INVITE", via: via2543, callId: "old-4" }));
      const { tx, rx } = s.user.requests[0];
      tx.respond(answer(rx, 486, "resp-tag"));
      s.clock.advance(0);
      s.send(request({ method: "ACK", via: via2543, callId: "old-4", toTag: "other-tag" }));
      assert.equal(tx.state, "completed");
      assert.equal(s.user.acks.length, 1);
    });

    it("MUST match a CANCEL to its INVITE (9.2)", () => {
      const s = serverSide();
      const invite = request({ method: "INVITE", via: via2543, callId: "old-5" });
      s.send(invite);
      s.send(request({ method: "CANCEL", via: via2543, callId: "old-5" }));
      assert.equal(s.user.requests[1].tx.cancelTarget, s.user.requests[0].tx);
    });

    it("MUST remove the ACK alias when the transaction terminates", () => {
      const s = serverSide();
      s.send(request({ method: "INVITE", via: via2543, callId: "old-6" }));
      const { tx, rx } = s.user.requests[0];
      tx.respond(answer(rx, 486, "resp-tag"));
      s.clock.advance(64 * T1);
      assert.equal(tx.state, "terminated");
      assert.equal(s.layer.serverCount, 0);
    });
  });
});

describe("RFC 3261 17.1.3 matching responses to client transactions", () => {
  function clientSide() {
    const h = harness();
    const { layer, user } = layerOn(h, h.uac);
    const atUas: ReceivedMessage[] = [];
    h.uas.onMessage((rx) => atUas.push(rx));
    return { ...h, layer, user, atUas };
  }

  it("MUST match by the top Via branch and the CSeq method", () => {
    const s = clientSide();
    const handler = new RecordingHandler(s.clock);
    s.layer.sendRequest(request({ method: "INVITE", branch: null }), s.uas.destination(), handler);
    s.clock.advance(0);
    const inviteRx = s.atUas[0];
    // Same branch, CSeq method CANCEL: belongs to no transaction here.
    const wrongMethod = answer(inviteRx, 200);
    wrongMethod.set("CSeq", `${inviteRx.message.cseq?.seq} CANCEL`);
    s.uas.sendResponse(wrongMethod, inviteRx);
    s.uas.sendResponse(answer(inviteRx, 180), inviteRx);
    s.clock.advance(0);
    assert.deepEqual(handler.statuses, [180]);
    assert.equal(s.user.strays.length, 1);
  });

  it("passes responses matching no transaction to the TU as stray (e.g. 2xx retransmissions)", () => {
    const s = clientSide();
    const handler = new RecordingHandler(s.clock);
    s.layer.sendRequest(request({ method: "INVITE", branch: null }), s.uas.destination(), handler);
    s.clock.advance(0);
    const rx = s.atUas[0];
    s.uas.sendResponse(answer(rx, 200), rx);
    s.clock.advance(64 * T1); // Timer M ends the transaction
    s.uas.sendResponse(answer(rx, 200), rx);
    s.clock.advance(0);
    assert.deepEqual(handler.statuses, [200]);
    assert.equal(s.user.strays.length, 1);
  });

  it("keeps a request's own top Via and branch", () => {
    const s = clientSide();
    const branch = generateBranch();
    const req = request({ method: "OPTIONS", branch });
    const tx = s.layer.sendRequest(req, s.uas.destination(), new RecordingHandler(s.clock));
    assert.equal(tx.request.topVia?.branch, branch);
    assert.equal(req.vias.length, 1);
  });

  it("refuses to send an ACK through a client transaction (17.1.1.3: the ACK for a 2xx is the TU's)", () => {
    const s = clientSide();
    assert.throws(() =>
      s.layer.sendRequest(
        request({ method: "ACK", toTag: "x" }),
        s.uas.destination(),
        new RecordingHandler(s.clock),
      ),
    );
  });
});

describe("RFC 3261 9.1 createCancel()", () => {
  it("MUST copy Request-URI, Call-ID, To, From, CSeq number, the top Via only and the Route set", () => {
    const routes = ["<sip:p1.example.com;lr>"];
    const invite = request({ method: "INVITE", routes, cseq: 7 });
    invite.append("Via", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKlower");
    const cancel = createCancel(invite);
    assert.equal(cancel.method, "CANCEL");
    assert.equal(cancel.uriText, invite.uriText);
    assert.equal(cancel.callId, invite.callId);
    assert.equal(cancel.get("to"), invite.get("to"));
    assert.equal(cancel.get("from"), invite.get("from"));
    assert.deepEqual(cancel.cseq, { seq: 7, method: "CANCEL" });
    assert.equal(cancel.vias.length, 1);
    assert.equal(cancel.topVia?.raw, invite.topVia?.raw);
    assert.deepEqual(cancel.getAll("route"), routes);
  });

  it("travels in its own client transaction next to the INVITE's (17.1.3: CSeq method)", () => {
    const h = harness();
    const { layer } = layerOn(h, h.uac);
    const atUas: ReceivedMessage[] = [];
    h.uas.onMessage((rx) => atUas.push(rx));
    const inviteHandler = new RecordingHandler(h.clock);
    const cancelHandler = new RecordingHandler(h.clock);
    const invite = request({ method: "INVITE", branch: null });
    layer.sendRequest(invite, h.uas.destination(), inviteHandler);
    h.clock.advance(0);
    layer.sendRequest(createCancel(invite), h.uas.destination(), cancelHandler);
    h.clock.advance(0);
    const [inviteRx, cancelRx] = atUas;
    h.uas.sendResponse(answer(cancelRx, 200), cancelRx);
    h.uas.sendResponse(answer(inviteRx, 487), inviteRx);
    h.clock.advance(0);
    assert.deepEqual(cancelHandler.statuses, [200]);
    assert.deepEqual(inviteHandler.statuses, [487]);
    assert.equal(h.net.packets(isRequest("ACK")).length, 1);
  });
});

describe("TransactionLayer robustness", () => {
  it("an exception thrown by the TU never corrupts the transaction", () => {
    const h = harness();
    const errors: unknown[] = [];
    const user = new RecordingUser();
    user.onRequestHook = () => {
      throw new Error("TU bug");
    };
    const layer = new TransactionLayer({
      transport: h.uas,
      clock: h.clock,
      user,
      onError: (e) => errors.push(e),
    });
    h.uac.onMessage(() => {});
    h.uac.sendRequest(request({ method: "OPTIONS" }), h.uas.destination());
    h.clock.advance(0);
    assert.equal(errors.length, 1);
    const { tx, rx } = user.requests[0];
    tx.respond(answer(rx, 200));
    assert.equal(tx.state, "completed");
    assert.equal(layer.serverCount, 1);
  });
});
