/**
 * The STUN server: RFC 5389 Binding with XOR-MAPPED-ADDRESS, classic RFC 3489 requests with
 * MAPPED-ADDRESS, malformed input ignored; and a real client (Debian's `stun`, stun-client 0.97)
 * told its mapped address.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { answerStun, MAGIC_COOKIE } from "../../src/nat/stun-message.js";
import { StunServer } from "../../src/nat/stun-server.js";
import { freePort } from "../helpers/ports.js";
import { missingTool, runTool } from "../helpers/run-tool.js";

function request(modern: boolean, attrs: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(20 + attrs.length);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(attrs.length, 2);
  if (modern) b.writeUInt32BE(MAGIC_COOKIE, 4);
  else b.writeUInt32BE(0x01020304, 4);
  for (let i = 8; i < 20; i++) b[i] = i;
  attrs.copy(b, 20);
  return b;
}

/** The attributes of a STUN message, by type. */
function attributes(m: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= m.length; ) {
    const len = m.readUInt16BE(at + 2);
    out.set(m.readUInt16BE(at), m.subarray(at + 4, at + 4 + len));
    at += 4 + Math.ceil(len / 4) * 4;
  }
  return out;
}

describe("answerStun()", () => {
  const from = { address: "198.51.100.7", port: 40123 };
  it("answers an RFC 5389 Binding with XOR-MAPPED-ADDRESS and the same transaction id", () => {
    const req = request(true);
    const res = answerStun(req, from)!;
    assert.equal(res.readUInt16BE(0), 0x0101);
    assert.deepEqual(res.subarray(4, 20), req.subarray(4, 20));
    const xor = attributes(res).get(0x0020)!;
    assert.equal(xor[1], 1);
    assert.equal(xor.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16), 40123);
    const ip = [...xor.subarray(4, 8)].map((b, i) => b ^ ((MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff));
    assert.deepEqual(ip, [198, 51, 100, 7]);
    assert.deepEqual([...attributes(res).get(0x0001)!.subarray(4)], [198, 51, 100, 7]);
  });
  it("XORs an IPv6 address with the cookie and transaction id (RFC 5389 15.2)", () => {
    const req = request(true);
    const xor = attributes(answerStun(req, { address: "2001:db8::1", port: 5 })!).get(0x0020)!;
    assert.equal(xor[1], 2);
    const key = req.subarray(4, 20);
    const ip = Buffer.from(xor.subarray(4, 20).map((b, i) => b ^ key[i]));
    assert.equal(ip.toString("hex"), "20010db8000000000000000000000001");
  });
  it("answers a classic RFC 3489 request (no cookie) with MAPPED-ADDRESS only", () => {
    const res = answerStun(request(false), from, { address: "127.0.0.1", port: 3478 })!;
    const attrs = attributes(res);
    assert.equal(attrs.has(0x0020), false);
    const mapped = attrs.get(0x0001)!;
    assert.equal(mapped.readUInt16BE(2), 40123);
    assert.deepEqual([...mapped.subarray(4)], [198, 51, 100, 7]);
    assert.deepEqual([...attrs.get(0x0004)!.subarray(4)], [127, 0, 0, 1]);
  });
  it("gives 420 with UNKNOWN-ATTRIBUTES for an unknown comprehension-required attribute", () => {
    const res = answerStun(request(true, Buffer.from([0x00, 0x7f, 0, 0])), from)!;
    assert.equal(res.readUInt16BE(0), 0x0111);
    assert.equal(attributes(res).get(0x000a)!.readUInt16BE(0), 0x007f);
  });
  it("ignores malformed input, responses and change requests it cannot honour", () => {
    assert.equal(answerStun(Buffer.from("hello world, not stun at all"), from), undefined);
    const bad = request(true);
    bad.writeUInt16BE(4, 2); // length beyond the datagram
    assert.equal(answerStun(bad, from), undefined);
    const response = request(true);
    response.writeUInt16BE(0x0101, 0);
    assert.equal(answerStun(response, from), undefined);
    assert.equal(answerStun(request(false, Buffer.from([0, 3, 0, 4, 0, 0, 0, 6])), from), undefined);
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.alloc(20 + (i % 40));
      for (let j = 0; j < junk.length; j++) junk[j] = (i * 31 + j * 17) & 0xff;
      junk[0] = 0;
      junk[1] = 1;
      junk.writeUInt16BE(junk.length - 20, 2);
      answerStun(junk, from); // must not throw
    }
  });
});

describe("StunServer over UDP", () => {
  let server: StunServer;
  let port: number;
  before(async () => {
    port = await freePort();
    server = new StunServer({ addresses: ["127.0.0.1"], port });
    await server.start();
  });
  after(() => server.stop());

  it("answers a Binding request with the sender's address and port", async () => {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    const reply = new Promise<Buffer>((r) => s.once("message", (m) => r(m)));
    s.send(request(true), port, "127.0.0.1");
    const res = await reply;
    const mapped = attributes(res).get(0x0001)!;
    assert.equal(mapped.readUInt16BE(2), s.address().port);
    s.close();
  });

  it("Debian's stun client learns its mapped address", { skip: missingTool("stun") }, async () => {
    const src = await freePort();
    const r = await runTool("stun", [`127.0.0.1:${port}`, "1", "-v", "-p", String(src)], 15000);
    const out = `${r.stdout}\n${r.stderr}`;
    assert.match(out, new RegExp(`MappedAddress = 127\\.0\\.0\\.1:${src}`), out);
  });
});
