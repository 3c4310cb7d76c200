/**
 * A SIP WebSocket client for the transport tests (RFC 7118): a `ws` client offering the `sip`
 * subprotocol, with an inbox of the messages it receives and the close code it got.
 */
import WebSocket, { type ClientOptions } from "ws";
import { Inbox } from "./helpers.js";

/** One received WebSocket message: its text and whether it came in a binary frame. */
export interface WsFrame {
  readonly text: string;
  readonly binary: boolean;
}

export class WsPeer {
  readonly inbox = new Inbox<WsFrame>();
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, binary: boolean) =>
      this.inbox.push({ text: data.toString("utf8"), binary }),
    );
    ws.on("error", () => {});
    this.closed = new Promise<number>((resolve) => ws.once("close", (code: number) => resolve(code)));
  }

  /** Connect and resolve once open; rejects with the HTTP status when the handshake is refused. */
  static connect(url: string, protocols: string[] = ["sip"], options: ClientOptions = {}): Promise<WsPeer> {
    const ws = new WebSocket(url, protocols, options);
    return new Promise<WsPeer>((resolve, reject) => {
      ws.once("open", () => resolve(new WsPeer(ws)));
      ws.once("unexpected-response", (_req, res) => {
        reject(new HandshakeRefused(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  send(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }

  /** Resolve with the close code; fail after the deadline. */
  async waitClosed(timeoutMs = 3_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`WebSocket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A handshake answered with an HTTP status other than 101. */
export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`WebSocket handshake refused with HTTP ${status}`);
  }
}

/** The HTTP status a refused handshake got (fails when it was accepted). */
export async function refusedStatus(connecting: Promise<WsPeer>): Promise<number> {
  try {
    const peer = await connecting;
    peer.ws.terminate();
  } catch (err) {
    if (err instanceof HandshakeRefused) return err.status;
    throw err;
  }
  throw new Error("the handshake was accepted");
}
