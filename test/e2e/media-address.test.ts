/**
 * Issue 23, the media relay's default address, end to end with the compiled server: with default
 * settings (listening on every address, no --media-address) and `--media-relay always`, each leg's
 * SDP from Parley names the address that leg's phone reached Parley on (127.0.0.1 for a phone on
 * IPv4 loopback, ::1 for one on IPv6 loopback, in the same call), and audio flows both ways through
 * the relay (RTP counted at each phone). Before the fix both legs were told the machine's other
 * interface address. A --media-address that is not the machine's is warned about at start-up,
 * naming the setting and the machine's addresses (nothing is sent to it: no call is placed).
 */
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { FamilyPhone, sdpTarget } from "../helpers/family-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingCapability } from "../helpers/run-tool.js";

const hasIPv6Loopback = Object.values(networkInterfaces()).some((l) => l?.some((i) => i.address === "::1"));

/** Registers both, `caller` calls `callee`, both send RTP; resolves with the SDP each got. */
async function relayedCall(caller: FamilyPhone, callee: FamilyPhone) {
  assert.equal(await callee.register(), 200, "callee registered");
  assert.equal(await caller.register(), 200, "caller registered");
  await caller.call(callee.user);
  const toCaller = sdpTarget(caller.sdpFromParley ?? "");
  const toCallee = sdpTarget(callee.sdpFromParley ?? "");
  caller.startRtp();
  callee.startRtp();
  // 50 packets = 1 s of audio each way, well within the time allowed on a busy machine.
  const [atCaller, atCallee] = await Promise.all([
    caller.rtpReceived(50, 15000),
    callee.rtpReceived(50, 15000),
  ]);
  caller.stopRtp();
  callee.stopRtp();
  assert.equal(await caller.bye(), 200, "BYE answered");
  return { toCaller, toCallee, atCaller, atCallee };
}

describe("media relay address by default: the one each phone reached Parley on (issue 23)", () => {
  let parley: ParleyProcess;
  const phones: FamilyPhone[] = [];
  before(async () => {
    // The default listening addresses (the helper binds 127.0.0.1 only, which hid the defect).
    parley = await startParley([
      "--bind",
      "0.0.0.0,::",
      "--media-relay",
      "always",
      "--rtp-ports",
      "31700-31759",
    ]);
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  it("two phones on 127.0.0.1: each SDP says c=IN IP4 127.0.0.1, and audio flows both ways", async () => {
    const caller = await FamilyPhone.open("127.0.0.1", "100", parley.sipPort);
    const callee = await FamilyPhone.open("127.0.0.1", "101", parley.sipPort);
    phones.push(caller, callee);
    const call = await relayedCall(caller, callee);
    assert.equal(call.toCallee?.family, "IP4", callee.sdpFromParley);
    assert.equal(call.toCallee?.address, "127.0.0.1", callee.sdpFromParley);
    assert.equal(call.toCaller?.address, "127.0.0.1", caller.sdpFromParley);
    assert.ok(call.toCaller!.port >= 31700 && call.toCaller!.port <= 31759, "a relay port");
    assert.ok(call.atCallee, `the callee heard the caller (${callee.rtpIn} RTP packets)`);
    assert.ok(call.atCaller, `the caller heard the callee (${caller.rtpIn} RTP packets)`);
  });

  it("a phone on ::1 calling a phone on 127.0.0.1: its leg says c=IN IP6 ::1, the other IP4, audio both ways", {
    skip: missingCapability(hasIPv6Loopback, "no IPv6 loopback (::1) on this machine"),
  }, async () => {
    const caller = await FamilyPhone.open("::1", "102", parley.sipPort);
    const callee = await FamilyPhone.open("127.0.0.1", "101", parley.sipPort);
    phones.push(caller, callee);
    const call = await relayedCall(caller, callee);
    assert.equal(call.toCaller?.family, "IP6", caller.sdpFromParley);
    assert.equal(call.toCaller?.address, "::1", caller.sdpFromParley);
    assert.equal(call.toCallee?.family, "IP4", callee.sdpFromParley);
    assert.equal(call.toCallee?.address, "127.0.0.1", callee.sdpFromParley);
    assert.ok(call.atCallee, `the IPv4 callee heard the IPv6 caller (${callee.rtpIn} RTP packets)`);
    assert.ok(call.atCaller, `the IPv6 caller heard the IPv4 callee (${caller.rtpIn} RTP packets)`);
  });
});

describe("Parley's own media by default: the address each phone reached Parley on (issue 23)", () => {
  let parley: ParleyProcess;
  const phones: FamilyPhone[] = [];
  before(async () => {
    parley = await startParley(["--bind", "0.0.0.0,::", "--rtp-ports", "31800-31819"]);
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  for (const host of ["127.0.0.1", "::1"] as const) {
    it(`a feature code's confirmation to a phone on ${host}: the endpoint's SDP names ${host}, and it is heard`, {
      skip: host === "::1" && missingCapability(hasIPv6Loopback, "no IPv6 loopback (::1) on this machine"),
    }, async () => {
      const phone = await FamilyPhone.open(host, "100", parley.sipPort);
      phones.push(phone);
      assert.equal(await phone.register(), 200);
      // *78 (do not disturb on) is answered by Parley's media endpoint, which confirms in words.
      await phone.call("*78");
      const target = sdpTarget(phone.sdpFromParley ?? "");
      assert.equal(target?.family, host === "::1" ? "IP6" : "IP4", phone.sdpFromParley);
      assert.equal(target?.address, host, phone.sdpFromParley);
      phone.startRtp();
      assert.ok(
        await phone.rtpReceived(25, 15000),
        `the confirmation was heard (${phone.rtpIn} RTP packets)`,
      );
      phone.stopRtp();
      await phone.bye().catch(() => undefined); // the endpoint may have hung up first
    });
  }
});

describe("--media-address that is not the machine's: a warning at start-up (issue 23)", () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--media-address", "192.0.2.7", "--rtp-ports", "31760-31779"]);
  });
  after(() => parley.stop());

  it("names the setting, the address and the machine's addresses", async () => {
    const line = await parley.waitForLog((l) => l.setting === "mediaAddress");
    assert.equal(line.level, 40, "a warning");
    assert.equal(line.address, "192.0.2.7");
    assert.match(String(line.msg), /192\.0\.2\.7.*--media-address.*not an address of this machine/);
    const own = line.machineAddresses as string[];
    assert.ok(own.includes("127.0.0.1"), JSON.stringify(own));
    assert.ok(!own.includes("192.0.2.7"));
    assert.ok(String(line.msg).includes("127.0.0.1"), "the message lists the machine's addresses");
  });

  it("a --media-address of the machine is not warned about", async () => {
    const other = await startParley(["--media-address", "127.0.0.1", "--rtp-ports", "31780-31799"]);
    try {
      assert.equal(
        other.logs.find((l) => l.setting === "mediaAddress"),
        undefined,
        "no warning for an address the machine has",
      );
    } finally {
      await other.stop();
    }
  });
});
