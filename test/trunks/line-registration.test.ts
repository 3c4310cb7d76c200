/**
 * A type 0 line's registration on a virtual clock: digest on 401/407 with each user name form,
 * the fresh Call-ID quirk, refresh before expiry, back-off on failure, unregistration.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { expectedResponse, ha1, parseCredentials } from "../../src/auth/digest.js";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { externalLineSchema } from "../../src/store/routing-model.js";
import type { ClientTransactionHandler } from "../../src/transaction/types.js";
import type { Destination } from "../../src/transport/types.js";
import { LineRegistration, refreshDelayMs } from "../../src/trunks/line-registration.js";
import { VirtualClock } from "../../src/util/clock.js";
import { createLogger } from "../../src/util/logger.js";

interface Sent {
  request: SipRequest;
  destination: Destination;
  handler: ClientTransactionHandler;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function harness(fields: Record<string, unknown>, system = false) {
  const clock = new VirtualClock();
  const sent: Sent[] = [];
  const states: boolean[] = [];
  const line = externalLineSchema.parse({
    account: "alice",
    password: "pw",
    server: "provider.example",
    ...fields,
  });
  const reg = new LineRegistration({
    line,
    sender: {
      sendRequest: (request, destination, handler) => {
        sent.push({ request, destination, handler });
        return undefined;
      },
    },
    clock,
    logger: createLogger({ level: "silent", format: "json" }),
    contactHostPort: "127.0.0.1:5060",
    resolve: async (host, port) => ({
      protocol: "UDP",
      address: host === "provider.example" ? "127.0.0.9" : host,
      port,
    }),
    freshCallIdOnAuth: system,
    onState: (_, online) => states.push(online),
    backoffMs: 1000,
    maxBackoffMs: 4000,
  });
  const answer = (status: number, headers: Array<[string, string]> = []) => {
    const last = sent.at(-1)!;
    last.handler.onResponse(
      createResponse(last.request, status, undefined, { toTag: "x", headers }),
      {} as never,
    );
  };
  return { clock, sent, states, reg, line, answer };
}

const CHALLENGE: [string, string] = [
  "WWW-Authenticate",
  'Digest realm="prov", nonce="n1", algorithm=MD5, qop="auth"',
];

/** Checks the Authorization of `request` as the provider would. */
function verify(request: SipRequest, username: string, password: string, header = "authorization"): void {
  const c = parseCredentials(request.get(header) ?? "");
  assert.ok(c, `${header} present`);
  assert.equal(c.username, username);
  const expected = expectedResponse({
    algorithm: "MD5",
    ha1: ha1("MD5", username, "prov", password),
    method: "REGISTER",
    uri: c.uri ?? "",
    nonce: c.nonce ?? "",
    qop: "auth",
    nc: c.nc,
    cnonce: c.cnonce,
  });
  assert.equal(c.response, expected);
  assert.equal(c.uri, request.uriText);
}

describe("LineRegistration", () => {
  describe("upon a 401 challenge", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["the account", {}, "alice"],
      ["the account with the domain", { authUserIncludesDomain: true }, "alice@provider.example"],
      ["the explicit authorization ID", { authorizationId: "auth-77" }, "auth-77"],
      [
        "an authorization ID that already has a domain, unchanged",
        { authorizationId: "a@b", authUserIncludesDomain: true },
        "a@b",
      ],
    ];
    for (const [what, fields, username] of cases) {
      it(`answers with ${what} as digest user name, same Call-ID, CSeq + 1`, async () => {
        const h = harness(fields);
        h.reg.start();
        await flush();
        h.answer(401, [CHALLENGE]);
        await flush();
        assert.equal(h.sent.length, 2);
        const [first, second] = h.sent.map((s) => s.request);
        verify(second!, username, "pw");
        assert.equal(second!.callId, first!.callId);
        assert.equal(second!.cseq?.seq, (first!.cseq?.seq ?? 0) + 1);
        assert.equal(second!.uriText, "sip:provider.example");
        assert.equal(second!.from?.uri.raw, "sip:alice@provider.example");
      });
    }
    it("with the fresh Call-ID option (per line or system-wide) uses a new Call-ID", async () => {
      for (const [fields, system] of [
        [{ freshCallIdOnAuth: true }, false],
        [{}, true],
      ] as const) {
        const h = harness(fields, system);
        h.reg.start();
        await flush();
        h.answer(401, [CHALLENGE]);
        await flush();
        assert.notEqual(h.sent[1]!.request.callId, h.sent[0]!.request.callId);
        verify(h.sent[1]!.request, "alice", "pw");
      }
    });
    it("answers a 407 with Proxy-Authorization", async () => {
      const h = harness({});
      h.reg.start();
      await flush();
      h.answer(407, [["Proxy-Authenticate", CHALLENGE[1]]]);
      await flush();
      verify(h.sent[1]!.request, "alice", "pw", "proxy-authorization");
    });
    it("does not loop when the same nonce is challenged again (wrong password): offline, back-off", async () => {
      const h = harness({});
      h.reg.start();
      await flush();
      h.answer(401, [CHALLENGE]);
      await flush();
      h.answer(401, [CHALLENGE]);
      await flush();
      assert.equal(h.sent.length, 2);
      assert.equal(h.reg.state, "offline");
    });
  });

  describe("upon a 2xx", () => {
    let h: ReturnType<typeof harness>;
    beforeEach(async () => {
      h = harness({ registerExpires: 600 });
      h.reg.start();
      await flush();
      h.answer(200, [["Contact", "<sip:alice@127.0.0.1:5060>;expires=120"]]);
      await flush();
    });
    it("is online with the expiry the provider granted", () => {
      assert.equal(h.reg.state, "online");
      assert.equal(h.reg.granted, 120);
      assert.deepEqual(h.states, [true]);
      assert.equal(h.sent[0]!.request.get("expires"), "600");
    });
    it("refreshes before expiry, with the same Call-ID and the next CSeq (RFC 3261 10.2.4)", async () => {
      assert.equal(refreshDelayMs(120), 108_000);
      h.clock.advance(107_999);
      await flush();
      assert.equal(h.sent.length, 1);
      h.clock.advance(1);
      await flush();
      assert.equal(h.sent.length, 2);
      assert.equal(h.sent[1]!.request.callId, h.sent[0]!.request.callId);
      assert.equal(h.sent[1]!.request.cseq?.seq, (h.sent[0]!.request.cseq?.seq ?? 0) + 1);
    });
    it("stop(): a challenged unregistration is answered with the credentials", async () => {
      h.reg.stop();
      await flush();
      h.answer(401, [CHALLENGE]);
      await flush();
      assert.equal(h.sent.length, 3);
      assert.equal(h.sent[2]!.request.get("expires"), "0");
      verify(h.sent[2]!.request, "alice", "pw");
    });
    it("stop() sends Expires 0 and goes offline", async () => {
      h.reg.stop();
      await flush();
      assert.equal(h.sent.at(-1)!.request.get("expires"), "0");
      assert.deepEqual(h.states, [true, false]);
      h.clock.advance(1_000_000);
      await flush();
      assert.equal(h.sent.length, 2);
    });
  });

  it("answers the same nonce again on a refresh (a new REGISTER), not only once", async () => {
    const h = harness({ registerExpires: 120 });
    h.reg.start();
    await flush();
    h.answer(401, [CHALLENGE]);
    await flush();
    h.answer(200, [["Contact", "<sip:alice@127.0.0.1:5060>;expires=120"]]);
    await flush();
    h.clock.advance(refreshDelayMs(120));
    await flush();
    assert.equal(h.sent.length, 3);
    h.answer(401, [CHALLENGE]);
    await flush();
    assert.equal(h.sent.length, 4, "the refresh answered the provider's (same) nonce");
    verify(h.sent[3]!.request, "alice", "pw");
    h.answer(200);
    await flush();
    assert.equal(h.reg.state, "online");
  });

  it("upon 423 Interval Too Brief retries with the Min-Expires asked (RFC 3261 10.2.8)", async () => {
    const h = harness({ registerExpires: 60 });
    h.reg.start();
    await flush();
    h.answer(423, [["Min-Expires", "600"]]);
    await flush();
    assert.equal(h.sent.length, 2);
    assert.equal(h.sent[1]!.request.get("expires"), "600");
    h.answer(200);
    await flush();
    assert.equal(h.reg.state, "online");
    assert.equal(h.reg.granted, 600);
  });

  describe("upon a failure", () => {
    it("is offline and retries after a back-off that doubles up to its maximum", async () => {
      const h = harness({});
      h.reg.start();
      await flush();
      const at: number[] = [];
      for (let i = 0; i < 4; i++) {
        h.answer(i === 0 ? 403 : 408);
        await flush();
        assert.equal(h.reg.state, "offline");
        const before = h.sent.length;
        let waited = 0;
        while (h.sent.length === before) {
          h.clock.advance(500);
          waited += 500;
          await flush();
        }
        at.push(waited);
      }
      assert.deepEqual(at, [1000, 2000, 4000, 4000]);
    });
  });

  it("sends to the outbound proxy when one is set, keeping the logical domain in the URIs", async () => {
    const h = harness({
      server: "ims.logical",
      outboundProxy: { enabled: true, address: "127.0.0.7", port: 5070 },
    });
    h.reg.start();
    await flush();
    assert.deepEqual(h.sent[0]!.destination, { protocol: "UDP", address: "127.0.0.7", port: 5070 });
    assert.equal(h.sent[0]!.request.uriText, "sip:ims.logical");
    assert.equal(h.sent[0]!.request.to?.uri.raw, "sip:alice@ims.logical");
  });
});
