/**
 * Start-up preflight: are the ports Parley needs free? Each one is bound exclusively for a moment
 * and released, before anything is written (database, default users, secrets), so that a port
 * already in use stops the start with a clear message and leaves the data directory as it was.
 * The real listeners bind right after; the window between is milliseconds, and a port taken in it
 * still fails the start at the real bind.
 */
import { createSocket } from "node:dgram";
import { createServer, isIP } from "node:net";

export interface PortNeed {
  readonly protocol: "UDP" | "TCP";
  readonly address: string;
  readonly port: number;
  /** What the port is for, as the operator names it: "SIP over UDP", "HTTP (web UI and API)". */
  readonly purpose: string;
  /** The setting to change, as its flag: "--sip-port". */
  readonly flag: string;
}

/** Raised when a needed port cannot be bound; the message names the port, its use and its flag. */
export class PortUnavailableError extends Error {
  constructor(
    readonly need: PortNeed,
    readonly code: string,
  ) {
    const where = `${need.address.includes(":") ? `[${need.address}]` : need.address}:${need.port}`;
    const why =
      code === "EADDRINUSE"
        ? "is already in use"
        : code === "EACCES"
          ? "is not permitted"
          : `cannot be bound (${code})`;
    super(
      `${need.purpose} port ${need.protocol} ${where} ${why}: stop the other program or choose another port with ${need.flag}`,
    );
    this.name = "PortUnavailableError";
  }
}

function probeUdp(need: PortNeed): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIP(need.address) === 6 ? "udp6" : "udp4", reuseAddr: false });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      socket.close();
      reject(new PortUnavailableError(need, err.code ?? "error"));
    });
    socket.bind({ address: need.address, port: need.port, exclusive: true }, () =>
      socket.close(() => resolve()),
    );
  });
}

function probeTcp(need: PortNeed): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new PortUnavailableError(need, err.code ?? "error")),
    );
    server.listen({ host: need.address, port: need.port, exclusive: true }, () =>
      server.close(() => resolve()),
    );
  });
}

/** Probe every needed port (port 0 is skipped: the system picks one); rejects on the first taken. */
export async function probePorts(needs: readonly PortNeed[]): Promise<void> {
  for (const need of needs) {
    if (need.port === 0) continue;
    await (need.protocol === "UDP" ? probeUdp(need) : probeTcp(need));
  }
}
