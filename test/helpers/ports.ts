/**
 * Free ports for tests, so two runs never collide: ask the kernel for a TCP port and check the
 * same number is free for UDP too (Parley listens on both).
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

function tcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(":") ? "udp6" : "udp4");
    s.once("error", () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/** A port free for both TCP and UDP on `host`. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tcpPort(host);
    if (await udpFree(host, port)) return port;
  }
  throw new Error("no free port pair found");
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

/** A port `p` such that `p` and `p + 1` are both free (baresip binds SIP/TLS on port + 1). */
export async function freePortPair(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort(host);
    if (port < 65535 && (await tcpFree(host, port + 1)) && (await udpFree(host, port + 1))) return port;
  }
  throw new Error("no free port pair found");
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
