/**
 * Readiness of a peer the tests start (sipp, a provider, a phone): whether a local port is bound,
 * read from the kernel's socket tables (/proc/net/udp, tcp and their IPv6 twins). Reading never
 * touches the port, unlike a trial bind, which could steal it from the peer in the same instant.
 */
import { readdir, readFile, readlink } from "node:fs/promises";

export type PortProtocol = "udp" | "tcp";

/** TCP's LISTEN state in /proc/net/tcp (include/net/tcp_states.h). */
const TCP_LISTEN = "0A";

async function table(file: string): Promise<string> {
  try {
    return await readFile(file, "latin1");
  } catch {
    return "";
  }
}

/** The inodes of the sockets of `protocol` bound to local `port` (TCP: listening on it). */
async function boundInodes(port: number, protocol: PortProtocol): Promise<string[]> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const text = (await table(`/proc/net/${protocol}`)) + (await table(`/proc/net/${protocol}6`));
  const inodes: string[] = [];
  for (const line of text.split("\n")) {
    // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...":
    // "3075: 0100007F:8425 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 46128 ..."
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (local === undefined || !local.endsWith(`:${hex}`)) continue;
    if (protocol === "tcp" && fields[3] !== TCP_LISTEN) continue;
    inodes.push(fields[9] ?? "");
  }
  return inodes;
}

/** The socket inodes process `pid` holds open. */
async function socketsOf(pid: number): Promise<Set<string>> {
  const dir = `/proc/${pid}/fd`;
  const links = await readdir(dir).catch(() => [] as string[]);
  const sockets = new Set<string>();
  for (const fd of links) {
    const target = await readlink(`${dir}/${fd}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) sockets.add(inode);
  }
  return sockets;
}

/**
 * True when some socket of `protocol` is bound to local `port` (TCP: listening on it); with `pid`,
 * only a socket of that process counts (so a port another process took is not taken for ready).
 */
export async function isPortBound(
  port: number,
  protocol: PortProtocol = "udp",
  pid?: number,
): Promise<boolean> {
  const inodes = await boundInodes(port, protocol);
  if (inodes.length === 0 || pid === undefined) return inodes.length > 0;
  const own = await socketsOf(pid);
  return inodes.some((inode) => own.has(inode));
}

/**
 * Resolves true once `port` is bound, or false when `stop` settles first (the peer exited) or
 * `timeoutMs` passes; with `pid`, only that process's socket counts. Polls every 10 ms.
 */
export async function waitPortBound(
  port: number,
  protocol: PortProtocol = "udp",
  options: { stop?: Promise<unknown>; timeoutMs?: number; pid?: number } = {},
): Promise<boolean> {
  let stopped = false;
  options.stop?.then(
    () => {
      stopped = true;
    },
    () => {
      stopped = true;
    },
  );
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (await isPortBound(port, protocol, options.pid)) return true;
    if (stopped) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
