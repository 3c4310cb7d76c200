/**
 * End to end (issue 18, acceptance "The calling card"): the shipped `card` script on *300*. The
 * caller is a scripted phone keying by RFC 4733 (an RtpPeer); the callee is sipp, registered as
 * 101 (call-uas-answer.xml: it answers and waits for the BYE). The rate is set high so the money
 * runs out in seconds: 0.10 on answer and 6.00 a minute in 2-second increments (0.20 each).
 * - The prompt sequence (logged "script: play" in words): card number, PIN, balance, destination,
 *   the minutes it buys; a wrong PIN is refused and asked again.
 * - A balance of 1.00 pays the answer (0.30) and three more increments: the warning tone plays at
 *   once (less than a minute is paid), the call is released at 8 s of talk by BYE to both sides,
 *   the card keeps exactly 0.10, the CDR shows card and charge.
 * - Two calls at once on one card of 1.00: together they never spend more than the card holds.
 * - kill -9 of Parley mid-call: after a restart the card shows every increment begun before the
 *   kill, and at most the one in progress beyond (charges are written ahead).
 * RTP: Parley's endpoint range; the RtpPeer's own port.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { RtpPeer, toneShare } from "../helpers/rtp-peer.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";
import { registeredUas } from "../helpers/sipp-phones.js";

/** G.711 mu-law to linear (ITU-T G.711): what the caller's phone plays. */
function ulaw(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE = {
  prefix: "10",
  connectCharge: 0.1,
  perMinute: 6,
  firstIncrement: 2,
  increment: 2,
  description: "test",
};

interface CardCall {
  phone: ScriptedPhone;
  rtp: RtpPeer;
  dialog: Awaited<ReturnType<ScriptedPhone["call"]>>;
  port: number;
}

describe("calling card (e2e)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  const closers: Array<() => void> = [];

  before(async () => {
    parley = await startParley();
    const rate = await parley.api("POST", "/api/v1/calling-card-rates", RATE);
    assert.equal(rate.status, 201, JSON.stringify(rate.body));
    // The callers are 100 and 102; their call limits (4) leave room for the tests' calls.
  });

  after(async () => {
    for (const close of closers.splice(0)) close();
    await parley?.stop();
  });

  async function card(number: string, balance: number): Promise<void> {
    const made = await parley.api("POST", "/api/v1/calling-cards", { number, pin: "1234", balance });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  }

  async function balanceOf(p: ParleyProcess, number: string): Promise<number> {
    const got = await p.api("GET", `/api/v1/calling-cards/${number}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    return got.body.balance as number;
  }

  /** Waits for the script's next play naming `prompt` after log line `since`; its index. */
  async function played(p: ParleyProcess, prompt: string, since: number): Promise<number> {
    for (let i = 0; i < 400; i++) {
      const at = p.logs.findIndex(
        (l, n) => n >= since && l.msg === "script: play" && (l.said as string[])[0] === prompt,
      );
      if (at >= 0) return at;
      await sleep(25);
    }
    throw new Error(`no play of ${prompt}\n${p.output().slice(-4000)}`);
  }

  /** The callee answered the card's call (logged "script: connect" with 200). */
  async function connected(p: ParleyProcess, since: number): Promise<void> {
    const line = await p.waitForLog((l) => l.msg === "script: connect" && p.logs.indexOf(l) >= since, 20000);
    assert.equal(line.status, 200, JSON.stringify(line));
    assert.equal(line.anchored, true);
  }

  async function dialCard(p: ParleyProcess, caller: string): Promise<CardCall> {
    const rtp = await RtpPeer.open();
    const phone = await ScriptedPhone.open(caller, p.sipPort, rtp.port, { telephoneEvent: true });
    closers.push(
      () => rtp.close(),
      () => phone.close(),
    );
    const dialog = await phone.call("*300*");
    const port = Number(/^m=audio (\d+)/m.exec(dialog.answer ?? "")?.[1]);
    assert.ok(port > 0, `the card script answers: ${dialog.answer}`);
    return { phone, rtp, dialog, port };
  }

  async function keys(call: CardCall, digits: string): Promise<void> {
    for (const key of digits) await call.rtp.sendEvent(call.port, key);
  }

  /** Card number, PIN, destination, each after its prompt; resolves when 101 is rung. */
  async function signIn(p: ParleyProcess, call: CardCall, number: string, since: number): Promise<number> {
    let at = await played(p, "enter-card-number", since);
    await keys(call, `${number}#`);
    at = await played(p, "enter-pin", at);
    await keys(call, "1234#");
    at = await played(p, "enter-destination", at);
    await keys(call, "101#");
    return played(p, "you-can-talk-for", at);
  }

  it("asks, speaks the balance, connects and releases the call when the balance runs out", async () => {
    await card("5550001", 1);
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml", ["-m", "1"]);
    const since = parley.logs.length;
    const call = await dialCard(parley, "100");
    let at = await played(parley, "enter-card-number", since);
    await keys(call, "5550001#");
    at = await played(parley, "enter-pin", at);
    await keys(call, "9999#"); // wrong: refused, asked again
    at = await played(parley, "card-invalid", at);
    at = await played(parley, "enter-pin", at);
    await keys(call, "1234#");
    const balance = await played(parley, "your-balance-is", at);
    assert.deepEqual(parley.logs[balance]!.said, ["your-balance-is", "amount:100"]);
    at = await played(parley, "enter-destination", balance);
    await keys(call, "101#");
    const announced = await played(parley, "you-can-talk-for", at);
    // 1.00 - 0.10 buys four 2-second increments: 8 s, "zero minutes".
    assert.deepEqual(parley.logs[announced]!.said, ["you-can-talk-for", "number:0", "word-minutes"]);
    await connected(parley, announced);
    const answered = performance.now();
    const atAnswer = call.rtp.inbox.length;
    // Less than a minute is paid for: the warning tone (1000 Hz, 0.6 s) plays at once, to the caller.
    await played(parley, "tone:beep", announced);
    await sleep(800);
    const tone = call.rtp.inbox.slice(atAnswer).filter((p) => p.pt === 0);
    const pcm = Int16Array.from(Buffer.concat(tone.map((p) => p.payload)), (b) => ulaw(b));
    assert.ok(
      toneShare(pcm, 1000) > 0.4,
      `the caller hears the warning tone (${toneShare(pcm, 1000).toFixed(2)})`,
    );
    const bye = await call.phone.waitFor((m) => m.method === "BYE", 0, 20000);
    const talked = (performance.now() - answered) / 1000;
    assert.ok(talked > 7 && talked < 10.5, `released after ${talked.toFixed(1)} s of talk (8 s paid)`);
    assert.equal(bye.get("call-id"), call.dialog.callId);
    assert.equal((await callee.done).code, 0, "the callee got its BYE too");
    assert.equal(await balanceOf(parley, "5550001"), 0.1);
    let cdr: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && cdr === undefined; i++) {
      const items = (await parley.api("GET", "/api/v1/cdrs?limit=20")).body.items as Array<
        Record<string, unknown>
      >;
      cdr = items.find((r) => r.card === "5550001");
      if (cdr === undefined) await sleep(100);
    }
    assert.ok(cdr !== undefined, "the CDR names the card");
    assert.equal(cdr.charge, 0.9);
    assert.equal(cdr.hangupCause, "max-duration");
  });

  it("two calls at once on one card never spend more than it holds", async () => {
    await card("5550002", 1);
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml", ["-m", "2"]);
    const since = parley.logs.length;
    const [a, b] = await Promise.all([dialCard(parley, "100"), dialCard(parley, "102")]);
    await Promise.all([signIn(parley, a, "5550002", since), signIn(parley, b, "5550002", since)]);
    await Promise.all([
      a.phone.waitFor((m) => m.method === "BYE", 0, 20000),
      b.phone.waitFor((m) => m.method === "BYE", 0, 20000),
    ]);
    await callee.done;
    const left = await balanceOf(parley, "5550002");
    assert.ok(left >= 0, `never below zero: ${left}`);
    // Each answer takes 0.30, then increments of 0.20 while the money lasts: 0.40 left after both
    // answers, two more increments, and nothing is left that buys another.
    assert.ok(left < 0.2, `what is left buys no increment: ${left}`);
  });

  it("kill -9 mid-call loses no charge beyond the increment in progress", async () => {
    const restartable = await startParley();
    try {
      const rate = await restartable.api("POST", "/api/v1/calling-card-rates", RATE);
      assert.equal(rate.status, 201);
      const made = await restartable.api("POST", "/api/v1/calling-cards", {
        number: "5550003",
        pin: "1234",
        balance: 10,
      });
      assert.equal(made.status, 201);
      await registeredUas(restartable, "101", "call-uas-answer.xml", ["-m", "1"]);
      const call = await dialCard(restartable, "100");
      await signIn(restartable, call, "5550003", 0);
      await connected(restartable, 0);
      const answered = performance.now();
      await sleep(5000); // mid-way through the third increment (4-6 s)
      restartable.proc.kill("SIGKILL");
      const talked = (performance.now() - answered) / 1000;
      await new Promise((r) => restartable.proc.once("exit", r));
      const again = await startParley(
        [],
        {},
        {
          dataDir: restartable.dataDir,
          ports: { sip: restartable.sipPort, tls: restartable.tlsPort, http: restartable.httpPort },
        },
      );
      try {
        const left = await balanceOf(again, "5550003");
        const begun = Math.floor(talked / 2) + 1; // increments started by the kill (charged ahead)
        const due = 10 - 0.1 - 0.2 * Math.floor(talked / 2);
        assert.ok(
          left <= due + 1e-9,
          `every charge due is kept: ${left} <= ${due} (talked ${talked.toFixed(2)} s)`,
        );
        assert.ok(
          left >= 10 - 0.1 - 0.2 * (begun + 1) - 1e-9,
          `at most the increment in progress beyond: ${left}`,
        );
      } finally {
        await again.stop();
      }
    } finally {
      if (restartable.proc.exitCode === null) await restartable.stop();
    }
  });
});
