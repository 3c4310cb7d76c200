/**
 * End to end (issue 16): call park and retrieve with baresip phones against a real `parley
 * start`. 100 (440 Hz) calls 101 (1000 Hz), which parks the call with its transfer key: a blind
 * REFER to `*70*5`. 101 is released, 100 hears music (neither tone), the slot shows in the API;
 * 102 (660 Hz) dials `*70*5` and talks with 100, each hearing the other's tone; when 102 hangs up,
 * 100 is released too. With a short park timeout, an unretrieved call rings 101 back and 101 talks
 * with 100 again. Every phone's audio is measured from its recording.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BaresipPhone, PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { describeHeard, heard } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";

const skip = missingTool("baresip") || missingTool("sox") || missingTool("sipp");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One Parley (its park timeout in seconds), the preset users' baresip phones and tone files. */
class ParkBench {
  parley!: ParleyProcess;
  work!: string;
  phones!: PresetPhones;

  constructor(
    readonly parkTimeout: number,
    readonly rtpBase: number,
    /** The first RTP port of the phones (50 each), apart from every other test's. */
    readonly phoneBase: number,
  ) {}

  async start(): Promise<void> {
    const { rtpBase } = this;
    this.parley = await startParley([
      "--park-timeout",
      String(this.parkTimeout),
      "--rtp-ports",
      `${rtpBase}-${rtpBase + 99}`,
    ]);
    this.work = mkdtempSync(join(tmpdir(), "parley-park-"));
    for (const hz of [440, 660, 1000]) await toneWav(join(this.work, `${hz}.wav`), hz, 60);
    this.phones = new PresetPhones(() => this.server(), this.phoneBase);
    for (const user of ["100", "101", "102"])
      await this.parley.api("PATCH", `/api/v1/users/${user}`, { callPark: true, callRetrieve: true });
  }

  async stop(): Promise<void> {
    await this.phones.stopAll();
    await this.parley.stop();
    rmSync(this.work, { recursive: true, force: true });
  }

  server(): string {
    return `127.0.0.1:${this.parley.sipPort}`;
  }

  tone(hz: number): string {
    return join(this.work, `${hz}.wav`);
  }

  diag(...ps: BaresipPhone[]): string {
    const tail = ps.map((p, i) => `\n--- phone ${i}:\n${p.output().slice(-2500)}`).join("");
    // The API's request lines (the tests poll it) would push the call's log out of view.
    const log = this.parley
      .output()
      .split("\n")
      .filter((line) => !line.includes('"component":"api"'))
      .join("\n");
    return `${tail}\n--- parley:\n${log.slice(-6000)}`;
  }

  async parkedSlots(): Promise<Array<{ slot: number; parked: { user: string }; parker: { user: string } }>> {
    return (await this.parley.api("GET", "/api/v1/parked")).body.items;
  }
}

describe("call park and retrieve (baresip)", { skip }, () => {
  // A short park timeout: the ring-back test waits for it.
  const bench = new ParkBench(4, 35200, 21000);
  before(() => bench.start());
  after(() => bench.stop());

  it("101 parks 100 by REFER to *70*5; 102 retrieves it with *70*5", { timeout: 90000 }, async () => {
    const a = await bench.phones.phone("100", bench.tone(440));
    const b = await bench.phones.phone("101", bench.tone(1000), { autoAnswer: true });
    const c = await bench.phones.phone("102", bench.tone(660));
    a.command("dial", `sip:101@${bench.server()}`);
    assert.ok(await a.waitForNth("CALL_ESTABLISHED", 1), `100's call answered${bench.diag(a, b, c)}`);
    const start = Date.now();
    // Fixed stretches on purpose: the windows of each phone's audio are measured from `start`.
    await sleep(2000);
    b.command("transfer", `sip:*70*5@${bench.server()}`);
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), `101 released after parking${bench.diag(a, b, c)}`);
    const parkedAt = (Date.now() - start) / 1000;
    const slots = await bench.parkedSlots();
    assert.equal(slots.length, 1, JSON.stringify(slots));
    assert.equal(slots[0].slot, 5);
    assert.equal(slots[0].parked.user, "100");
    assert.equal(slots[0].parker.user, "101");
    await sleep(2500);
    c.command("dial", `sip:*70*5@${bench.server()}`);
    assert.ok(await c.waitForNth("CALL_ESTABLISHED", 1), `102 retrieved${bench.diag(a, b, c)}`);
    const retrievedAt = (Date.now() - start) / 1000;
    assert.deepEqual(await bench.parkedSlots(), [], "the slot is free again");
    await sleep(3500);
    const talkEnd = (Date.now() - start) / 1000;
    c.command("hangup");
    assert.ok(await a.waitForNth("CALL_CLOSED", 1), `100 released when 102 hung up${bench.diag(a, b, c)}`);

    const before = heard(a, 0.5, 1.8, [1000, 660]);
    assert.ok(before.shares[1000] > 0.5, `100 heard 101 before parking: ${describeHeard(before)}`);
    const music = heard(a, parkedAt + 0.7, retrievedAt - 0.3, [440, 660, 1000]);
    assert.ok(music.rms > 0.005, `100 heard music while parked: ${describeHeard(music)}`);
    assert.ok(music.shares[1000] < 0.2 && music.shares[660] < 0.2, `not a phone: ${describeHeard(music)}`);
    const talk = heard(a, retrievedAt + 1, talkEnd - 0.3, [660]);
    assert.ok(talk.shares[660] > 0.5, `100 heard 102 after the retrieve: ${describeHeard(talk)}`);
    const retriever = heard(c, 0.8, 3, [440]);
    assert.ok(retriever.shares[440] > 0.5, `102 heard 100: ${describeHeard(retriever)}`);
  });

  it("an unretrieved call rings its parker back after the park timeout", { timeout: 90000 }, async () => {
    await bench.phones.stopAll();
    const a = await bench.phones.phone("100", bench.tone(440));
    const b = await bench.phones.phone("101", bench.tone(1000), { autoAnswer: true });
    a.command("dial", `sip:101@${bench.server()}`);
    // The transfer once the call is up and audio flows both ways (not after a fixed time).
    assert.ok((await a.waitForTalking(1)) && (await b.waitForTalking(1)), `101 answered${bench.diag(a, b)}`);
    b.command("transfer", `sip:*70*6@${bench.server()}`);
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), `101 released after parking${bench.diag(a, b)}`);
    assert.equal((await bench.parkedSlots())[0]?.slot, 6);
    // --park-timeout 4: Parley rings 101 back, which answers and talks with 100 again.
    assert.ok(await b.waitForNth("CALL_ESTABLISHED", 2, 12000), `101 rung back${bench.diag(a, b)}`);
    assert.deepEqual(await bench.parkedSlots(), []);
    // Three seconds of the ring-back call, on purpose: 101's audio is measured.
    await sleep(3000);
    b.command("hangup");
    assert.ok(await a.waitForNth("CALL_CLOSED", 1), `100 released${bench.diag(a, b)}`);
    const back = heard(b, 0.8, 2.5, [440], 1);
    assert.ok(back.shares[440] > 0.5, `101 heard 100 on the ring-back: ${describeHeard(back)}`);
  });

  it("a user in a call parks the other side by dialling *70*7# (SIP INFO)", { timeout: 90000 }, async () => {
    await bench.phones.stopAll();
    const b = await bench.phones.phone("101", bench.tone(1000), { autoAnswer: true });
    const c = await bench.phones.phone("102", bench.tone(660));
    // 100 (sipp) calls 101, dials *70*7# in INFO, hears where the call is parked, gets BYE.
    const parker = uac(bench.parley, "100", "101", "park-uac-by-code.xml");
    let slots: Awaited<ReturnType<ParkBench["parkedSlots"]>> = [];
    for (let i = 0; i < 100 && slots.length === 0; i++) {
      await sleep(100);
      slots = await bench.parkedSlots();
    }
    if (slots.length === 0) passed(await parker, "100's call", bench.parley);
    assert.equal(slots[0]?.slot, 7, `parked in slot 7: ${JSON.stringify(slots)}${bench.diag(b, c)}`);
    assert.equal(slots[0]?.parked.user, "101");
    assert.equal(slots[0]?.parker.user, "100");
    passed(await parker, "100 parked 101 by code and was released", bench.parley);
    c.command("dial", `sip:*70*7@${bench.server()}`);
    assert.ok(await c.waitForNth("CALL_ESTABLISHED", 1), `102 retrieved${bench.diag(b, c)}`);
    await sleep(3000);
    c.command("hangup");
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), `101 released with 102${bench.diag(b, c)}`);
    const retriever = heard(c, 0.8, 2.5, [1000]);
    assert.ok(retriever.shares[1000] > 0.5, `102 heard 101: ${describeHeard(retriever)}`);
  });
});

describe("call park refusals (baresip, sipp)", { skip }, () => {
  const bench = new ParkBench(60, 35500, 21500);
  before(() => bench.start());
  after(() => bench.stop());

  it("a taken slot, a missing right and an empty slot get clear answers; nothing is stuck", {
    timeout: 90000,
  }, async () => {
    await bench.phones.stopAll();
    const a = await bench.phones.phone("100", bench.tone(440));
    const b = await bench.phones.phone("101", bench.tone(1000), { autoAnswer: true });
    const c = await bench.phones.phone("102", bench.tone(660));
    a.command("dial", `sip:101@${bench.server()}`);
    // The transfer once the call is up and audio flows both ways (not after a fixed time).
    assert.ok(
      (await a.waitForTalking(1)) && (await b.waitForTalking(1)),
      `101 answered${bench.diag(a, b, c)}`,
    );
    b.command("transfer", `sip:*70*8@${bench.server()}`);
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), `100 parked in slot 8${bench.diag(a, b, c)}`);
    // Each refusal in a call of its own: 102 calls 101, which tries to park 102; the transferor's
    // NOTIFY says why not (baresip 1.0 then hangs up by itself; Parley would keep the call).
    const refused = async (slot: number, status: RegExp, round: number) => {
      c.command("dial", `sip:101@${bench.server()}`);
      assert.ok(await b.waitForTalking(round), `101 answered 102${bench.diag(a, b, c)}`);
      b.command("transfer", `sip:*70*${slot}@${bench.server()}`);
      assert.ok(await b.waitForOutput(status, 5000), `101 was told ${status}${bench.diag(b)}`);
      await sleep(1500);
      c.command("hangup");
      let left = true;
      for (let i = 0; i < 50 && left; i++) {
        await sleep(100);
        const live = (await bench.parley.api("GET", "/api/v1/calls")).body.items as Array<{ caller: string }>;
        left = live.some((x) => x.caller === "102");
      }
      assert.ok(!left, `the call of 102 ended${bench.diag(b, c)}`);
    };
    await bench.parley.api("PATCH", "/api/v1/users/101", { callPark: false });
    await refused(9, /transfer failed: 403/, 2);
    await bench.parley.api("PATCH", "/api/v1/users/101", { callPark: true });
    await refused(8, /transfer failed: 486/, 3);
    assert.deepEqual(
      (await bench.parkedSlots()).map((x) => [x.slot, x.parked.user]),
      [[8, "100"]],
    );
    // An empty slot, a slot out of range, and no retrieve right: a prompt, then BYE.
    passed(
      await uac(bench.parley, "102", "*70*9", "call-uac-wait-bye.xml"),
      "102 dialled the empty slot 9",
      bench.parley,
    );
    passed(
      await uac(bench.parley, "102", "*70*100", "call-uac-wait-bye.xml"),
      "102 dialled slot 100",
      bench.parley,
    );
    await bench.parley.api("PATCH", "/api/v1/users/102", { callRetrieve: false });
    passed(
      await uac(bench.parley, "102", "*70*8", "call-uac-wait-bye.xml"),
      "102 may not retrieve",
      bench.parley,
    );
    assert.equal((await bench.parkedSlots()).length, 1, "slot 8 is still parked");
    // The parked caller hangs up: the slot frees.
    a.command("hangup");
    assert.ok(await a.waitForNth("CALL_CLOSED", 1), `100 hung up${bench.diag(a)}`);
    for (let i = 0; i < 30 && (await bench.parkedSlots()).length > 0; i++) await sleep(100);
    assert.deepEqual(await bench.parkedSlots(), []);
    assert.equal((await bench.parley.api("GET", "/api/v1/calls")).body.items.length, 0);
  });
});
