/**
 * Runs INSIDE a private network namespace (see replay-netns.solo.test.ts), issue 22 hole 1: starts
 * `parley start` on 127.0.0.1, registers user 100 with digest (qop=auth, nc=00000001) and keeps
 * the bytes of that authenticated REGISTER, replays them at once with another Contact, then makes
 * AUTH_COUNT other successful authentications, each on its own fresh nonce (so any table of used
 * nonces is overrun), and replays the captured REGISTER again. Prints one JSON object (the last
 * line of stdout) with what Parley answered; the test asserts on it.
 *
 * The flood is the cheapest authenticated request: a REGISTER without Contact (a query, RFC 3261
 * 10.2.3: answered 200 with the current bindings, nothing written) for users 101 and 102, each
 * preceded by an unauthenticated REGISTER for its 401 and nonce. It runs from 127.0.0.1, which
 * --rate-limit (per-source messages a second) exempts by default (--rate-limit-allow
 * 127.0.0.0/8,::1), and never fails an authentication, so --auth-fail-threshold never bans it.
 * Users 101 and 102 first register a binding from 127.0.0.1, so the flood's REGISTERs are those
 * of registered devices, which overload control (--overload-lag, --overload-busy: the flood keeps
 * Parley's event loop busy) lets through while it answers strangers 503; this test is about
 * replay, and the replays too come from 127.0.0.1, where user 100 is registered.
 */
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestResponse, type Flood, flood, sipUri } from "./replay-flood.js";

const root = new URL("../../", import.meta.url).pathname;
const PARLEY = 5070;
const HTTP = 8080;
const TOKEN = "replay-netns-token-0123456789";
const AUTH_COUNT = Number(process.env.REPLAY_AUTH_COUNT ?? 250_000);
/** Authentication jobs in flight at once (each: a challenge, then its answer). */
const WINDOW = Number(process.env.REPLAY_WINDOW ?? 100);
/** The flood stops here at the latest, well inside the nonce lifetime (300 s): see the test. */
const FLOOD_DEADLINE_MS = Number(process.env.REPLAY_DEADLINE_MS ?? 200_000);

interface Exchange {
  readonly status: number;
  readonly text: string;
}

/** Sends `data` from `sock` and resolves with the first final response carrying `callId`. */
function exchange(sock: Socket, data: Buffer, callId: string, timeoutMs = 3000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.off("message", onMessage);
      reject(new Error(`no final response for ${callId}`));
    }, timeoutMs);
    const onMessage = (m: Buffer) => {
      const text = m.toString("latin1");
      const status = Number(text.slice(8, 11));
      if (status < 200 || !text.includes(`\r\nCall-ID: ${callId}\r\n`)) return;
      clearTimeout(timer);
      sock.off("message", onMessage);
      resolve({ status, text });
    };
    sock.on("message", onMessage);
    sock.send(data, PARLEY, "127.0.0.1");
  });
}

async function openSocket(): Promise<Socket> {
  const sock = createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  return sock;
}

function register(o: {
  user: string;
  port: number;
  callId: string;
  cseq: number;
  branch: string;
  contact?: string;
  authorization?: string;
}): string {
  return [
    `REGISTER ${sipUri(PARLEY)} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.port};branch=z9hG4bK${o.branch};rport`,
    "Max-Forwards: 70",
    `From: <sip:${o.user}@127.0.0.1>;tag=t${o.callId}`,
    `To: <sip:${o.user}@127.0.0.1>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} REGISTER`,
    ...(o.contact === undefined ? [] : [`Contact: ${o.contact}`, "Expires: 3600"]),
    ...(o.authorization === undefined ? [] : [`Authorization: ${o.authorization}`]),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** REGISTER for `user`, answering the 401: the final response and the authenticated bytes. */
async function authenticatedRegister(
  sock: Socket,
  user: string,
  callId: string,
  contact: string | undefined,
): Promise<{ response: Exchange; sent: Buffer }> {
  const port = sock.address().port;
  const first = await exchange(
    sock,
    Buffer.from(register({ user, port, callId, cseq: 1, branch: `${callId}-1`, contact })),
    callId,
  );
  if (first.status !== 401) throw new Error(`expected 401, got:\n${first.text}`);
  const realm = /realm="([^"]*)"/.exec(first.text)?.[1] ?? "";
  const nonce = /nonce="([^"]*)"/.exec(first.text)?.[1] ?? "";
  const cnonce = `c${callId}`;
  const response = digestResponse(user, realm, user, nonce, cnonce, PARLEY);
  const authorization =
    `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${sipUri(PARLEY)}", ` +
    `response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
  const sent = Buffer.from(
    register({ user, port, callId, cseq: 2, branch: `${callId}-2`, contact, authorization }),
  );
  return { response: await exchange(sock, sent, callId), sent };
}

/**
 * The attacker's edit of a captured REGISTER: its own Contact, and its own Via (a new branch,
 * so Parley does not take it for a retransmission of the original transaction, RFC 3261
 * 17.2.3). Neither is covered by the digest (RFC 7616 3.4.3: qop=auth covers method and uri).
 * Nonce, nc, cnonce and response stay as captured.
 */
function tamper(captured: Buffer, contact: string, port: number, branch: string): Buffer {
  const text = captured
    .toString("latin1")
    .replace(/\r\nContact: [^\r]*/, `\r\nContact: ${contact}`)
    .replace(/\r\nVia: [^\r]*/, `\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${branch};rport`);
  return Buffer.from(text, "latin1");
}

function contactsOf(text: string): string[] {
  return [...text.matchAll(/\r\n(?:Contact|m): *<([^>]*)>/gi)].map((m) => m[1]!);
}

async function bindingsOver(): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${HTTP}/api/v1/registrations?user=100`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const body = (await res.json()) as { items: Array<{ contact: string }> };
  return body.items.map((i) => i.contact);
}

/** Parley's log lines at warn and above, for the summary (and for the error when it fails). */
const warnings: string[] = [];

async function startParley(data: string): Promise<ReturnType<typeof spawn>> {
  const proc = spawn(
    process.execPath,
    [
      join(root, "bin/parley.js"),
      "start",
      ...["--bind", "127.0.0.1", "--sip-port", String(PARLEY), "--sip-tls-port", "0"],
      ...["--http-port", String(HTTP), "--http-bind", "127.0.0.1", "--api-token", TOKEN],
      ...["--data-dir", data, "--log-format", "json", "--stun-port", "0", "--nat-keepalive", "0"],
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
      let nl = out.indexOf("\n");
      while (nl >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.includes('"parley started"')) resolve();
        // pino levels: 40 warn, 50 error, 60 fatal.
        if (/"level":[4-6]0\b/.test(line) && warnings.length < 20) warnings.push(line);
        nl = out.indexOf("\n");
      }
    });
    proc.once("exit", (code) => reject(new Error(`parley exited ${code}: ${out}`)));
  });
  return proc;
}

async function main(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), "parley-replay-"));
  const proc = await startParley(data);
  const phone = await openSocket();
  const attacker = await openSocket();
  const contactA = `<sip:100@127.0.0.1:${phone.address().port}>`;
  const contactB = `<sip:100@127.0.0.1:${attacker.address().port};evil>`;

  // The victim registers; an eavesdropper keeps the authenticated REGISTER.
  const victim = await authenticatedRegister(phone, "100", "victim", contactA);
  const registered = { status: victim.response.status, contacts: contactsOf(victim.response.text) };
  const capturedAt = Date.now();

  // Replayed at once: the nonce is in every table, its nc=00000001 already used (RFC 7616 3.4).
  const port = attacker.address().port;
  const early = await exchange(attacker, tamper(victim.sent, contactB, port, "replay-early"), "victim");

  // The flood's users are registered devices (see the top comment).
  for (const user of ["101", "102"]) {
    const contact = `<sip:${user}@127.0.0.1:${phone.address().port}>`;
    const done = await authenticatedRegister(phone, user, `bind-${user}`, contact);
    if (done.response.status !== 200) throw new Error(`REGISTER ${user}:\n${done.response.text}`);
  }

  const started = Date.now();
  const result: Flood = await flood({
    parleyPort: PARLEY,
    count: AUTH_COUNT,
    window: WINDOW,
    deadline: started + FLOOD_DEADLINE_MS,
    users: ["101", "102"],
  });
  const floodMs = Date.now() - started;

  // Replayed after the flood, still within the nonce's lifetime (see replayAgeMs).
  const late = await exchange(attacker, tamper(victim.sent, contactB, port, "replay-late"), "victim");
  const replayAgeMs = Date.now() - capturedAt;
  const query = await authenticatedRegister(phone, "100", "check", undefined);
  const apiContacts = await bindingsOver();

  phone.close();
  attacker.close();
  const memory = process.memoryUsage();
  // Parley's peak resident memory (Linux): its server transactions live Timer J (RFC 3261 17.2.2).
  const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))?.[1];
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
  rmSync(data, { recursive: true, force: true });
  const summary = {
    contactA: contactA.slice(1, -1),
    contactB: contactB.slice(1, -1),
    registered,
    early: { status: early.status, stale: /stale=true/i.test(early.text), contacts: contactsOf(early.text) },
    flood: { ...result, ms: floodMs, perSecond: Math.round((result.ok * 1000) / floodMs) },
    late: { status: late.status, stale: /stale=true/i.test(late.text), contacts: contactsOf(late.text) },
    replayAgeMs,
    query: { status: query.response.status, contacts: contactsOf(query.response.text) },
    apiContacts,
    runnerHeapMb: Math.round(memory.heapUsed / 1e6),
    parleyPeakRssMb: peak === undefined ? undefined : Math.round(Number(peak) / 1024),
    parleyWarnings: warnings,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${String((err as Error).stack ?? err)}\nParley's warnings:\n${warnings.join("\n")}\n`,
  );
  process.exit(1);
});
