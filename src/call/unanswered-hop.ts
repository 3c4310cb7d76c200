/**
 * What a ringing call does with the answer of the services it asked when its fork failed (the
 * "busy / no answer / unreachable" points): ring elsewhere, refuse the caller with a status, or
 * drop the hop because the caller gave up meanwhile (an endpoint then is closed).
 */
import type { Unanswered } from "./call-options.js";
import type { FinalStatus, MediaEndpoint } from "./media-endpoint.js";
import type { NextHop } from "./types.js";

export type HopAction =
  | { readonly kind: "drop"; readonly close?: MediaEndpoint }
  | { readonly kind: "refuse"; readonly with: FinalStatus | Unanswered }
  | { readonly kind: "go"; readonly hop: NextHop };

/** `stillRinging`: the caller is still waiting for an answer. */
export function unansweredHop(
  hop: NextHop | FinalStatus | undefined,
  failure: Unanswered,
  stillRinging: boolean,
): HopAction {
  if (!stillRinging) {
    const endpoint =
      hop !== undefined && "kind" in hop && hop.kind === "endpoint" ? hop.target.endpoint : undefined;
    return endpoint === undefined ? { kind: "drop" } : { kind: "drop", close: endpoint };
  }
  // A redirect that could not be followed (a loop, no route): its status, not the 3xx.
  if (hop !== undefined && "status" in hop) return { kind: "refuse", with: hop };
  if (hop === undefined || (hop.kind === "ring" && hop.set.targets.length === 0))
    return { kind: "refuse", with: failure };
  return { kind: "go", hop };
}
