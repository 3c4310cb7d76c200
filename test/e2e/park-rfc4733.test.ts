/**
 * End to end (issue 16): parking by code with RFC 4733 keys in a relayed call. 100 and 101 are
 * scripted phones; `--media-relay always` anchors their RTP in Parley. 100 keys `*70*7#` as
 * telephone-events (the payload type of its offer) into the relay: the relay reports the key
 * presses (and still passes them on), Parley parks 101 in slot 7 (re-INVITE onto music), moves
 * 100 onto "your call is parked at seven" and then sends it BYE. A stray `#` or a code without
 * the park right parks nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { RtpPeer } from "../helpers/rtp-peer.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("park by RFC 4733 keys in a relayed call", () => {
  let parley: ParleyProcess;
  const closers: Array<() => void> = [];
  before(async () => {
    parley = await startParley(["--media-relay", "always", "--rtp-ports", "35600-35699"]);
  });
  after(async () => {
    for (const close of closers) close();
    await parley.stop();
  });

  async function parked(): Promise<
    Array<{ slot: number; parked: { user: string }; parker: { user: string } }>
  > {
    return (await parley.api("GET", "/api/v1/parked")).body.items;
  }

  /** 100 calls 101 through the relay; 100's RTP peer and the relay port it sends to. */
  async function relayedCall(): Promise<{
    a: ScriptedPhone;
    b: ScriptedPhone;
    rtp: RtpPeer;
    relayPort: number;
  }> {
    const rtp = await RtpPeer.open();
    const a = await ScriptedPhone.open("100", parley.sipPort, rtp.port, { telephoneEvent: true });
    const b = await ScriptedPhone.open("101", parley.sipPort);
    closers.push(
      () => rtp.close(),
      () => a.close(),
      () => b.close(),
    );
    assert.equal((await b.register()).status, 200);
    const dialog = await a.call("101");
    const relayPort = Number(/^m=audio (\d+)/m.exec(dialog.answer ?? "")?.[1]);
    assert.ok(relayPort > 0, `the relay's port in the answer: ${dialog.answer}`);
    // Keys count once Parley has the call answered (its ACK in), not after a fixed time.
    const answered = async () =>
      ((await parley.api("GET", "/api/v1/calls")).body.items as Array<{ state: string }>).some(
        (c) => c.state === "answered",
      );
    for (let i = 0; i < 100 && !(await answered()); i++) await sleep(50);
    assert.ok(await answered(), "the call is answered");
    return { a, b, rtp, relayPort };
  }

  it("100 keys *70*7#: 101 is parked in slot 7 and 100 is released", { timeout: 60000 }, async () => {
    await parley.api("PATCH", "/api/v1/users/100", { callPark: true });
    const { a, b, rtp, relayPort } = await relayedCall();
    for (const key of "*70*7#") await rtp.sendEvent(relayPort, key);
    // Both phones are re-INVITEd onto Parley's media: 101 onto music, 100 onto the announcement.
    await b.waitFor((m) => m.method === "INVITE" && m.to?.tag !== undefined);
    await a.waitFor((m) => m.method === "INVITE" && m.to?.tag !== undefined);
    const slots = await parked();
    assert.deepEqual(
      slots.map((s) => [s.slot, s.parked.user, s.parker.user]),
      [[7, "101", "100"]],
      `${JSON.stringify(slots)}\n${parley.output().slice(-3000)}`,
    );
    await a.waitFor((m) => m.method === "BYE", 0, 15000);
    await parley.api(
      "DELETE",
      `/api/v1/calls/${(await parley.api("GET", "/api/v1/calls")).body.items[0].id}`,
    );
    await b.waitFor((m) => m.method === "BYE");
  });

  it("a stray # or a code without the right parks nothing", { timeout: 60000 }, async () => {
    await parley.api("PATCH", "/api/v1/users/100", { callPark: false });
    const { rtp, relayPort } = await relayedCall();
    for (const key of "#12#*70*8#") await rtp.sendEvent(relayPort, key);
    // What is tested is that nothing happens: a window of 1.5 s on purpose.
    await sleep(1500);
    assert.deepEqual(await parked(), []);
    const calls = (await parley.api("GET", "/api/v1/calls")).body.items as Array<{
      caller: string;
      callee: string;
    }>;
    assert.deepEqual(
      calls.map((c) => [c.caller, c.callee]),
      [["100", "101"]],
    );
  });
});
