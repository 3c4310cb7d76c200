/**
 * The browsers of the WebRTC relay bench (bench/webrtc-relay.sh), up to the point where media
 * flows: per call, an ICE connectivity check to the relay's side a (stun-check.ts), then a DTLS 1.2
 * client handshake with the use_srtp extension (werift's DtlsClient over this call's UDP socket),
 * then the SRTP keys from the exporter (RFC 5764 4.2). The media itself is sent by srtp-load.c,
 * which binds the same ports once this process has let them go, so the relay sees one browser per
 * call on one 5-tuple throughout.
 *
 * Usage:
 *   browser-handshake.ts cert FILE
 *     makes the browsers' certificate (ECDSA P-256, as browsers use), writes it to FILE as JSON,
 *     prints its sha-256 fingerprint (what the relay is given as the browser's a=fingerprint).
 *   browser-handshake.ts connect FILE "sha-256 <relay fingerprint>" < sessions
 *     sessions: relay-server.ts's lines "portA portB serverUfrag serverPwd browserUfrag browserPwd".
 *     Prints per call that connected:
 *       "browserPort portA portB txKey txAuth txSalt rxKey rxAuth rxSalt stunCheck" (SRTP session
 *       keys and an ICE check for consent freshness, hex)
 *     and on stderr "handshakes ok=N failed=F secs=S". Exits 1 when any call failed.
 * Only ever sends to 127.0.0.1.
 */
import { createHash } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { CipherContext, DtlsClient, ProtectionProfileAes128CmHmacSha1_80 } from "werift";
import { deriveKey } from "../../src/media/webrtc/srtp.js";
import { bindingRequest, isBindingSuccess } from "./stun-check.js";

interface BrowserCertificate {
  certPem: string;
  keyPem: string;
  fingerprint: string;
}
/** RFC 5246 7.4.1.4.1: sha256 (4) with ecdsa (3). */
const SIGNATURE_HASH = { hash: 4, signature: 3 } as const;
/** How many calls shake hands at once (a page of browsers, not a flood). */
const PARALLEL = Number(process.env.HANDSHAKE_PARALLEL ?? 16);
const STEP_TIMEOUT_MS = 10000;

function fingerprintOf(der: Buffer): string {
  return (createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g) ?? []).join(":");
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

/** RFC 3711 4.3.2: the session keys of one direction (labels 0..2 for SRTP). */
function sessionKeys(masterKey: Buffer, masterSalt: Buffer): string {
  const encryption = deriveKey(masterKey, masterSalt, 0, 16);
  const auth = deriveKey(masterKey, masterSalt, 1, 20);
  const salt = deriveKey(masterKey, masterSalt, 2, 14);
  return `${encryption.toString("hex")} ${auth.toString("hex")} ${salt.toString("hex")}`;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out`)), STEP_TIMEOUT_MS);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** One browser: check, handshake, keys. The socket stays open (and silent) until the process ends. */
async function connect(
  line: string,
  certificate: BrowserCertificate,
  relayFingerprint: string,
): Promise<string> {
  const [portA, portB, serverUfrag, serverPwd, browserUfrag] = line.trim().split(/\s+/);
  const relayPort = Number(portA);
  const socket: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  // Closed at the end whatever happens (a failed call's too).
  sockets.push(socket);
  let toDtls: (data: Buffer) => void = () => {};
  let stunAnswered: () => void = () => {};
  const request = bindingRequest(serverUfrag, browserUfrag, serverPwd);
  socket.on("message", (data) => {
    // RFC 7983: 0..3 STUN, 20..63 DTLS.
    if (data[0] < 4 && isBindingSuccess(data, request)) stunAnswered();
    else if (data[0] >= 20 && data[0] <= 63) toDtls(data);
  });
  // RFC 8445 7.2.5.2.1 / RFC 5389 7.2.1: the check is sent again until answered.
  const answered = new Promise<void>((resolve) => {
    stunAnswered = resolve;
  });
  const resend = setInterval(() => socket.send(request, relayPort, "127.0.0.1"), 100);
  socket.send(request, relayPort, "127.0.0.1");
  try {
    await withTimeout(answered, "the ICE check");
  } finally {
    clearInterval(resend);
  }
  const address = socket.address();
  const transport = {
    type: "udp",
    address: { ...address, family: "IPv4" },
    closed: false,
    onData: (_data: Buffer) => {},
    send: (data: Buffer) =>
      new Promise<void>((resolve) => socket.send(data, relayPort, "127.0.0.1", () => resolve())),
    // NOTE: no close_notify on the wire: the relay must keep the association for srtp-load.c.
    close: async () => {},
  };
  toDtls = (data) => transport.onData(data);
  const client = new DtlsClient({
    transport,
    cert: certificate.certPem,
    key: certificate.keyPem,
    signatureHash: SIGNATURE_HASH,
    srtpProfiles: [ProtectionProfileAes128CmHmacSha1_80],
    extendedMasterSecret: true,
    certificateRequest: true,
  });
  const connected = new Promise<void>((resolve, reject) => {
    client.onConnect.once(() => resolve());
    client.onError.once((error) => reject(error));
  });
  client.connect().catch(() => {});
  await withTimeout(connected, "the DTLS handshake");
  // RFC 5763 5: the certificate is authenticated by the fingerprint in the relay's SDP.
  const remote = client.remoteCertificate;
  if (remote === undefined || `sha-256 ${fingerprintOf(Buffer.from(remote))}` !== relayFingerprint) {
    throw new Error("the relay's DTLS certificate does not match its fingerprint");
  }
  // RFC 5764 4.2: client_write_SRTP_master_key, server_write_..., then the two salts.
  const keys = client.extractSessionKeys(16, 14);
  const tx = sessionKeys(Buffer.from(keys.localKey), Buffer.from(keys.localSalt));
  const rx = sessionKeys(Buffer.from(keys.remoteKey), Buffer.from(keys.remoteSalt));
  // The consent check srtp-load.c repeats (RFC 7675 5.1; its fresh transaction id is moot here).
  const consent = bindingRequest(serverUfrag, browserUfrag, serverPwd).toString("hex");
  return `${address.port} ${portA} ${portB} ${tx} ${rx} ${consent}`;
}

const sockets: Socket[] = [];
const [mode, file, relayFingerprint] = process.argv.slice(2);
if (mode === "cert") {
  const made = await CipherContext.createSelfSignedCertificateWithKey(SIGNATURE_HASH);
  const fingerprint = fingerprintOf(pemToDer(made.certPem));
  writeFileSync(file, JSON.stringify({ certPem: made.certPem, keyPem: made.keyPem, fingerprint }));
  process.stdout.write(`${fingerprint}\n`);
  process.exit(0);
}
if (mode !== "connect" || file === undefined || relayFingerprint === undefined) {
  process.stderr.write("usage: browser-handshake.ts cert FILE | connect FILE 'sha-256 FP' < sessions\n");
  process.exit(2);
}
const certificate = JSON.parse(readFileSync(file, "utf8")) as BrowserCertificate;
const lines: string[] = [];
for await (const line of createInterface({ input: process.stdin }))
  if (/^\d+ \d+ /.test(line)) lines.push(line);
const started = performance.now();
const out: string[] = [];
let failed = 0;
let next = 0;
let firstError = "";
await Promise.all(
  Array.from({ length: Math.min(PARALLEL, lines.length) }, async () => {
    while (next < lines.length) {
      const line = lines[next++];
      try {
        out.push(await connect(line, certificate, relayFingerprint));
      } catch (error) {
        failed++;
        firstError ||= String(error);
      }
    }
  }),
);
const secs = (performance.now() - started) / 1000;
process.stdout.write(out.length > 0 ? `${out.join("\n")}\n` : "");
process.stderr.write(
  `handshakes ok=${out.length} failed=${failed} secs=${secs.toFixed(2)}${firstError ? ` first_error=${firstError}` : ""}\n`,
);
for (const s of sockets) s.close();
// werift's retransmission timers would keep the process alive; the handshakes are done.
process.exit(failed > 0 ? 1 : 0);
