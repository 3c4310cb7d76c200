/**
 * A DTLS 1.2 server for DTLS-SRTP (RFC 6347, RFC 5763, RFC 5764): Parley is always the server
 * (a=setup:passive / actpass), and the client must present a certificate (RFC 5763 5) whose
 * fingerprint the owner compares with the browser's SDP.
 *
 * Why our own rather than werift 0.24.4's DtlsServer (tried first, over a custom transport; its
 * API fits): its server never verifies the client's CertificateVerify signature nor its Finished,
 * so a peer replaying a certificate it saw in the SDP would pass the fingerprint check; and its
 * retransmissions are promise sleeps (~33 s each) that close() cannot cancel, so a half
 * handshake keeps timers and memory alive well past our bound. What a browser needs is small:
 * one cipher suite (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, RFC 5289), ECDHE on P-256,
 * extended_master_secret (RFC 7627), use_srtp (RFC 5764 4.1.1) and the exporter (RFC 5705).
 *
 * Scope: no HelloVerifyRequest cookie (NOTE: RFC 6347 4.2.1 makes it a SHOULD against spoofed
 * sources; here a datagram only reaches the server from an address that passed an ICE check with
 * our password, which proves the source), no resumption, no renegotiation. Retransmission is
 * driven by the client (RFC 6347 4.2.4): its repeated flight makes us repeat ours; the owner's
 * handshake timeout bounds the whole, so this class holds no timer.
 */
import { createECDH, createHash, type ECDH, randomBytes, sign, verify, X509Certificate } from "node:crypto";
import type { DtlsCertificate } from "./dtls-certificate.js";
import {
  CERTIFICATE,
  CERTIFICATE_REQUEST,
  CERTIFICATE_VERIFY,
  CLIENT_HELLO,
  CLIENT_KEY_EXCHANGE,
  FINISHED,
  type HandshakeMessage,
  HandshakeReassembler,
  readClientHello,
  readUint16List,
  SERVER_HELLO,
  SERVER_HELLO_DONE,
  SERVER_KEY_EXCHANGE,
  uint16,
  vector,
  writeHandshake,
} from "./dtls-handshake.js";
import {
  ALERT,
  CHANGE_CIPHER_SPEC,
  GcmRecordCipher,
  HANDSHAKE,
  prf,
  readRecords,
  writeRecord,
} from "./dtls-record.js";

const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b;
const SECP256R1 = 23;
const EXT_SUPPORTED_GROUPS = 10;
const EXT_EC_POINT_FORMATS = 11;
const EXT_USE_SRTP = 14;
const EXT_EXTENDED_MASTER_SECRET = 23;
const EXT_RENEGOTIATION_INFO = 0xff01;
/** RFC 5764 4.1.2. */
export const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;
/** RFC 5246 7.4.1.4.1: SignatureAndHashAlgorithm (hash, signature). */
const SIGNATURE_HASHES: Record<number, string> = {
  1027: "sha256",
  1283: "sha384",
  1025: "sha256",
  1281: "sha384",
};

/** RFC 5764 4.2: the SRTP master keys and salts of both directions, from the exporter. */
export interface SrtpKeys {
  readonly profile: number;
  readonly clientKey: Buffer;
  readonly clientSalt: Buffer;
  readonly serverKey: Buffer;
  readonly serverSalt: Buffer;
}

export interface DtlsServerEvents {
  send(datagram: Buffer): void;
  /** The handshake is done; the owner checks `peerCertificate` against the SDP fingerprint. */
  onConnected(keys: SrtpKeys, peerCertificate: Buffer): void;
  onFailed(reason: string): void;
  /** The client closed the association (close_notify or a fatal alert after the handshake). */
  onClosed(): void;
}

type State = "hello" | "keyExchange" | "connected" | "failed";

/** A message of our last flight, kept to send again; `ccs` is the ChangeCipherSpec record. */
interface OutMessage {
  readonly epoch: 0 | 1;
  readonly type: number;
  readonly body: Buffer;
  readonly seq: number;
  readonly ccs?: boolean;
}

export class DtlsServer {
  private state: State = "hello";
  private readonly reassembler = new HandshakeReassembler();
  private readonly transcript: Buffer[] = [];
  private nextReceiveSeq = 0;
  private nextSendSeq = 0;
  private readonly sequences = [0, 0];
  private lastFlight: OutMessage[] = [];
  private pending = new Map<number, HandshakeMessage>();
  private clientRandom: Buffer = Buffer.alloc(0);
  private readonly serverRandom = randomBytes(32);
  private ecdh: ECDH | undefined;
  private extendedMasterSecret = false;
  private masterSecret: Buffer | undefined;
  private reader: GcmRecordCipher | undefined;
  private writer: GcmRecordCipher | undefined;
  private peerCertificate: Buffer | undefined;
  private verified = false;

  constructor(
    private readonly certificate: DtlsCertificate,
    private readonly events: DtlsServerEvents,
  ) {}

  get connected(): boolean {
    return this.state === "connected";
  }

  /** One datagram from the client (first byte 20..63, RFC 7983). */
  handle(datagram: Buffer): void {
    if (this.state === "failed") return;
    let repeat = false;
    for (const record of readRecords(datagram)) {
      let fragment = record.fragment;
      if (record.epoch === 1) {
        const plain = this.reader?.open(record);
        if (plain === undefined) continue; // RFC 6347 4.1.2.7: invalid records are dropped
        fragment = plain;
      } else if (record.epoch !== 0) continue;
      if (record.type === ALERT) {
        // RFC 5246 7.2: close_notify (0) or any fatal alert (level 2) ends the association.
        if (fragment.length >= 2 && (fragment[1] === 0 || fragment[0] === 2)) {
          this.finish();
          if (this.state === "connected") this.events.onClosed();
          else this.events.onFailed(`alert ${fragment[1]} from the client`);
          this.state = "failed";
          return;
        }
        continue;
      }
      if (record.type !== HANDSHAKE) continue; // ChangeCipherSpec: the epoch says it all
      const messages = this.reassembler.add(fragment, record.epoch);
      if (messages === undefined) {
        this.fail("malformed handshake fragment", 50);
        return;
      }
      for (const message of messages) {
        if (message.seq < this.nextReceiveSeq) repeat = true;
        else if (message.seq < this.nextReceiveSeq + 8) this.pending.set(message.seq, message);
      }
      for (
        let next = this.pending.get(this.nextReceiveSeq);
        next;
        next = this.pending.get(this.nextReceiveSeq)
      ) {
        this.pending.delete(this.nextReceiveSeq);
        this.nextReceiveSeq += 1;
        if (!this.process(next)) return;
      }
    }
    // RFC 6347 4.2.4: a repeated flight from the client means ours was lost: send it again.
    if (repeat && this.lastFlight.length > 0) this.sendFlight(this.lastFlight);
  }

  /** Forgets keys and buffers; the server accepts nothing afterwards. */
  close(): void {
    this.finish();
    this.state = "failed";
  }

  private finish(): void {
    this.reassembler.clear();
    this.pending.clear();
    this.transcript.length = 0;
    this.lastFlight = [];
    this.ecdh = undefined;
    this.reader = this.writer = undefined;
    this.masterSecret = undefined;
  }

  private fail(reason: string, alert: number): false {
    // RFC 5246 7.2: a fatal alert; in the clear (epoch 0) while no keys are shared.
    this.events.send(writeRecord(ALERT, 0, this.sequences[0]++, Buffer.from([2, alert])));
    this.finish();
    this.state = "failed";
    this.events.onFailed(reason);
    return false;
  }

  private record(message: HandshakeMessage): void {
    this.transcript.push(writeHandshake(message.type, message.seq, message.body));
  }

  private hash(): Buffer {
    const hash = createHash("sha256");
    for (const part of this.transcript) hash.update(part);
    return hash.digest();
  }

  private process(message: HandshakeMessage): boolean {
    if (this.state === "hello") {
      if (message.type !== CLIENT_HELLO) return this.fail("expected ClientHello", 10);
      return this.serverHello(message);
    }
    if (this.state !== "keyExchange") return true;
    // RFC 5246 7.4: flight 5 is Certificate, ClientKeyExchange, CertificateVerify, Finished.
    switch (message.type) {
      case CERTIFICATE:
        return this.clientCertificate(message);
      case CLIENT_KEY_EXCHANGE:
        return this.clientKeyExchange(message);
      case CERTIFICATE_VERIFY:
        return this.certificateVerify(message);
      case FINISHED:
        return this.clientFinished(message);
      default:
        return this.fail(`unexpected handshake message ${message.type}`, 10);
    }
  }

  private serverHello(message: HandshakeMessage): boolean {
    const hello = readClientHello(message.body);
    if (hello === undefined) return this.fail("malformed ClientHello", 50);
    if (!hello.cipherSuites.includes(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)) {
      return this.fail("no TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 offered", 40);
    }
    const groups = hello.extensions.get(EXT_SUPPORTED_GROUPS);
    if (groups !== undefined && !readUint16List(groups).includes(SECP256R1)) return this.fail("no P-256", 40);
    // RFC 5764 4.1.1: use_srtp carries the client's profiles; without it there is no SRTP.
    if (!readUint16List(hello.extensions.get(EXT_USE_SRTP)).includes(SRTP_AES128_CM_HMAC_SHA1_80)) {
      return this.fail("no SRTP_AES128_CM_HMAC_SHA1_80 in use_srtp", 40);
    }
    this.clientRandom = hello.random;
    this.extendedMasterSecret = hello.extensions.has(EXT_EXTENDED_MASTER_SECRET);
    this.nextSendSeq = message.seq; // RFC 6347 4.2.2: answering ClientHello n with message_seq n
    this.record(message);
    const extensions: Buffer[] = [
      uint16(EXT_USE_SRTP),
      vector(2, vector(2, uint16(SRTP_AES128_CM_HMAC_SHA1_80)), Buffer.from([0])),
    ];
    if (this.extendedMasterSecret) extensions.push(uint16(EXT_EXTENDED_MASTER_SECRET, 0));
    // RFC 5746 3.6: an initial handshake answers renegotiation_info with an empty one.
    if (hello.extensions.has(EXT_RENEGOTIATION_INFO))
      extensions.push(uint16(EXT_RENEGOTIATION_INFO, 1), Buffer.from([0]));
    if (hello.extensions.has(EXT_EC_POINT_FORMATS))
      extensions.push(uint16(EXT_EC_POINT_FORMATS, 2), Buffer.from([1, 0]));
    const serverHello = Buffer.concat([
      uint16(0xfefd),
      this.serverRandom,
      Buffer.from([0]), // no session id: no resumption
      uint16(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
      Buffer.from([0]),
      vector(2, ...extensions),
    ]);
    this.ecdh = createECDH("prime256v1");
    this.ecdh.generateKeys();
    // RFC 4492 5.4: ServerECDHParams (named_curve 3, secp256r1, the point), signed with the
    // client and server randoms before them.
    const params = Buffer.concat([Buffer.from([3]), uint16(SECP256R1), vector(1, this.ecdh.getPublicKey())]);
    const signature = sign(
      "sha256",
      Buffer.concat([this.clientRandom, this.serverRandom, params]),
      this.certificate.key,
    );
    const keyExchange = Buffer.concat([params, uint16(0x0403), vector(2, signature)]);
    // RFC 5246 7.4.4: ecdsa_sign and rsa_sign certificates; the signature algorithms we verify.
    const request = Buffer.concat([
      vector(1, Buffer.from([64, 1])),
      vector(2, uint16(...Object.keys(SIGNATURE_HASHES).map(Number))),
      uint16(0),
    ]);
    const flight: [number, Buffer][] = [
      [SERVER_HELLO, serverHello],
      [CERTIFICATE, vector(3, vector(3, this.certificate.der))],
      [SERVER_KEY_EXCHANGE, keyExchange],
      [CERTIFICATE_REQUEST, request],
      [SERVER_HELLO_DONE, Buffer.alloc(0)],
    ];
    this.lastFlight = flight.map(([type, body]) => this.outgoing(0, type, body));
    this.state = "keyExchange";
    this.sendFlight(this.lastFlight);
    return true;
  }

  /** A new handshake message: the next message_seq, and into the transcript. */
  private outgoing(epoch: 0 | 1, type: number, body: Buffer): OutMessage {
    const seq = this.nextSendSeq++;
    this.transcript.push(writeHandshake(type, seq, body));
    return { epoch, type, body, seq };
  }

  /** RFC 6347 4.2.4: a retransmitted flight gets new record sequence numbers. */
  private sendFlight(flight: OutMessage[]): void {
    const records: Buffer[] = [];
    for (const message of flight) {
      const seq = message.seq;
      if (message.ccs === true) {
        records.push(writeRecord(CHANGE_CIPHER_SPEC, 0, this.sequences[0]++, Buffer.from([1])));
      } else if (message.epoch === 0) {
        records.push(
          writeRecord(HANDSHAKE, 0, this.sequences[0]++, writeHandshake(message.type, seq, message.body)),
        );
      } else if (this.writer !== undefined) {
        records.push(
          this.writer.seal(
            HANDSHAKE,
            1,
            this.sequences[1]++,
            writeHandshake(message.type, seq, message.body),
          ),
        );
      }
    }
    this.events.send(Buffer.concat(records));
  }

  private clientCertificate(message: HandshakeMessage): boolean {
    // RFC 5246 7.4.6: certificate_list<0..2^24-1>, each ASN.1Cert<1..2^24-1>; the first is theirs.
    const body = message.body;
    if (body.length < 6) return this.fail("the client sent no certificate", 42);
    const first = body.readUIntBE(3, 3);
    if (6 + first > body.length) return this.fail("malformed Certificate", 50);
    this.peerCertificate = Buffer.from(body.subarray(6, 6 + first));
    this.record(message);
    return true;
  }

  private clientKeyExchange(message: HandshakeMessage): boolean {
    if (this.peerCertificate === undefined) return this.fail("ClientKeyExchange before Certificate", 10);
    // RFC 4492 5.7: ClientECDiffieHellmanPublic, the point with a 1-byte length.
    const point = message.body.subarray(1, 1 + message.body[0]);
    let premaster: Buffer;
    try {
      premaster = (this.ecdh as ECDH).computeSecret(point);
    } catch {
      return this.fail("bad ECDHE point", 47);
    }
    this.record(message);
    // RFC 7627 4: with extended_master_secret the session hash (transcript up to and including
    // ClientKeyExchange) replaces the randoms.
    this.masterSecret = this.extendedMasterSecret
      ? prf(premaster, "extended master secret", this.hash(), 48)
      : prf(premaster, "master secret", Buffer.concat([this.clientRandom, this.serverRandom]), 48);
    // RFC 5246 6.3 / RFC 5288 3: client key, server key, client IV, server IV (4 bytes each).
    const block = prf(
      this.masterSecret,
      "key expansion",
      Buffer.concat([this.serverRandom, this.clientRandom]),
      40,
    );
    this.reader = new GcmRecordCipher(block.subarray(0, 16), block.subarray(32, 36));
    this.writer = new GcmRecordCipher(block.subarray(16, 32), block.subarray(36, 40));
    return true;
  }

  private certificateVerify(message: HandshakeMessage): boolean {
    if (this.masterSecret === undefined || this.peerCertificate === undefined) {
      return this.fail("CertificateVerify out of order", 10);
    }
    // RFC 5246 7.4.8: a signature over every handshake message so far, by the certificate's key.
    const body = message.body;
    const hash = body.length >= 4 ? SIGNATURE_HASHES[body.readUInt16BE(0)] : undefined;
    const length = body.length >= 4 ? body.readUInt16BE(2) : 0;
    if (hash === undefined || 4 + length > body.length) return this.fail("unsupported CertificateVerify", 40);
    const data = Buffer.concat(this.transcript);
    let good = false;
    try {
      const key = new X509Certificate(this.peerCertificate).publicKey;
      good = verify(hash, data, key, body.subarray(4, 4 + length));
    } catch {
      good = false;
    }
    if (!good) return this.fail("CertificateVerify does not verify", 51);
    this.verified = true;
    this.record(message);
    return true;
  }

  private clientFinished(message: HandshakeMessage): boolean {
    if (!this.verified || this.masterSecret === undefined)
      return this.fail("Finished before CertificateVerify", 10);
    if (message.epoch !== 1) return this.fail("Finished not encrypted", 10);
    // RFC 5246 7.4.9: verify_data = PRF(master_secret, "client finished", Hash(messages))[0..11].
    const expected = prf(this.masterSecret, "client finished", this.hash(), 12);
    if (!expected.equals(message.body)) return this.fail("the client's Finished does not verify", 51);
    this.record(message);
    const finished = prf(this.masterSecret, "server finished", this.hash(), 12);
    // Flight 6: ChangeCipherSpec, then Finished under the new keys (epoch 1).
    this.lastFlight = [
      { epoch: 0, type: CHANGE_CIPHER_SPEC, body: Buffer.alloc(0), seq: 0, ccs: true },
      this.outgoing(1, FINISHED, finished),
    ];
    this.sendFlight(this.lastFlight);
    this.state = "connected";
    // RFC 5764 4.2 / RFC 5705: EXTRACTOR-dtls_srtp, no context; client key, server key,
    // client salt, server salt (16 + 16 + 14 + 14 for AES_CM_128).
    const material = prf(
      this.masterSecret,
      "EXTRACTOR-dtls_srtp",
      Buffer.concat([this.clientRandom, this.serverRandom]),
      60,
    );
    const keys: SrtpKeys = {
      profile: SRTP_AES128_CM_HMAC_SHA1_80,
      clientKey: material.subarray(0, 16),
      serverKey: material.subarray(16, 32),
      clientSalt: material.subarray(32, 46),
      serverSalt: material.subarray(46, 60),
    };
    const peer = this.peerCertificate as Buffer;
    this.transcript.length = 0;
    this.ecdh = undefined;
    this.events.onConnected(keys, peer);
    return true;
  }
}
