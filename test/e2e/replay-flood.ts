/**
 * A pipelined flood of successful digest authentications over UDP for replay-netns-runner.ts
 * (issue 22 hole 1): each job sends an unauthenticated REGISTER without Contact, takes the nonce
 * of its 401, and answers it (qop=auth, nc=00000001, RFC 7616 3.4) with the same request, which
 * is then a query (RFC 3261 10.2.3: 200 with the bindings, nothing written). So every success
 * uses a nonce of its own. `window` jobs are in flight at once; a job without an answer in
 * RETRY_MS (a datagram dropped by a full socket buffer) starts over with a new Call-ID.
 * Digests are computed here with node:crypto, independently of Parley's auth code.
 */
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");
const RETRY_MS = 2000;
/** Authenticated requests answered otherwise than 200 after which the flood gives up. */
const MAX_REFUSED = 100;

export function sipUri(port: number): string {
  return `sip:127.0.0.1:${port}`;
}

/** RFC 7616 3.4.1, qop=auth, nc=00000001, for a REGISTER to Parley's address. */
export function digestResponse(
  user: string,
  realm: string,
  password: string,
  nonce: string,
  cnonce: string,
  parleyPort: number,
): string {
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`REGISTER:${sipUri(parleyPort)}`);
  return md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
}

export interface FloodOptions {
  readonly parleyPort: number;
  /** Successful authentications wanted. */
  readonly count: number;
  readonly window: number;
  /** Epoch ms after which no new job starts. */
  readonly deadline: number;
  /** Users to authenticate as, in turn (password = name: the preset users, from loopback). */
  readonly users: readonly string[];
}

export interface Flood {
  /** 200s to authenticated requests, each on its own nonce. */
  ok: number;
  /** Final responses by status, of both steps (401s of the first step included). */
  statuses: Record<string, number>;
  /** Jobs started over after RETRY_MS without an answer. */
  retried: number;
  /** Jobs answered with anything but 401 then 200 (a 401 stale, a 403, a 503); past 100 it stops. */
  refused: number;
}

interface Job {
  readonly user: number;
  /** 1 = waiting for the challenge, 2 = for the answer to the credentials. */
  step: 1 | 2;
  sentAt: number;
}

export async function flood(o: FloodOptions): Promise<Flood> {
  const sock = createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  const port = sock.address().port;
  const uri = sipUri(o.parleyPort);
  const ha2 = md5(`REGISTER:${uri}`);
  let realm: string | undefined;
  const ha1s = new Map<string, string>();
  const result: Flood = { ok: 0, statuses: {}, retried: 0, refused: 0 };
  const jobs = new Map<string, Job>();
  let next = 0;
  let stopped = false;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));

  const send = (callId: string, job: Job, authorization?: string) => {
    const user = o.users[job.user]!;
    const text =
      `REGISTER ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${callId}-${job.step};rport\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:${user}@127.0.0.1>;tag=${callId}\r\nTo: <sip:${user}@127.0.0.1>\r\n` +
      `Call-ID: ${callId}\r\nCSeq: ${job.step} REGISTER\r\n` +
      (authorization === undefined ? "" : `Authorization: ${authorization}\r\n`) +
      "Content-Length: 0\r\n\r\n";
    job.sentAt = Date.now();
    sock.send(text, o.parleyPort, "127.0.0.1");
  };
  const start = () => {
    // Started jobs plus successes never exceed the count: stop starting once enough are in flight.
    if (stopped || result.ok + jobs.size >= o.count || Date.now() >= o.deadline) {
      if (jobs.size === 0) done();
      return;
    }
    const callId = `f${next}`;
    const job: Job = { user: next % o.users.length, step: 1, sentAt: 0 };
    next++;
    jobs.set(callId, job);
    send(callId, job);
  };

  sock.on("message", (m: Buffer) => {
    const text = m.toString("latin1");
    const status = text.slice(8, 11);
    if (status[0] === "1") return;
    const at = text.indexOf("\r\nCall-ID: ") + 11;
    const callId = text.slice(at, text.indexOf("\r\n", at));
    const job = jobs.get(callId);
    if (job === undefined) return;
    result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    if (job.step === 1 && status === "401") {
      const n = text.indexOf('nonce="') + 7;
      const nonce = text.slice(n, text.indexOf('"', n));
      const user = o.users[job.user]!;
      if (realm === undefined) realm = /realm="([^"]*)"/.exec(text)?.[1] ?? "";
      let ha1 = ha1s.get(user);
      if (ha1 === undefined) {
        ha1 = md5(`${user}:${realm}:${user}`);
        ha1s.set(user, ha1);
      }
      const response = md5(`${ha1}:${nonce}:00000001:${callId}:auth:${ha2}`);
      job.step = 2;
      send(
        callId,
        job,
        `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
          `response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${callId}"`,
      );
      return;
    }
    jobs.delete(callId);
    if (job.step === 2 && status === "200") result.ok++;
    else result.refused++;
    // Refusals mean the setup is wrong (or Parley is): stop rather than spin on them.
    if (result.refused > MAX_REFUSED) stopped = true;
    start();
  });

  // Jobs whose datagram (or answer) was lost start over.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [callId, job] of jobs) {
      if (now - job.sentAt < RETRY_MS) continue;
      jobs.delete(callId);
      result.retried++;
      start();
    }
  }, 250);
  for (let i = 0; i < o.window; i++) start();
  await finished;
  clearInterval(sweep);
  sock.close();
  return result;
}
