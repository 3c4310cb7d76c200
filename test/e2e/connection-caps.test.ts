/**
 * End to end (issue 22, caps): one address cannot hold more TCP connections than
 * --max-connections-per-source (before, 10,000 idle connections from one address were all held
 * for the idle timeout); others still connect; the refusals are logged once per interval, not
 * once per connection; a connection closed frees its place.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";

/** Connects from `localAddress`; resolves with the socket and whether Parley closed it at once. */
function open(port: number, localAddress: string): Promise<{ socket: Socket; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    socket.once("error", reject);
    socket.once("connect", () => {
      // Parley closes a refused connection before reading from it: the close comes at once.
      const timer = setTimeout(() => resolve({ socket, closed: false }), 500);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve({ socket, closed: true });
      });
    });
  });
}

describe("TCP connection caps", () => {
  let parley: ParleyProcess;
  const sockets: Socket[] = [];
  before(async () => {
    parley = await startParley(["--max-connections-per-source", "5", "--rtp-ports", "47400-47499"]);
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await parley?.stop();
  });

  it("holds five from one address, closes the rest, and logs it once", { timeout: 30000 }, async () => {
    const results = [];
    for (let i = 0; i < 12; i++) {
      const r = await open(parley.sipPort, "127.0.0.1");
      sockets.push(r.socket);
      results.push(r.closed);
    }
    assert.deepEqual(
      results,
      [false, false, false, false, false, true, true, true, true, true, true, true],
      "the first five stay, the others are closed",
    );
    const lines = parley.logs.filter((l) => l.msg === "connection refused: cap reached");
    assert.equal(lines.length, 1, "one log line for seven refusals");
    assert.equal(lines[0]?.limit, "per-source");
    assert.equal(lines[0]?.source, "127.0.0.1");
  });

  it("another address still connects, and a closed connection frees a place", {
    timeout: 30000,
  }, async () => {
    const other = await open(parley.sipPort, "127.0.0.2");
    sockets.push(other.socket);
    assert.equal(other.closed, false);
    sockets[0]!.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await open(parley.sipPort, "127.0.0.1");
    sockets.push(again.socket);
    assert.equal(again.closed, false);
  });
});
