/**
 * Fixtures for the dialog tests: two Parley-like user agents ("alice" at 127.0.0.1:5070 and "bob"
 * at 127.0.0.2:5080) on a loop network and a virtual clock, each with a transaction layer, a
 * dialog manager and a minimal core that routes as the real core must (see DialogManager).
 */

import type { Dialog } from "../../src/dialog/dialog.js";
import { DialogManager } from "../../src/dialog/dialog-manager.js";
import type { DialogManagerOptions, SessionTimerSettings } from "../../src/dialog/types.js";
import type { InviteSpec, UacInvite } from "../../src/dialog/uac-invite.js";
import type { UasInvite } from "../../src/dialog/uas-invite.js";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import {
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from "../../src/transaction/index.js";
import { type LoopEndpoint, LoopNetwork, type LoopPacket } from "../../src/transport/loop-transport.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import { VirtualClock } from "../../src/util/clock.js";

export const T1 = 500;
export const T2 = 4000;

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

export interface Agent {
  readonly name: string;
  readonly endpoint: LoopEndpoint;
  readonly layer: TransactionLayer;
  readonly core: TestCore;
  readonly dialogs: DialogManager;
  readonly contact: string;
  readonly errors: unknown[];
}

export interface Pair {
  readonly clock: VirtualClock;
  readonly net: LoopNetwork;
  readonly alice: Agent;
  readonly bob: Agent;
}

export type AgentOptions = Partial<
  Omit<DialogManagerOptions, "transactions" | "contact" | "sessionTimer">
> & {
  sessionTimer?: Partial<SessionTimerSettings>;
};

function agent(
  clock: VirtualClock,
  net: LoopNetwork,
  name: string,
  address: string,
  port: number,
  options: AgentOptions,
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

/** Two agents; session timers are off unless a test turns them on. */
export function pair(aliceOptions: AgentOptions = {}, bobOptions: AgentOptions = {}): Pair {
  const clock = new VirtualClock();
  const net = new LoopNetwork(clock);
  return {
    clock,
    net,
    alice: agent(clock, net, "alice", "127.0.0.1", 5070, aliceOptions),
    bob: agent(clock, net, "bob", "127.0.0.2", 5080, bobOptions),
  };
}

/** Let pending promise callbacks run. */
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

export const SDP =
  "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

export function inviteSpec(extra: Partial<InviteSpec> = {}): InviteSpec {
  return {
    uri: "sip:bob@127.0.0.2:5080",
    from: '"Alice" <sip:alice@example.com>',
    to: "<sip:bob@example.com>",
    body: SDP,
    ...extra,
  };
}

export interface Call {
  readonly uac: UacInvite;
  readonly uas: UasInvite;
  readonly aliceDialog: Dialog;
  readonly bobDialog: Dialog;
}

/** Alice calls Bob; Bob rings (180, unreliable) and answers; the call is confirmed on both sides. */
export async function establish(p: Pair, spec: Partial<InviteSpec> = {}): Promise<Call> {
  p.bob.core.onInvite = (invite) => {
    invite.progress(180, { reliable: false });
    invite.accept({ body: SDP });
  };
  const uac = p.alice.dialogs.invite(inviteSpec(spec));
  await run(p.clock, 20);
  const uas = p.bob.core.invites.at(-1);
  const aliceDialog = [...uac.dialogs.values()][0];
  if (uas === undefined || uas.dialog === undefined || aliceDialog === undefined)
    throw new Error("call not set up");
  return { uac, uas, aliceDialog, bobDialog: uas.dialog };
}

/** Packet predicates. */
export const request = LoopNetwork.request;
export const response = LoopNetwork.response;
export function from(agentName: Agent): (p: LoopPacket) => boolean {
  return (p) =>
    p.from.address === agentName.endpoint.local.address && p.from.port === agentName.endpoint.local.port;
}
export function both(...m: Array<(p: LoopPacket) => boolean>): (p: LoopPacket) => boolean {
  return (p) => m.every((f) => f(p));
}

export type { SipRequest, SipResponse };
