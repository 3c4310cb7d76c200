/**
 * Runs INSIDE a private network namespace (started by media-nat.test.ts with `unshare -n`), under
 * node --test. It builds, in that namespace and in two more it creates, two phones behind NAT:
 *
 *   phone 100 (netns A, 10.0.1.2) --veth-- [SNAT to 100.64.0.11:40000-40999] --> Parley 203.0.113.1
 *   phone 101 (netns B, 10.0.2.2) --veth-- [SNAT to 100.64.0.12:41000-41999] --> Parley 203.0.113.1
 *
 * The NAT rewrites address and port of everything the phones send to Parley; new UDP towards the
 * private 10/8 addresses is dropped, so a phone is reachable only through the mapping its own
 * traffic opened (as behind a real NAT), and the phones cannot reach each other at all. Their SDP
 * carries their private addresses: audio can flow only if Parley detects the NAT, relays the
 * media and latches onto where the packets really come from. Nothing leaves these namespaces.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaresipPhone, soxStat, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { runTool } from "../helpers/run-tool.js";

const SERVER = "203.0.113.1";

interface LegStats {
  packetsIn: number;
  packetsOut: number;
  latched?: string;
}
interface CdrWithMedia {
  disposition: string;
  media?: { relayed: boolean; caller: LegStats; callee: LegStats; hangupCause?: string };
}
const STUN_PORT = 3478;
const ns = (x: string) => `parley-nat-${process.pid}-${x}`;
const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });

interface Site {
  name: string;
  net: number;
  publicAddress: string;
  ports: string;
}
const A: Site = { name: ns("a"), net: 1, publicAddress: "100.64.0.11", ports: "40000-40999" };
const B: Site = { name: ns("b"), net: 2, publicAddress: "100.64.0.12", ports: "41000-41999" };

function buildNat(site: Site): void {
  const outside = `nat${site.net}o`;
  const inside = `nat${site.net}i`;
  sh("ip", "netns", "add", site.name);
  sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", site.name);
  sh("ip", "addr", "add", `10.0.${site.net}.1/24`, "dev", outside);
  sh("ip", "link", "set", outside, "up");
  sh("ip", "-n", site.name, "link", "set", "lo", "up");
  sh("ip", "-n", site.name, "addr", "add", `10.0.${site.net}.2/24`, "dev", inside);
  sh("ip", "-n", site.name, "link", "set", inside, "up");
  sh("ip", "-n", site.name, "route", "add", "default", "via", `10.0.${site.net}.1`);
  // The NAT: what the phone sends to Parley arrives from the public address and another port.
  for (const proto of ["udp", "tcp"])
    sh(
      "iptables",
      ...["-t", "nat", "-A", "INPUT", "-p", proto, "-s", `10.0.${site.net}.2`, "-d", SERVER],
      ...["-j", "SNAT", "--to-source", `${site.publicAddress}:${site.ports}`],
    );
  // Answers to the public address are un-NATed on their way back through the veth.
  sh("ip", "route", "add", `${site.publicAddress}/32`, "dev", outside);
}

describe("two baresip phones behind NAT call through Parley's media relay", () => {
  let parley: ParleyProcess;
  let work: string;
  const phones: BaresipPhone[] = [];
  let a: BaresipPhone;
  let b: BaresipPhone;
  const account = (user: string) => `<sip:${user}@${SERVER}:${parley.sipPort}>;auth_pass=${user};regint=60`;
  const diag = () =>
    `\n--- 100:\n${a?.output().slice(-3000)}\n--- 101:\n${b?.output().slice(-3000)}\n--- parley:\n${parley.output().slice(-4000)}`;

  before(async () => {
    sh("ip", "addr", "add", `${SERVER}/32`, "dev", "lo");
    buildNat(A);
    buildNat(B);
    // A real NAT: nothing reaches the private side unless the phone's own traffic opened the way.
    sh(
      "iptables",
      "-A",
      "OUTPUT",
      "-p",
      "udp",
      "-d",
      "10.0.0.0/8",
      "-m",
      "conntrack",
      "--ctstate",
      "NEW",
      "-j",
      "DROP",
    );
    work = mkdtempSync(join(tmpdir(), "parley-nat-"));
    await toneWav(join(work, "440.wav"), 440, 60);
    await toneWav(join(work, "1000.wav"), 1000, 60);
    parley = await startParley([
      "--bind",
      SERVER,
      "--media-relay",
      "auto",
      "--media-timeout",
      "3",
      "--stun-port",
      String(STUN_PORT),
      "--rtp-ports",
      "20000-20999",
    ]);
    b = await BaresipPhone.start({
      account: account("101"),
      source: join(work, "1000.wav"),
      autoAnswer: true,
      rtpPorts: "26700-26749",
      address: "10.0.2.2",
      netns: B.name,
    });
    phones.push(b);
    a = await BaresipPhone.start({
      account: account("100"),
      source: join(work, "440.wav"),
      rtpPorts: "26750-26799",
      address: "10.0.1.2",
      netns: A.name,
    });
    phones.push(a);
    assert.ok(
      await b.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000),
      `101 registered${diag()}`,
    );
    assert.ok(
      await a.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000),
      `100 registered${diag()}`,
    );
  });

  after(async () => {
    await Promise.all(phones.map((p) => p.stop(2000)));
    await parley?.stop();
    for (const site of [A, B]) {
      try {
        sh("ip", "netns", "del", site.name);
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  it("registrations show the NAT: Contact private, source the public mapping", async () => {
    const res = await parley.api("GET", "/api/v1/registrations");
    const regs = (res.body.items ?? res.body) as Array<{
      user: string;
      contact: string;
      sourceAddress: string;
    }>;
    const r100 = regs.find((r) => r.user === "100");
    assert.ok(r100, JSON.stringify(regs));
    assert.match(r100.contact, /10\.0\.1\.2/);
    assert.equal(r100.sourceAddress, A.publicAddress);
  });

  it("a STUN Binding from stun-client behind the NAT gets its public address and port", async () => {
    const r = await runTool(
      "ip",
      ["netns", "exec", A.name, "stun", `${SERVER}:${STUN_PORT}`, "1", "-v", "-p", "5000"],
      15000,
    );
    const out = `${r.stdout}\n${r.stderr}`;
    const m = /MappedAddress = ([\d.]+):(\d+)/.exec(out);
    assert.ok(m, out);
    assert.equal(m[1], A.publicAddress, out);
    const port = Number(m[2]);
    assert.ok(port >= 40000 && port <= 40999, `mapped port ${port} is the NAT's, not 5000\n${out}`);
  });

  it("100 calls 101: media relayed (NAT detected), audio both ways, hold and resume keep it flowing, CDR has stats", {
    timeout: 90000,
  }, async (t) => {
    a.command("dial", `sip:101@${SERVER}:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `100: call established${diag()}`);
    assert.ok(await b.waitForEvent("CALL_ESTABLISHED", 5000), `101: auto-answered${diag()}`);
    // Three seconds of the call before the hold, on purpose: baresip records what it hears until
    // the hold's re-INVITE, and at least 2 s of it is measured below.
    await new Promise((r) => setTimeout(r, 3000));
    const live = await parley.api("GET", "/api/v1/calls");
    const call = (live.body.items ?? live.body)[0];
    t.diagnostic(`live call: ${JSON.stringify(call)}`);
    assert.deepEqual(call?.media, { relayed: true, reason: "nat" }, JSON.stringify(call));
    const callerLeg = call.legs.find((l: { role: string }) => l.role === "caller");
    assert.ok(callerLeg.media.packetsIn > 50, `RTP from 100 reached the relay: ${JSON.stringify(callerLeg)}`);
    assert.match(callerLeg.media.latched, new RegExp(`^${A.publicAddress.replace(/\./g, "\\.")}:4\\d{4}$`));

    // Hold (re-INVITE sendonly) and resume (sendrecv), then talk on.
    a.command("hold");
    assert.ok(await a.waitForOutput(/hold|Hold/, 5000), `100: on hold${diag()}`);
    // Two seconds held and one for the resume to settle, then a measured window (fixed on purpose).
    await new Promise((r) => setTimeout(r, 2000));
    a.command("resume");
    await new Promise((r) => setTimeout(r, 1000));
    // After the resume, RTP flows both ways through the relay: each leg's counters keep growing at
    // about 50 packets/s in and out (baresip's recorder stops at the first re-INVITE, so this is
    // read from the relay rather than from the recordings).
    type Leg = { role: string; media: { packetsIn: number; packetsOut: number } };
    const legsNow = async (): Promise<Leg[]> =>
      (await parley.api("GET", "/api/v1/calls")).body.items[0]?.legs;
    const before = await legsNow();
    await new Promise((r) => setTimeout(r, 3000));
    const after = await legsNow();
    assert.ok(before && after, "the call lived through hold and resume (no media timeout)");
    for (const role of ["caller", "callee"]) {
      const b0 = before.find((l) => l.role === role)!.media;
      const b1 = after.find((l) => l.role === role)!.media;
      t.diagnostic(
        `${role} leg over 3 s after resume: +${b1.packetsIn - b0.packetsIn} in, +${b1.packetsOut - b0.packetsOut} out`,
      );
      assert.ok(
        b1.packetsIn - b0.packetsIn >= 100,
        `${role}: RTP from the phone after resume ${JSON.stringify([b0, b1])}`,
      );
      assert.ok(
        b1.packetsOut - b0.packetsOut >= 100,
        `${role}: RTP to the phone after resume ${JSON.stringify([b0, b1])}`,
      );
    }

    a.command("hangup");
    assert.ok(await b.waitForEvent("CALL_CLOSED", 5000), `101: BYE received${diag()}`);
    assert.ok(await a.waitForEvent("CALL_CLOSED", 5000), `100: call closed${diag()}`);

    for (const [phone, who, hz] of [
      [a, "100 (hearing 101's 1 kHz)", 1000],
      [b, "101 (hearing 100's 440 Hz)", 440],
    ] as const) {
      const wav = phone.received();
      assert.ok(wav, `${who}: a recording${diag()}`);
      const st = await soxStat(wav);
      t.diagnostic(`${who}: ${st.seconds}s before the hold, RMS ${st.rms}, ${st.freq} Hz`);
      assert.ok(st.seconds >= 2, `${who}: ${st.seconds}s recorded\n${st.text}`);
      assert.ok(st.rms > 0.05, `${who}: RMS ${st.rms} (silent?)\n${st.text}`);
      assert.ok(Math.abs(st.freq - hz) < hz * 0.15, `${who}: ${st.freq} Hz, expected ~${hz}\n${st.text}`);
    }

    let cdr: CdrWithMedia | undefined;
    for (let i = 0; i < 30 && !cdr; i++) {
      cdr = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items[0];
      if (!cdr) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(cdr?.media, `CDR with media stats: ${JSON.stringify(cdr)}`);
    t.diagnostic(`CDR media: ${JSON.stringify(cdr.media)}`);
    assert.equal(cdr.media.relayed, true);
    assert.ok(
      cdr.media.caller.packetsIn > 200 && cdr.media.callee.packetsIn > 200,
      JSON.stringify(cdr.media),
    );
    assert.ok(
      cdr.media.caller.packetsOut > 200 && cdr.media.callee.packetsOut > 200,
      JSON.stringify(cdr.media),
    );
    assert.equal(cdr.media.hangupCause, undefined);
  });

  it("a phone that stops sending is cut off by the media timeout: BYE both legs, CDR cause", {
    timeout: 60000,
  }, async () => {
    a.events.length = 0;
    b.events.length = 0;
    a.command("dial", `sip:101@${SERVER}:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `100: call established${diag()}`);
    assert.ok(await b.waitForEvent("CALL_ESTABLISHED", 5000), `101: answered${diag()}`);
    // A stretch of the call before 101 freezes (fixed on purpose; the timeout is measured from it).
    await new Promise((r) => setTimeout(r, 1500));
    // 101 freezes: no more RTP from it (nor anything else) until it is thawed.
    b.proc.kill("SIGSTOP");
    try {
      assert.ok(
        await a.waitForEvent("CALL_CLOSED", 10000),
        `100: BYE from Parley after the media timeout${diag()}`,
      );
    } finally {
      b.proc.kill("SIGCONT");
    }
    assert.ok(await b.waitForEvent("CALL_CLOSED", 5000), `101: BYE from Parley once thawed${diag()}`);
    let cdr: CdrWithMedia | undefined;
    for (let i = 0; i < 30; i++) {
      const items = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items;
      if (items[0]?.media?.hangupCause) {
        cdr = items[0];
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(cdr?.media?.hangupCause, "media-timeout", JSON.stringify(cdr));
    assert.equal(cdr?.disposition, "answered");
  });
});
