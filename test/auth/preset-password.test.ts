/**
 * Default credentials (issue 22): the preset users' passwords equal their names and are cracked on
 * the first guess; until changed they are accepted only from private and loopback addresses.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { Authenticator, type AuthOutcome } from "../../src/auth/authenticator.js";
import { BanList } from "../../src/auth/ban-list.js";
import { isLocalAddress, passwordIsName } from "../../src/auth/preset-password.js";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { computeHa1 } from "../../src/store/digest-ha1.js";
import { VirtualClock } from "../../src/util/clock.js";

const REALM = "parley";
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

/** A REGISTER for `user` answering `challenge` with `password` (RFC 7616 MD5, qop=auth). */
function register(user: string, password: string, challenge: AuthOutcome): SipRequest {
  assert.equal(challenge.kind, "challenge");
  const header = challenge.kind === "challenge" ? (challenge.headers[0]?.[1] ?? "") : "";
  const nonce = /nonce="([^"]+)"/.exec(header)?.[1] ?? "";
  const uri = "sip:127.0.0.1";
  const ha1 = md5(`${user}:${REALM}:${password}`);
  const response = md5(`${ha1}:${nonce}:00000001:c0ffee:auth:${md5(`REGISTER:${uri}`)}`);
  return bare(
    `Authorization: Digest username="${user}", realm="${REALM}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee"\r\n`,
  );
}

function bare(extra = ""): SipRequest {
  const text =
    "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKp\r\nMax-Forwards: 70\r\n" +
    "From: <sip:100@127.0.0.1>;tag=a\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: p@t\r\nCSeq: 1 REGISTER\r\n" +
    `${extra}Content-Length: 0\r\n\r\n`;
  const r = parseMessage(Buffer.from(text));
  assert.ok(r.ok);
  return r.message as SipRequest;
}

function authenticator(): Authenticator {
  const users = new Map([
    ["100", { auth: computeHa1("100", REALM, "100") }],
    ["101", { auth: computeHa1("101", REALM, "a better secret") }],
  ]);
  const clock = new VirtualClock();
  return new Authenticator({
    clock,
    credentials: {
      lookup: async (_d, name) => users.get(name),
      cached: (_d, name) => ({ entry: users.get(name) }),
      byIp: async () => [],
      cachedByIp: () => [],
    },
    bans: new BanList(clock),
  });
}

async function outcome(auth: Authenticator, user: string, password: string, from: string): Promise<string> {
  const ask = (request: SipRequest) =>
    auth.authenticate({
      request,
      sourceAddress: from,
      domainId: 1,
      realm: REALM,
      challenge: 401,
      claimedUser: user,
    });
  const challenge = await ask(bare());
  return (await ask(register(user, password, challenge))).kind;
}

describe("the preset password (equal to the user name)", () => {
  it("is accepted from loopback and private addresses", async () => {
    const auth = authenticator();
    for (const from of [
      "127.0.0.1",
      "192.168.1.20",
      "10.1.2.3",
      "172.20.0.5",
      "::1",
      "fd00::5",
      "::ffff:10.0.0.7",
    ])
      assert.equal(await outcome(auth, "100", "100", from), "ok", from);
  });

  it("is refused from a public address, even though it is right", async () => {
    const auth = authenticator();
    assert.equal(await outcome(auth, "100", "100", "8.8.8.8"), "forbidden");
    assert.equal(await outcome(auth, "100", "100", "2606:4700::1111"), "forbidden");
  });

  it("a changed password works from anywhere", async () => {
    assert.equal(await outcome(authenticator(), "101", "a better secret", "8.8.8.8"), "ok");
  });

  it("tells local addresses and preset passwords apart", () => {
    assert.ok(isLocalAddress("192.168.0.1") && isLocalAddress("fe80::1") && isLocalAddress("100.64.0.1"));
    assert.ok(!isLocalAddress("8.8.8.8") && !isLocalAddress("2606:4700::1") && !isLocalAddress("172.32.0.1"));
    assert.ok(passwordIsName("100", REALM, computeHa1("100", REALM, "100").ha1Md5));
    assert.ok(!passwordIsName("100", REALM, computeHa1("100", REALM, "other").ha1Md5));
  });
});
