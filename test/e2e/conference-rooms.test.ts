/**
 * End to end (issue 17, conference rooms) against a real `parley start`:
 * - a room that waits for its moderator keeps a member out of the conversation until a caller
 *   joins with the moderator PIN; a locked room hangs up;
 * - three baresip phones (100: 440 Hz, 101: 1000 Hz, 102: 660 Hz) in configured room 7001, by
 *   `*6*7001`, by the room's own number and by `*6*7001*<password>`: each hears the other two
 *   and not itself (measured from its recording); the live view lists them; muting 100 through
 *   the API silences it for the others (measured) while it still hears them;
 * - a call added to a room by transfer: 101 sends 100 (a blind REFER) to `*6*7004`, where 102 is:
 *   100 and 102 hear each other; a REFER to room 7001's own number works the same;
 * - the PIN: `*6*7003` asks for it; 1234# in SIP INFO joins (the live view shows the member),
 *   three wrong PINs are answered by goodbye and a BYE (sipp);
 * - a full room: five sipp callers fill room 7002 (five members, the default); the sixth, a
 *   baresip phone, hears a prompt (measured: not silence) and is released, and is never a member.
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
import { addUser } from "../helpers/user-passwords.js";

const skip = missingTool("baresip") || missingTool("sox") || missingTool("sipp");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Member {
  id: string;
  user: string;
  joined: boolean;
  muted: boolean;
}

describe("conference rooms (baresip and sipp)", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  let phones: PresetPhones;
  const tone = (hz: number) => join(work, `${hz}.wav`);
  before(async () => {
    parley = await startParley(["--rtp-ports", "36000-36199"]);
    work = mkdtempSync(join(tmpdir(), "parley-conference-"));
    for (const hz of [440, 660, 1000]) await toneWav(tone(hz), hz, 90);
    phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 22000);
    for (const [number, extra] of [
      ["7001", { name: "Board" }],
      ["7002", {}],
      ["7003", { pin: "1234" }],
      ["7005", { moderatorPin: "9999", waitForModerator: true }],
      ["7006", { locked: true }],
    ] as const) {
      const r = await parley.api("POST", "/api/v1/conference-rooms", { number, ...extra });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    for (const name of ["103", "104", "105", "106", "107"]) {
      const r = await addUser(parley, name);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const server = () => `127.0.0.1:${parley.sipPort}`;
  const diag = (...ps: BaresipPhone[]) =>
    `${ps.map((p, i) => `\n--- phone ${i}:\n${p.output().slice(-1500)}`).join("")}\n--- parley:\n${parley.output().slice(-4000)}`;

  async function members(room: string): Promise<Member[]> {
    const r = await parley.api("GET", `/api/v1/conference-rooms/${room}/members`);
    return r.status === 200 ? (r.body.items as Member[]) : [];
  }

  async function until(what: () => Promise<boolean>, ms = 15000): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await what()) return true;
      await sleep(200);
    }
    return false;
  }

  /** Dials and returns the wall-clock time the call was established (its recording's start). */
  async function dial(p: BaresipPhone, number: string, n = 1): Promise<number> {
    p.command("dial", `sip:${number}@${server()}`);
    assert.ok(await p.waitForNth("CALL_ESTABLISHED", n), `${number} answered${diag(p)}`);
    return Date.now();
  }

  /** The window [from, to) of wall-clock ms, in seconds into a call established at `start`. */
  const into = (start: number, from: number, to: number): [number, number] => [
    (from - start) / 1000,
    (to - start) / 1000,
  ];

  function hears(who: string, p: BaresipPhone, window: [number, number], tones: number[], call = 0): void {
    const w = heard(p, window[0], window[1], tones, call);
    for (const hz of tones)
      assert.ok(
        w.shares[hz] > (tones.length > 1 ? 0.2 : 0.5),
        `${who} should hear ${hz} Hz: ${describeHeard(w)}`,
      );
  }

  function hearsNot(who: string, p: BaresipPhone, window: [number, number], hz: number, call = 0): void {
    const w = heard(p, window[0], window[1], [hz], call);
    assert.ok(w.shares[hz] < 0.05, `${who} should not hear ${hz} Hz: ${describeHeard(w)}`);
  }

  it("three phones in a room each hear the other two; muting one through the API silences it", {
    timeout: 120000,
  }, async () => {
    const a = await phones.phone("100", tone(440));
    const b = await phones.phone("101", tone(1000));
    const c = await phones.phone("102", tone(660));
    const ta = await dial(a, "*6*7001");
    const tb = await dial(b, "7001");
    const tc = await dial(c, "*6*7001*42");
    assert.ok(
      await until(async () => (await members("7001")).filter((m) => m.joined).length === 3),
      `three members joined: ${JSON.stringify(await members("7001"))}${diag(a, b, c)}`,
    );
    const live = (await parley.api("GET", "/api/v1/conference-rooms/live")).body.items;
    assert.equal(live[0].name, "Board");
    assert.deepEqual(
      live[0].members.map((m: Member) => m.user),
      ["100", "101", "102"],
    );
    // Fixed windows on purpose: 1.5 s for the mix to settle, then 3 s whose audio is measured.
    await sleep(1500);
    const s0 = Date.now();
    await sleep(3000);
    const s1 = Date.now();
    const hundred = (await members("7001")).find((m) => m.user === "100");
    assert.ok(hundred);
    const talkers = (await members("7001")) as Array<Member & { talking: boolean }>;
    assert.ok(
      talkers.every((m) => m.talking),
      `everyone sends a tone, everyone talks: ${JSON.stringify(talkers)}`,
    );
    const mute = await parley.api("POST", `/api/v1/conference-rooms/7001/members/${hundred.id}/mute`, {
      muted: true,
    });
    assert.equal(mute.status, 200, JSON.stringify(mute.body));
    assert.equal(mute.body.muted, true);
    // A second for the mute to take, then 3 s measured (fixed windows on purpose).
    await sleep(1000);
    const m0 = Date.now();
    await sleep(3000);
    const m1 = Date.now();
    for (const p of [a, b, c]) p.command("hangup");
    for (const p of [a, b, c]) assert.ok(await p.waitForNth("CALL_CLOSED", 1), `hung up${diag(p)}`);
    assert.ok(await until(async () => (await members("7001")).length === 0), "the room emptied");
    hears("100", a, into(ta, s0, s1), [1000, 660]);
    hears("101", b, into(tb, s0, s1), [440, 660]);
    hears("102", c, into(tc, s0, s1), [440, 1000]);
    hearsNot("100 (itself)", a, into(ta, s0, s1), 440);
    hearsNot("101 (itself)", b, into(tb, s0, s1), 1000);
    hearsNot("101, 100 muted", b, into(tb, m0, m1), 440);
    hearsNot("102, 100 muted", c, into(tc, m0, m1), 440);
    hears("101, 100 muted", b, into(tb, m0, m1), [660]);
    hears("100 muted still hears", a, into(ta, m0, m1), [1000, 660]);
  });

  it("a blind transfer to *6*7004 moves the transferee into the room", { timeout: 90000 }, async () => {
    await phones.stopAll();
    const a = await phones.phone("100", tone(440));
    const b = await phones.phone("101", tone(1000), { autoAnswer: true });
    const c = await phones.phone("102", tone(660));
    const tc = await dial(c, "*6*7004");
    const ta = await dial(a, "101");
    // The transfer once the call is up and audio flows both ways (not after a fixed time): baresip's
    // recorder of the transferee keeps recording across the transfer's re-INVITE only once it has
    // started.
    assert.ok((await a.waitForTalking(1)) && (await b.waitForTalking(1)), `100 and 101 talk${diag(a, b, c)}`);
    b.command("transfer", `sip:*6*7004@${server()}`);
    assert.ok(await b.waitForNth("CALL_CLOSED", 1, 15000), `the transferor is released${diag(a, b, c)}`);
    assert.ok(
      await until(async () => (await members("7004")).filter((m) => m.joined).length === 2),
      `100 is in the room: ${JSON.stringify(await members("7004"))}${diag(a, b, c)}`,
    );
    // Fixed windows on purpose: 1.5 s for the mix to settle, then 3 s whose audio is measured.
    await sleep(1500);
    const s0 = Date.now();
    await sleep(3000);
    const s1 = Date.now();
    a.command("hangup");
    c.command("hangup");
    assert.ok(
      (await a.waitForNth("CALL_CLOSED", 1)) && (await c.waitForNth("CALL_CLOSED", 1)),
      "both hung up",
    );
    hears("100", a, into(ta, s0, s1), [660]);
    hears("102", c, into(tc, s0, s1), [440]);
  });

  it("a blind transfer to a configured room's own number moves the transferee in too", {
    timeout: 90000,
  }, async () => {
    await phones.stopAll();
    const a = await phones.phone("100", tone(440));
    const b = await phones.phone("101", tone(1000), { autoAnswer: true });
    const c = await phones.phone("102", tone(660));
    await dial(c, "*6*7001");
    await dial(a, "101");
    // The transfer once the call is up and audio flows both ways (not after a fixed time): baresip's
    // recorder of the transferee keeps recording across the transfer's re-INVITE only once it has
    // started.
    assert.ok((await a.waitForTalking(1)) && (await b.waitForTalking(1)), `100 and 101 talk${diag(a, b, c)}`);
    b.command("transfer", `sip:7001@${server()}`);
    assert.ok(await b.waitForNth("CALL_CLOSED", 1, 15000), `the transferor is released${diag(a, b, c)}`);
    assert.ok(
      await until(async () => (await members("7001")).filter((m) => m.joined).length === 2),
      `100 is in room 7001: ${JSON.stringify(await members("7001"))}${diag(a, b, c)}`,
    );
    a.command("hangup");
    c.command("hangup");
    assert.ok(
      (await a.waitForNth("CALL_CLOSED", 1)) && (await c.waitForNth("CALL_CLOSED", 1)),
      "both hung up",
    );
  });

  it("the PIN: 1234# joins; three wrong PINs: goodbye, then BYE", { timeout: 90000 }, async () => {
    const right = uac(parley, "103", "*6*7003", "conference-uac-pin.xml", ["-d", "8000"]);
    assert.ok(
      await until(async () => (await members("7003")).some((m) => m.user === "103" && m.joined)),
      `103 joined with its PIN: ${JSON.stringify(await members("7003"))}\n${parley.output().slice(-3000)}`,
    );
    const t0 = Date.now();
    passed(await uac(parley, "104", "*6*7003", "conference-uac-wrong-pin.xml"), "three wrong PINs", parley);
    assert.ok(Date.now() - t0 > 5000, "released after the three tries and the goodbye, not at once");
    passed(await right, "the right PIN", parley);
    assert.ok(!(await members("7003")).some((m) => m.user === "104"), "104 never got in");
  });

  it("the sixth caller of a five-member room hears a prompt and is released", {
    timeout: 90000,
  }, async () => {
    await phones.stopAll();
    const fill = ["103", "104", "105", "106", "107"].map((user) =>
      uac(parley, user, "*6*7002", "conference-uac-stay.xml", ["-d", "14000"]),
    );
    assert.ok(
      await until(async () => (await members("7002")).length === 5),
      `five members: ${JSON.stringify(await members("7002"))}`,
    );
    const sixth = await phones.phone("102", tone(660));
    await dial(sixth, "*6*7002");
    assert.ok(await sixth.waitForNth("CALL_CLOSED", 1, 15000), `the sixth is released${diag(sixth)}`);
    assert.equal((await members("7002")).length, 5, "still five");
    const w = heard(sixth, 0.2, 1.5, [660]);
    assert.ok(w.rms > 0.005, `the sixth heard a prompt: ${describeHeard(w)}`);
    for (const r of await Promise.all(fill)) passed(r, "a member of the full room", parley);
  });

  it("members wait for the moderator and join when it does; a locked room refuses", {
    timeout: 90000,
  }, async () => {
    const member = uac(parley, "105", "*6*7005", "conference-uac-stay.xml", ["-d", "14000"]);
    assert.ok(
      await until(async () => (await members("7005")).some((m) => m.user === "105")),
      "105 is in the room",
    );
    // What is tested is that nobody joins without the moderator: a 4 s window on purpose.
    await sleep(4000);
    assert.equal((await members("7005"))[0]?.joined, false, "still waiting: no moderator yet");
    const moderator = uac(parley, "106", "*6*7005*9999", "conference-uac-stay.xml", ["-d", "6000"]);
    assert.ok(
      await until(async () => (await members("7005")).filter((m) => m.joined).length === 2),
      `both in once the moderator is: ${JSON.stringify(await members("7005"))}`,
    );
    const live = (await parley.api("GET", "/api/v1/conference-rooms/7005/members")).body.items as Array<
      Member & { moderator: boolean }
    >;
    assert.deepEqual(
      live.map((m) => [m.user, m.moderator]),
      [
        ["105", false],
        ["106", true],
      ],
    );
    passed(await uac(parley, "107", "*6*7006", "call-uac-wait-bye.xml"), "the locked room hangs up", parley);
    assert.equal((await members("7006")).length, 0);
    passed(await moderator, "the moderator", parley);
    passed(await member, "the member", parley);
  });
});
