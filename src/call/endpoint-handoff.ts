/**
 * An answered call whose caller talks to a media endpoint (the auto-attendant, issue 17) hands the
 * caller on, as Asterisk's Dial() after Background() or a blind transfer by Parley itself:
 * - to targets: they ring with an offerless INVITE (RFC 3725 flow I, as transfer.ts does) whose
 *   From is the caller's (its identity kept, RFC 3261 8.1.1.3); the first 2xx carries the callee's
 *   offer, which goes to the caller in a re-INVITE (RFC 3261 14.1), and the caller's answer goes
 *   back in the ACK (RFC 3264). The caller's dialog then leaves the endpoint and is bridged with
 *   the callee's: from there on the call is an ordinary answered call (hold, transfer, park).
 *   When nobody answers, the services at busy / no answer / unreachable may name other targets
 *   (a hunt group's no-answer action, voicemail), as for any call.
 * - to another endpoint (voicemail): the caller's dialog is re-INVITEd with its offer.
 * While the targets ring the endpoint goes on playing (the auto-attendant plays ring-back); when
 * the hand-off fails, the caller is still with the endpoint, which hears why.
 */
import { callStatus } from "../core/status-catalogue.js";
import type { Dialog, DialogManager, UacInvite } from "../dialog/index.js";
import { quoteDisplayName } from "../sip/index.js";
import type { SipResponse } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import type { Call } from "./call.js";
import type { CallOptions } from "./call-options.js";
import { Fork, type ForkResult } from "./fork.js";
import type { FinalStatus, MediaEndpoint } from "./media-endpoint.js";
import type { SideLegs } from "./side-legs.js";
import { type CalleeLeg, type CallParty, type NextHop, newLeg, type TargetSet } from "./types.js";

/** A service's hops after a failure, at most this many (stages/plan.ts MAX_HOPS in spirit). */
const MAX_HOPS = 5;

/** Where a hand-off goes: the next hop, the CDR note, the number routed (for the services). */
export interface HandOffRequest {
  readonly next: NextHop;
  readonly note: string;
  readonly dialed: string;
}

type Failure = Extract<ForkResult, { kind: "failed" }>;

/** What a hand-off needs of its call. */
export interface HandOffHost {
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly allow: string;
  /** The host of the From and To URIs Parley writes. */
  readonly host: string;
  /** Who is calling, as the new legs show it. */
  readonly caller: CallParty;
  /** The call's record of every leg rung. */
  readonly legs: CalleeLeg[];
  /** The caller's dialog, talking to the endpoint now. */
  readonly callerDialog: Dialog;
  /** The caller's dialog leaves the endpoint (closed, no BYE); it stays up. */
  detach(): void;
  /** The caller's dialog moves onto another endpoint (re-INVITE with its offer). */
  moveTo(endpoint: MediaEndpoint, party: CallParty): Promise<boolean>;
  /** The caller's dialog is bridged with `callee`'s; `releases` end the line or trunk counts. */
  bridge(callee: Dialog, party: CallParty, releases: Array<() => void>): void;
  /** Other targets a service names after the ringing failed, or the status to give up with. */
  unanswered(callee: CallParty, failure: Failure): Promise<NextHop | FinalStatus | undefined>;
  onError(error: unknown): void;
}

const OK: FinalStatus = callStatus("ok");

/**
 * Call.handOff: the caller talking to `endpoint` goes on to `next`. The endpoint's leg in the CDR
 * is marked with `note` (e.g. `menu=main;key=1`); a voicemail reached gets a leg of its own.
 */
export function handOffFrom(
  call: Call,
  o: Omit<CallOptions, "uas">,
  sides: SideLegs | undefined,
  endpoint: MediaEndpoint,
  request: HandOffRequest,
  bridge: (caller: Dialog, callee: Dialog, releases: Array<() => void>) => void,
): Promise<FinalStatus> {
  const callerDialog = sides?.dialogOf(endpoint);
  if (sides === undefined || callerDialog === undefined || call.state !== "answered")
    return Promise.resolve(callStatus("no-such-call"));
  const own = call.legs.find((l) => l.callId === callerDialog.callId && l.peer.startsWith(endpoint.peer));
  if (own !== undefined) Object.assign(own, { peer: `${endpoint.peer};${request.note}` });
  return handOff(
    {
      ...o,
      caller: call.caller,
      legs: call.legs,
      callerDialog,
      detach: () => sides.detach(endpoint),
      moveTo: (to, party) => {
        const at = o.now();
        call.legs.push({
          ...newLeg(to.peer, at),
          callId: callerDialog.callId,
          state: "answered",
          ...OK,
          answeredAt: at,
        });
        call.replaceParty("callee", party);
        return sides.add(callerDialog, to, party);
      },
      bridge: (callee, party, releases) => {
        bridge(callerDialog, callee, releases);
        call.replaceParty("callee", party);
      },
      unanswered: async (callee, failure) =>
        o.onUnanswered?.(call, failure, { callee, dialed: request.dialed }),
    },
    request.next,
  );
}

/** Hands the caller on to `next`; 200 when it went, else why not (the caller is still with the endpoint). */
export async function handOff(h: HandOffHost, next: NextHop): Promise<FinalStatus> {
  let hop = next;
  for (let hops = 0; hops <= MAX_HOPS; hops++) {
    if (h.callerDialog.state === "terminated") return callStatus("request-terminated");
    if (hop.kind === "endpoint") {
      h.detach();
      const moved = await h.moveTo(hop.target.endpoint, hop.target.party);
      return moved ? OK : callStatus("not-acceptable-here");
    }
    const rung = await ring(h, hop.set);
    if (rung === "gone") return callStatus("request-terminated");
    if (rung.kind === "answered") {
      const joined = await exchange(h, rung.dialog, rung.invite, rung.response);
      if (!joined.ok) {
        for (const release of rung.releases) release();
        bye(h, rung.dialog);
        return joined;
      }
      h.detach();
      h.bridge(rung.dialog, rung.leg.party ?? hop.set.callee, rung.releases);
      return OK;
    }
    const again = await h.unanswered(hop.set.callee, rung);
    if (again === undefined) return { status: rung.status, reason: rung.reason };
    if ("status" in again) return again;
    hop = again;
  }
  return callStatus("loop-detected");
}

type Rung =
  | (Extract<ForkResult, { kind: "answered" }> & { readonly releases: Array<() => void> })
  | Failure
  | "gone";

/** Rings `set` (first 2xx wins, the others are cancelled); "gone" when the caller hung up meanwhile. */
function ring(h: HandOffHost, set: TargetSet): Promise<Rung> {
  const { caller } = h;
  const uri = `sip:${caller.user}@${h.host}`;
  const from = caller.displayName === "" ? `<${uri}>` : `${quoteDisplayName(caller.displayName)} <${uri}>`;
  return new Promise((resolve) => {
    const fork: Fork = new Fork({
      targets: set.targets,
      mode: set.mode,
      clock: h.clock,
      now: h.now,
      noAnswerMs: set.noAnswerMs,
      ...(set.attemptMs === undefined ? {} : { attemptMs: set.attemptMs }),
      invite: (target) => {
        const outbound = target.outbound;
        return h.dialogs.invite({
          uri: target.uri,
          from: outbound?.from ?? from,
          to: outbound?.to ?? `<sip:${set.toUser ?? set.callee.user}@${h.host}>`,
          ...(outbound === undefined ? {} : { authorize: outbound.authorize, no100rel: outbound.no100rel }),
          routes: target.routes,
          destination: target.destination,
          // The 2xx carries the callee's offer; its ACK waits for the caller's answer.
          manualAck: true,
          headers: [["Allow", h.allow]],
        });
      },
      onSettled: (result) => {
        stopWatching();
        record();
        if (result.kind === "answered") resolve({ ...result, releases: fork.detachReleases() });
        else {
          fork.releaseAll();
          resolve(result);
        }
      },
      onError: h.onError,
    });
    // NOTE: the fork keeps its own legs (it settles when all of its legs failed; the call's list
    // holds the endpoint's answered leg), added to the call's record once it is over.
    const record = () => h.legs.push(...fork.legs);
    const stopWatching = h.callerDialog.on("terminated", () => {
      stopWatching();
      if (fork.done) return;
      fork.abort();
      record();
      fork.releaseAll();
      resolve("gone");
    });
    fork.start();
  });
}

/** The callee's offer to the caller by re-INVITE, the caller's answer to the callee in the ACK. */
async function exchange(
  h: HandOffHost,
  callee: Dialog,
  invite: UacInvite,
  offer: SipResponse,
): Promise<{ ok: true } | { ok: false; status: number; reason: string }> {
  const fail = (status: number, reason: string) => {
    callee.ack(invite.request);
    return { ok: false as const, status, reason };
  };
  if (offer.body.length === 0) return fail(488, callStatus("not-acceptable-here").reason);
  let answer: SipResponse;
  try {
    answer = await h.callerDialog.request("INVITE", {
      body: offer.body,
      contentType: offer.get("content-type") ?? "application/sdp",
      headers: [["Allow", h.allow]],
    });
  } catch {
    // RFC 3261 14.1: the caller is re-INVITing right now (glare), or its dialog is gone.
    return fail(491, callStatus("request-pending").reason);
  }
  if (answer.status < 200 || answer.status >= 300 || answer.body.length === 0)
    return fail(answer.status >= 300 ? answer.status : 488, answer.reason);
  callee.ack(invite.request, {
    body: answer.body,
    contentType: answer.get("content-type") ?? "application/sdp",
  });
  return { ok: true };
}

function bye(h: HandOffHost, dialog: Dialog): void {
  if (dialog.state !== "terminated") dialog.bye().then(undefined, h.onError);
}
