/** Transitions: the three edits a dial plan makes to a called number (FEATURES.md section 5). */
import type { Transition } from "./types.js";

/**
 * Applies a transition. Positions past the end clamp to the end, so a transition written for
 * longer numbers never throws on a short one: delete removes what is there, insert appends.
 */
export function applyTransition(number: string, t: Transition): string {
  const start = Math.min(Math.max(t.start, 0), number.length);
  const end = Math.min(start + Math.max(t.length, 0), number.length);
  switch (t.type) {
    case "delete":
      return number.slice(0, start) + number.slice(end);
    case "replace":
      return number.slice(0, start) + t.text + number.slice(end);
    case "insert":
      return number.slice(0, start) + t.text + number.slice(start);
  }
}
