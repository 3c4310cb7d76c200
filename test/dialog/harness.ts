/**
 * Fixtures for the dialog tests: two Parley-like user agents ("alice" at 127.0.0.1:5070 and "bob"
 * at 127.0.0.2:5080) on a loop network and a virtual clock, each with a transaction layer, a
 * dialog manager and a minimal core that routes as the real core must (see DialogManager). The
 * agents, clock and predicates come from the shared harness (test/helpers/sip-harness.ts).
 */

import type { Dialog } from "../../src/dialog/dialog.js";
import type { InviteSpec, UacInvite } from "../../src/dialog/uac-invite.js";
import type { UasInvite } from "../../src/dialog/uas-invite.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import type { LoopNetwork } from "../../src/transport/loop-transport.js";
import type { VirtualClock } from "../../src/util/clock.js";
import {
  type Agent,
  type AgentOptions,
  agent,
  both,
  isRequest,
  isResponse,
  loop,
  run,
  SDP,
  sentBy,
  settle,
  T1,
  T2,
  TestCore,
} from "../helpers/sip-harness.js";

export { type Agent, type AgentOptions, both, run, SDP, settle, T1, T2, TestCore };

export interface Pair {
  readonly clock: VirtualClock;
  readonly net: LoopNetwork;
  readonly alice: Agent;
  readonly bob: Agent;
}

/** Two agents; session timers are off unless a test turns them on. */
export function pair(aliceOptions: AgentOptions = {}, bobOptions: AgentOptions = {}): Pair {
  const { clock, net } = loop();
  return {
    clock,
    net,
    alice: agent(clock, net, "alice", "127.0.0.1", 5070, aliceOptions),
    bob: agent(clock, net, "bob", "127.0.0.2", 5080, bobOptions),
  };
}

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
export const request = isRequest;
export const response = isResponse;
export const from = sentBy;

export type { SipRequest, SipResponse };
