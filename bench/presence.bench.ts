/**
 * Presence fan-out (issue 19): one busy user watched by 100 subscribers. A real `parley start`
 * on 127.0.0.1; 100 subscriber sockets each hold a presence subscription to 101 (digest
 * authenticated, as 102 with a raised per-user limit) and answer every NOTIFY 200 at once; the
 * bench changes 101's state as fast as the REST API takes it (do-not-disturb on and off, 8 at a
 * time) for a few seconds and counts the NOTIFYs that arrive. Each subscription sends one NOTIFY
 * at a time with the latest state, so the figure is Parley's NOTIFY throughput under fan-out.
 * Then memory per subscription: the heap after a full GC (read through the inspector) before and
 * after 2,000 more subscriptions.
 * Run: node --import tsx bench/presence.bench.ts   (goal 20,000 NOTIFY/s; floor 2,000)
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { startParley } from "../test/helpers/parley-process.js";
import { freePort } from "../test/helpers/ports.js";

const WATCHERS = 100;
const SECONDS = Number(process.env.PRESENCE_SECS ?? 5);
const EXTRA_SUBSCRIPTIONS = 2000;
const GOAL = 20_000;
const FLOOR = 2_000;

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const hex = (n: number) => randomBytes(n).toString("hex");

const inspectPort = await freePort();
const parley = await startParley(
  ["--max-subscriptions-per-user", "100000", "--max-subscriptions", "100000"],
  { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort} ${process.env.PARLEY_NODE_OPTIONS ?? ""}` },
);
const server = parley.sipPort;

/** A subscriber socket: SUBSCRIBEs with digest, answers NOTIFYs 200, counts them. */
class Watcher {
  notifies = 0;
  private readonly waiting = new Map<string, (text: string) => void>();
  private constructor(
    private readonly sock: Socket,
    private readonly port: number,
  ) {
    sock.on("message", (data) => this.onMessage(data.toString("latin1")));
  }

  static async open(): Promise<Watcher> {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    return new Watcher(sock, sock.address().port);
  }

  private onMessage(text: string): void {
    if (text.startsWith("SIP/2.0 ")) {
      const callId = header(text, "call-id");
      const status = Number(text.slice(8, 11));
      if (status >= 200) this.waiting.get(callId)?.(text);
      return;
    }
    if (text.startsWith("NOTIFY ")) this.notifies++;
    // Any request: 200 OK echoing its Via, From, To, Call-ID and CSeq (RFC 3261 8.2.6.2).
    const lines = text.split("\r\n");
    const keep = lines.filter((l) => /^(via|v|from|f|to|t|call-id|i|cseq):/i.test(l));
    this.sock.send(
      `SIP/2.0 200 OK\r\n${keep.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`,
      server,
      "127.0.0.1",
    );
  }

  private send(request: string, callId: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer to SUBSCRIBE")), 5000);
      this.waiting.set(callId, (text) => {
        clearTimeout(timer);
        this.waiting.delete(callId);
        resolve(text);
      });
      this.sock.send(request, server, "127.0.0.1");
    });
  }

  /**
   * A request outside any dialog as `user` (password = name), answered 401 first and sent again
   * with digest credentials (RFC 2617, qop=auth); resolves with the final response's text.
   */
  async request(method: string, user: string, target: string, headers: string[], body = ""): Promise<string> {
    const callId = `${hex(8)}@bench`;
    const tag = hex(4);
    const uri = `sip:${target}@127.0.0.1:${server}`;
    const build = (cseq: number, auth?: string) =>
      [
        `${method} ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${hex(6)};rport`,
        "Max-Forwards: 70",
        `From: <sip:${user}@127.0.0.1>;tag=${tag}`,
        `To: <sip:${target}@127.0.0.1>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:${user}@127.0.0.1:${this.port}>`,
        ...headers,
        ...(auth === undefined ? [] : [`Authorization: ${auth}`]),
        ...(body === "" ? [] : ["Content-Type: application/pidf+xml"]),
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n");
    const challenge = await this.send(build(1), callId);
    const www = header(challenge, "www-authenticate");
    const param = (n: string) => new RegExp(`${n}="?([^",]+)"?`, "i").exec(www)?.[1] ?? "";
    const cnonce = hex(4);
    const ha1 = md5(`${user}:${param("realm")}:${user}`);
    const response = md5(`${ha1}:${param("nonce")}:00000001:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
    const auth = `Digest username="${user}", realm="${param("realm")}", nonce="${param("nonce")}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
    return this.send(build(2, auth), callId);
  }

  /** One more subscription (its own dialog) as 102 to 101's presence; resolves on its 200. */
  async subscribe(): Promise<void> {
    const ok = await this.request("SUBSCRIBE", "102", "101", ["Event: presence", "Expires: 3600"]);
    if (!ok.startsWith("SIP/2.0 200")) throw new Error(`SUBSCRIBE refused: ${ok.split("\r\n")[0]}`);
  }

  private etag: string | undefined;

  /**
   * 101's device publishes a new note (RFC 3903; after the first, a modification of its own
   * publication by SIP-If-Match): a state change for all its watchers.
   */
  async publish(note: string): Promise<void> {
    const body = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:101@127.0.0.1"><tuple id="t"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;
    const match = this.etag === undefined ? [] : [`SIP-If-Match: ${this.etag}`];
    const ok = await this.request(
      "PUBLISH",
      "101",
      "101",
      ["Event: presence", "Expires: 600", ...match],
      body,
    );
    if (!ok.startsWith("SIP/2.0 200")) throw new Error(`PUBLISH refused: ${ok.split("\r\n")[0]}`);
    this.etag = header(ok, "sip-etag");
  }

  close(): void {
    this.sock.close();
  }
}

function header(text: string, name: string): string {
  return new RegExp(`^${name}:\\s*(.*)$`, "im").exec(text)?.[1]?.trim() ?? "";
}

function heapUsed(): number {
  const out = execFileSync(process.execPath, [
    "--experimental-websocket",
    "--no-warnings",
    "bench/heap-probe.mjs",
    String(inspectPort),
  ]);
  return Number(/"heapUsed":(\d+)/.exec(out.toString())?.[1]);
}

try {
  const watchers = await Promise.all(Array.from({ length: WATCHERS }, () => Watcher.open()));
  await Promise.all(watchers.map((w) => w.subscribe()));
  await new Promise((r) => setTimeout(r, 500));
  const count = () => watchers.reduce((n, w) => n + w.notifies, 0);

  // Drive 101's state: its devices PUBLISH a new note as fast as Parley answers (8 at a time).
  const publishers = await Promise.all(Array.from({ length: 8 }, () => Watcher.open()));
  const start = count();
  const started = performance.now();
  let changes = 0;
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    publishers.map(async (p, i) => {
      while (performance.now() < deadline) {
        await p.publish(`state ${i}-${changes}`);
        changes++;
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round((count() - start) / seconds);
  console.log(
    `BENCH presence.notify_fanout=${rate}/s (${WATCHERS} watchers of one user, ${Math.round(changes / seconds)} state changes/s; goal ${GOAL}, floor ${FLOOR})`,
  );

  // Memory: the heap after a full GC, before and after more subscriptions, once the storm's
  // finished transactions are gone (RFC 3261 Timer K: 5 s).
  await new Promise((r) => setTimeout(r, 6000));
  const before = heapUsed();
  for (let i = 0; i < EXTRA_SUBSCRIPTIONS / WATCHERS; i++)
    await Promise.all(watchers.map((w) => w.subscribe()));
  await new Promise((r) => setTimeout(r, 6000));
  const after = heapUsed();
  const perSubscription = Math.round((after - before) / EXTRA_SUBSCRIPTIONS);
  console.log(
    `BENCH presence.memory_per_subscription=${perSubscription} bytes (heap after GC, ${EXTRA_SUBSCRIPTIONS} subscriptions)`,
  );
  for (const p of publishers) p.close();
  for (const w of watchers) w.close();
  if (rate < FLOOR) process.exitCode = 1;
} finally {
  await parley.stop();
}
