import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRAck, parseRSeq } from "../../src/dialog/headers.js";
import { createResponse } from "../../src/sip/index.js";
import type { SipResponse } from "../../src/sip/types.js";
import { both, from, inviteSpec, pair, request, run, T1 } from "./harness.js";

function provisional(status: number) {
  return (pk: { message?: unknown }) => {
    const m = pk.message as SipResponse | undefined;
    return m?.kind === "response" && m.status === status;
  };
}
const invite2xx = (pk: { message?: unknown }) => {
  const m = pk.message as SipResponse | undefined;
  return m?.kind === "response" && m.status === 200 && m.cseq?.method === "INVITE";
};
const prack2xx = (pk: { message?: unknown }) => {
  const m = pk.message as SipResponse | undefined;
  return m?.kind === "response" && m.status === 200 && m.cseq?.method === "PRACK";
};

/** The UAS policy that sends reliably whenever 100rel is merely supported (RFC 3262 3 "MAY"). */
const SUPPORTED = { reliableProvisionals: "supported" } as const;
describe("RFC 3262 3 UAS behavior: reliable provisional responses", () => {
  describe("when the INVITE lists 100rel in Supported", () => {
    it("MUST send the provisional with Require: 100rel and an RSeq between 1 and 2**31-1", async () => {
      const p = pair({}, SUPPORTED);
      p.bob.core.onInvite = (invite) => invite.progress(180);
      p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      const ringing = p.net.packets(provisional(180))[0].message!;
      assert.equal(ringing.get("require"), "100rel");
      const rseq = parseRSeq(ringing)!;
      assert.ok(rseq >= 1 && rseq <= 2 ** 31 - 1);
    });

    it("MUST be acknowledged by a PRACK whose RAck names the RSeq, CSeq number and method, answered 200", async () => {
      const p = pair({}, SUPPORTED);
      const pracks: string[] = [];
      p.bob.core.onInvite = (invite) => {
        invite.on("prack", ({ request: r }) => pracks.push(r.get("rack")!));
        invite.progress(180);
      };
      const uac = p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      const rseq = parseRSeq(p.net.packets(provisional(180))[0].message!)!;
      const prack = p.net.packets(request("PRACK"))[0].message!;
      assert.deepEqual(parseRAck(prack), { rseq, cseq: uac.request.cseq!.seq, method: "INVITE" });
      assert.equal(prack.cseq!.seq, uac.request.cseq!.seq + 1);
      assert.deepEqual(pracks, [`${rseq} ${uac.request.cseq!.seq} INVITE`]);
      assert.equal(p.net.packets(prack2xx).length, 1);
    });
  });

  describe("with the 'required' policy (the default) and an INVITE that only supports 100rel", () => {
    it("MUST send the provisional unreliably", async () => {
      // FEATURES.md section 8: reliable provisionals only when the peer requires them.
      const p = pair();
      p.bob.core.onInvite = (invite) => invite.progress(180);
      p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      assert.equal(parseRSeq(p.net.packets(provisional(180))[0].message!), undefined);
      assert.equal(p.net.packets(request("PRACK")).length, 0);
    });
  });

  describe("while no PRACK arrives", () => {
    it("MUST retransmit at T1, doubling, and reject the INVITE with a 5xx after 64*T1", async () => {
      const p = pair({}, SUPPORTED);
      p.net.dropAll(request("PRACK"));
      const timeouts: number[] = [];
      p.bob.core.onInvite = (invite) => {
        invite.on("prackTimeout", () => timeouts.push(p.clock.now()));
        invite.progress(180);
      };
      const uac = p.alice.dialogs.invite(inviteSpec());
      const failed: number[] = [];
      uac.on("failed", ({ response }) => failed.push(response.status));
      await run(p.clock, 16_000, 50);
      const gaps = p.net
        .times(both(from(p.bob), provisional(180)))
        .map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]))
        .slice(1);
      assert.deepEqual(gaps, [T1, 2 * T1, 4 * T1, 8 * T1, 16 * T1]);
      await run(p.clock, 64 * T1 - 16_000 + 100, 100);
      assert.equal(timeouts.length, 1);
      assert.deepEqual(failed, [500]);
    });

    it("the UAC MUST NOT pass a retransmission (same RSeq) to the TU nor PRACK it again", async () => {
      const p = pair({}, SUPPORTED);
      p.net.dropAll(request("PRACK"));
      p.bob.core.onInvite = (invite) => invite.progress(180);
      const uac = p.alice.dialogs.invite(inviteSpec());
      let provisionals = 0;
      uac.on("provisional", () => provisionals++);
      await run(p.clock, 4_000, 50);
      assert.ok(p.net.packets(provisional(180)).length >= 3);
      assert.equal(provisionals, 1);
      const branches = new Set(p.net.packets(request("PRACK")).map((pk) => pk.message!.topVia!.branch));
      assert.equal(branches.size, 1, "one PRACK transaction (its own retransmissions aside)");
    });
  });

  describe("upon a 2xx while a reliable provisional is unacknowledged", () => {
    it("MUST hold the 2xx until the PRACK arrives", async () => {
      const p = pair({}, SUPPORTED);
      p.net.dropNext(1, request("PRACK"));
      p.bob.core.onInvite = (invite) => {
        invite.progress(183);
        invite.accept();
      };
      const uac = p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 2_000, 50);
      assert.equal(uac.state, "answered");
      const prackOk = p.net.packets(prack2xx)[0];
      const inviteOk = p.net.packets(invite2xx)[0];
      assert.ok(prackOk.seq < inviteOk.seq, "the PRACK's 200 precedes the INVITE's 200");
      assert.ok(inviteOk.at >= T1);
    });
  });

  describe("upon a second reliable provisional before the first is acknowledged", () => {
    it("MUST NOT send it until the PRACK, and MUST number it one higher", async () => {
      const p = pair({}, SUPPORTED);
      p.net.dropNext(1, request("PRACK"));
      p.bob.core.onInvite = (invite) => {
        invite.progress(180);
        invite.progress(183);
      };
      p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 2_000, 50);
      const first = p.net.packets(provisional(180))[0];
      const second = p.net.packets(provisional(183))[0];
      assert.ok(second.at >= T1);
      assert.equal(parseRSeq(second.message!), parseRSeq(first.message!)! + 1);
      assert.equal(p.net.packets(prack2xx).length, 2);
    });
  });

  describe("upon a PRACK matching no unacknowledged reliable provisional", () => {
    it("MUST answer 481", async () => {
      const p = pair({}, SUPPORTED);
      p.bob.core.onInvite = (invite) => invite.progress(180);
      const uac = p.alice.dialogs.invite(inviteSpec());
      await run(p.clock, 20);
      const dialog = [...uac.dialogs.values()][0];
      const done = dialog.request("PRACK", { headers: [["RAck", `1 ${uac.request.cseq!.seq} INVITE`]] });
      await run(p.clock, 20);
      assert.equal((await done).status, 481);
    });
  });
});

describe("RFC 3262 4 UAC behavior", () => {
  describe("upon a reliable provisional whose RSeq is not one higher than the last", () => {
    it("MUST NOT PRACK it nor process it further", async () => {
      const p = pair({}, SUPPORTED);
      p.bob.core.onInvite = (invite) => {
        for (const rseq of [5, 7, 6]) {
          invite.tx.respond(
            createResponse(invite.request, 183, undefined, {
              toTag: "t1",
              headers: [
                ["Contact", "<sip:bob@127.0.0.2:5080>"],
                ["Require", "100rel"],
                ["RSeq", String(rseq)],
              ],
            }),
          );
        }
      };
      const uac = p.alice.dialogs.invite(inviteSpec());
      const seen: number[] = [];
      uac.on("provisional", ({ response }) => seen.push(parseRSeq(response)!));
      await run(p.clock, 20);
      assert.deepEqual(seen, [5, 6]);
      assert.deepEqual(
        p.net.packets(request("PRACK")).map((pk) => parseRAck(pk.message!)!.rseq),
        [5, 6],
      );
    });
  });
});
