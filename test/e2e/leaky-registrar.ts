/**
 * A deliberately leaky SIP server for the SIPVicious controls: it answers a request for one of its
 * users as a PBX does (REGISTER 401, INVITE 407, OPTIONS 200) and one for anybody else 404, so
 * an extension scanner can tell who exists. Against it svwar must list the users, which shows the
 * "lists no extension" check against Parley can fail. Raw text on a UDP socket, no Parley code.
 */
import { createSocket, type Socket } from "node:dgram";

export interface LeakyRegistrar {
  readonly port: number;
  close(): Promise<void>;
}

const CHALLENGE: Record<string, string> = {
  REGISTER: '401 Unauthorized\r\nWWW-Authenticate: Digest realm="leaky", nonce="0123456789abcdef"',
  INVITE:
    '407 Proxy Authentication Required\r\nProxy-Authenticate: Digest realm="leaky", nonce="0123456789abcdef"',
};

function reply(sock: Socket, text: string, port: number, address: string, users: ReadonlySet<string>): void {
  const [start = "", ...lines] = text.split("\r\n");
  const method = start.split(" ")[0] ?? "";
  if (method === "ACK" || start.startsWith("SIP/2.0")) return;
  const header = (name: string) => lines.filter((l) => new RegExp(`^${name}\\s*:`, "i").test(l));
  const to = header("To")[0] ?? "";
  const user = /sip:([^@;>]+)@/.exec(to)?.[1] ?? "";
  const status = !users.has(user) ? "404 Not Found" : (CHALLENGE[method] ?? "200 OK");
  const response = [
    `SIP/2.0 ${status}`,
    ...header("Via"),
    ...header("From"),
    /;tag=/.test(to) ? to : `${to};tag=leaky`,
    ...header("Call-ID"),
    ...header("CSeq"),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  sock.send(response, port, address);
}

export async function startLeakyRegistrar(users: readonly string[]): Promise<LeakyRegistrar> {
  const known = new Set(users);
  const sock = createSocket("udp4");
  sock.on("message", (data, rinfo) => reply(sock, data.toString("latin1"), rinfo.port, rinfo.address, known));
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  return {
    port: sock.address().port,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
