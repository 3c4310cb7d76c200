/**
 * What the tests of the state machines share (STYLE.md, tier two: state machines on a virtual
 * clock over a loop transport): the clock and the loop network, the timer constants, a way to let
 * promise callbacks and virtual time run, packet predicates, and a SIP agent of Parley's own
 * layers (transaction layer, dialog manager and a minimal core routing as the real core must).
 * The transaction, dialog and call engine tests build on it.
 */
import { DialogManager } from "../../src/dialog/dialog-manager.js";
import type { DialogManagerOptions, SessionTimerSettings } from "../../src/dialog/types.js";
import type { UasInvite } from "../../src/dialog/uas-invite.js";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import {
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from "../../src/transaction/index.js";
import { type LoopEndpoint, LoopNetwork, type LoopPacket } from "../../src/transport/loop-transport.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import { VirtualClock } from "../../src/util/clock.js";

/** RFC 3261 17.1.1.1 defaults. */
export const T1 = 500;
export const T2 = 4000;
export const T4 = 5000;

/** A virtual clock and a loop network driven by it. */
export function loop(latency = 0): { clock: VirtualClock; net: LoopNetwork } {
  const clock = new VirtualClock();
  return { clock, net: new LoopNetwork(clock, latency) };
}

/** Let pending promise callbacks (transport results, store lookups) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advance virtual time by `ms` in steps, letting promise callbacks run between steps. */
export async function run(clock: VirtualClock, ms: number, step = 10): Promise<void> {
  await settle();
  clock.advance(0);
  await settle();
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

/** Packet predicates, e.g. `net.packets(both(isRequest("INVITE"), sentBy(bob)))`. */
export const isRequest = LoopNetwork.request;
export const isResponse = LoopNetwork.response;
export function sentBy(who: { readonly endpoint: LoopEndpoint }): (p: LoopPacket) => boolean {
  return (p) => p.from.address === who.endpoint.local.address && p.from.port === who.endpoint.local.port;
}
export function sentTo(who: { readonly endpoint: LoopEndpoint }): (p: LoopPacket) => boolean {
  return (p) => p.to.address === who.endpoint.local.address && p.to.port === who.endpoint.local.port;
}
export function both(...m: Array<(p: LoopPacket) => boolean>): (p: LoopPacket) => boolean {
  return (p) => m.every((f) => f(p));
}

/** A minimal audio offer or answer. */
export const SDP =
  "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

/** The core's part of the wiring: ask the dialog layer first, then treat as out-of-dialog. */
export class TestCore implements TransactionUser {
  dialogs!: DialogManager;
  readonly invites: UasInvite[] = [];
  readonly outOfDialog: { rx: ReceivedMessage; tx: ServerTransaction }[] = [];
  readonly strayAcks: ReceivedMessage[] = [];
  readonly strays: ReceivedMessage[] = [];
  onInvite: ((invite: UasInvite) => void) | undefined;

  onRequest(rx: ReceivedMessage, tx: ServerTransaction): void {
    if (this.dialogs.receiveRequest(rx, tx)) return;
    const request = rx.message as SipRequest;
    if (request.method === "CANCEL") {
      tx.respond(createResponse(request, tx.cancelTarget ? 200 : 481));
      this.dialogs.receiveCancel(tx);
      return;
    }
    if (request.method === "INVITE") {
      const invite = this.dialogs.receiveInvite(rx, tx);
      if (invite === undefined) return;
      this.invites.push(invite);
      this.onInvite?.(invite);
      return;
    }
    this.outOfDialog.push({ rx, tx });
  }
  onAck(rx: ReceivedMessage): void {
    if (!this.dialogs.receiveAck(rx)) this.strayAcks.push(rx);
  }
  onStrayResponse(rx: ReceivedMessage): void {
    this.strays.push(rx);
    this.dialogs.receiveStrayResponse(rx);
  }
}

/** A user agent of Parley's own layers on one loop endpoint. */
export interface Agent {
  readonly name: string;
  readonly endpoint: LoopEndpoint;
  readonly layer: TransactionLayer;
  readonly core: TestCore;
  readonly dialogs: DialogManager;
  readonly contact: string;
  readonly errors: unknown[];
}

export type AgentOptions = Partial<
  Omit<DialogManagerOptions, "transactions" | "contact" | "sessionTimer">
> & {
  sessionTimer?: Partial<SessionTimerSettings>;
};

/** An agent named `name` at `address:port`; session timers are off unless asked for. */
export function agent(
  clock: VirtualClock,
  net: LoopNetwork,
  name: string,
  address: string,
  port: number,
  options: AgentOptions = {},
): Agent {
  const endpoint = net.endpoint(name, address, port);
  const core = new TestCore();
  const errors: unknown[] = [];
  const layer = new TransactionLayer({
    transport: endpoint,
    clock,
    user: core,
    onError: (e) => errors.push(e),
  });
  const contact = `sip:${name}@${address}:${port}`;
  const dialogs = new DialogManager({
    transactions: layer,
    contact,
    random: () => 0.5,
    onError: (e) => errors.push(e),
    ...options,
    sessionTimer: { enabled: false, ...options.sessionTimer },
  });
  core.dialogs = dialogs;
  return { name, endpoint, layer, core, dialogs, contact, errors };
}
