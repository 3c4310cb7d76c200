/**
 * Runs INSIDE a private network namespace (see torture.test.ts): starts `parley start` on
 * 127.0.0.1:5070, sends every RFC 4475 torture message from 127.0.0.1:5060 over UDP (their Via
 * headers name foreign hosts; responses go back to 5060 by RFC 3581 `received`), and prints one
 * JSON object: file -> the status lines Parley sent back. Nothing can leave the namespace.
 */
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const dir = join(root, "test/data/rfc4475");
const PARLEY = 5070;
// Many torture messages share a branch and sent-by, so to Parley a later one is a retransmission
// of an earlier one (RFC 3261 17.2.3) as long as that transaction lives (Timer J = 64*T1). A tiny
// T1 lets each transaction end before the next message.
const T1 = 4;

/** The Call-ID (long or compact form) of a message's header section. */
function callIdOf(text: string): string | undefined {
  const head = text.split("\r\n\r\n")[0] ?? "";
  const m = /^(?:call-id|i)[ \t]*:[ \t]*(.*)$/im.exec(head);
  return m?.[1]?.trim();
}

async function main(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), "parley-torture-"));
  const proc = spawn(
    process.execPath,
    [
      join(root, "bin/parley.js"),
      "start",
      "--bind",
      "127.0.0.1",
      "--sip-port",
      String(PARLEY),
      "--sip-tls-port",
      "0",
      "--http-port",
      "0",
      "--timer-t1",
      String(T1),
      "--timer-t2",
      String(T1 * 8),
      "--data-dir",
      data,
      "--log-format",
      "json",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  // Whatever happens to this runner (an error, a timeout's SIGTERM), Parley goes with it.
  process.on("exit", () => proc.kill("SIGKILL"));
  process.on("SIGTERM", () => process.exit(1));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes('"parley started"')) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`parley exited ${code}: ${out}`)));
  });
  const sock = createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(5060, "127.0.0.1", resolve));
  // Responses go to the top Via's sent-by port (RFC 3261 18.2.2) with received=127.0.0.1: listen
  // on every other port the messages' Vias name too (quotbal.dat says 5050).
  const extra = createSocket("udp4");
  await new Promise<void>((resolve) => extra.bind(5050, "127.0.0.1", resolve));
  let inbox: string[] = [];
  let expectCallId: string | undefined;
  // Only responses to the message just sent count: an INVITE's final response keeps being
  // retransmitted (Timer G) for a while, since this client never ACKs.
  const onResponse = (m: Buffer) => {
    const text = m.toString("latin1");
    if (expectCallId !== undefined && callIdOf(text) !== expectCallId) return;
    inbox.push(text.split("\r\n")[0]!);
  };
  sock.on("message", onResponse);
  extra.on("message", onResponse);
  const results: Record<string, string[]> = {};
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".dat"))
    .sort();
  for (const file of files) {
    inbox = [];
    const data = readFileSync(join(dir, file));
    expectCallId = callIdOf(data.toString("latin1"));
    sock.send(data, PARLEY, "127.0.0.1");
    // Wait for an answer, then until every transaction of this message has ended (64*T1).
    const start = Date.now();
    while (Date.now() - start < 400 && inbox.length === 0) await new Promise((r) => setTimeout(r, 10));
    const left = 64 * T1 + 50 - (Date.now() - start);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    results[file] = inbox;
  }
  // Still alive and serving after all of them?
  inbox = [];
  expectCallId = "alive@t";
  const ping =
    "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-alive\r\nMax-Forwards: 70\r\n" +
    "To: <sip:127.0.0.1>\r\nFrom: <sip:t@127.0.0.1>;tag=a\r\nCall-ID: alive@t\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  sock.send(Buffer.from(ping), PARLEY, "127.0.0.1");
  const start = Date.now();
  while (Date.now() - start < 2000 && inbox.length === 0) await new Promise((r) => setTimeout(r, 10));
  results["alive-after"] = inbox;
  sock.close();
  extra.close();
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
  process.stdout.write(JSON.stringify(results) + "\n");
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + "\n");
  process.exit(1);
});
