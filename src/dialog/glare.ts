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
