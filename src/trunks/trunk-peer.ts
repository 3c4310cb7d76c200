/**
 * Is a request from a SIP trunk (FEATURES.md section 4, "trusted by address")? A trunk's calls are
 * not challenged, so what identifies it must be something a device behind the same NAT as the
 * other office cannot share (issue 22: any TCP connection from the trunk's address was trusted,
 * whatever its port and transport). A request is the trunk's when:
 * - it comes from the trunk's address, over the trunk's transport, and
 * - from the trunk's port or one of its configured source ports: over UDP the port it sends from;
 *   over TCP or TLS the connection's remote port (Parley's own connection to the trunk has the
 *   trunk's port; a peer that connects to Parley from fixed ports lists them).
 * Trusting the address alone (any port, any transport) is an explicit per-trunk choice,
 * `trustAddress`, for a trunk whose source ports cannot be known.
 */
import type { SipTrunk } from "../store/routing-model.js";
import type { ReceivedMessage } from "../transport/types.js";
import { protocolOf, resolveHost, sameAddress } from "./resolve.js";

export type TrunkPeer = Pick<SipTrunk, "address" | "port" | "transport" | "sourcePorts" | "trustAddress">;

export async function fromTrunk(
  rx: Pick<ReceivedMessage, "source" | "protocol">,
  trunk: TrunkPeer,
): Promise<boolean> {
  let address: string;
  try {
    address = await resolveHost(trunk.address);
  } catch {
    return false;
  }
  if (!sameAddress(address, rx.source.address)) return false;
  if (trunk.trustAddress) return true;
  if (rx.protocol !== protocolOf(trunk.transport)) return false;
  return rx.source.port === trunk.port || trunk.sourcePorts.includes(rx.source.port);
}
