/**
 * RFC 3261 14.1: after a 491 to its re-INVITE the UAC waits a random time T, then may retry:
 * "If the UAC is the owner of the Call-ID of the dialog ID (meaning it generated the value), T has
 * a randomly chosen value between 2.1 and 4 seconds in units of 10 ms. If the UAC is not the owner
 * of the Call-ID of the dialog ID, T has a randomly chosen value of between 0 and 2 seconds in
 * units of 10 ms."
 */
import { randomInt } from "./types.js";

/** The glare retry delay in milliseconds. */
export function glareRetryDelay(ownsCallId: boolean, random: () => number): number {
  return ownsCallId ? 2100 + 10 * randomInt(random, 0, 190) : 10 * randomInt(random, 0, 200);
}

/**
 * RFC 3261 14.2: how a UAS refuses a re-INVITE that collides with another INVITE transaction of
 * the dialog, or undefined when there is none. "A UAS that receives a second INVITE before it sends
 * the final response to a first INVITE with a lower CSeq sequence number on the same dialog MUST
 * return a 500 (Server Internal Error) response to the second INVITE and MUST include a
 * Retry-After header field with a randomly chosen value of between 0 and 10 seconds." "A UAS that
 * receives an INVITE on a dialog while an INVITE it had sent on that dialog is in progress MUST
 * return a 491 (Request Pending) response to the received INVITE."
 */
export function reInviteConflict(
  sentPending: boolean,
  receivedPending: boolean,
  random: () => number,
): { status: number; reason: string; headers?: Array<[string, string]> } | undefined {
  if (sentPending) return { status: 491, reason: "Request Pending" };
  if (!receivedPending) return undefined;
  const retryAfter = randomInt(random, 0, 10);
  return { status: 500, reason: "Server Internal Error", headers: [["Retry-After", String(retryAfter)]] };
}
