/**
 * The parts of a SUBSCRIBE the notifier decides on (RFC 6665 4.2.1): which event it asks for
 * (the Event header field) and for how long (Expires). Pure functions: no I/O, no clock.
 */

/** RFC 6665 8.2.1: Event = event-type *( SEMI event-param ), event-param = generic-param / "id". */
export interface EventHeader {
  /** The event-type, lower-cased. */
  readonly name: string;
  /** The "id" parameter: it tells apart subscriptions to one package in one dialog. */
  readonly id: string | undefined;
}

/** The Event header field's value, or undefined when it is missing or empty. */
export function parseEvent(value: string | undefined): EventHeader | undefined {
  if (value === undefined) return undefined;
  const [type, ...params] = value.split(";");
  // NOTE: RFC 6665 8.2.1 compares event-types byte for byte; Parley accepts any case, since the
  // packages it knows have lower-case names only.
  const name = (type ?? "").trim().toLowerCase();
  if (name === "") return undefined;
  let id: string | undefined;
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "id") continue;
    id = param.slice(eq + 1).trim();
  }
  return { name, id };
}

/** The Event header value of a subscription's NOTIFYs: the SUBSCRIBE's, with its id (RFC 6665 8.2.1). */
export function formatEvent(event: EventHeader): string {
  return event.id === undefined ? event.name : `${event.name};id=${event.id}`;
}

/** Two Event values name the same subscription: same package and same id (RFC 6665 4.2.1). */
export function sameEvent(a: EventHeader, b: EventHeader): boolean {
  return a.name === b.name && a.id === b.id;
}

export interface ExpiresLimits {
  /** Used when the SUBSCRIBE has no Expires (the package's default), seconds. */
  readonly defaultExpires: number;
  /** Shorter non-zero requests get 423 (RFC 6665 4.2.1.1), seconds. */
  readonly minExpires: number;
  /** Longer requests are shortened to this, seconds. */
  readonly maxExpires: number;
}

export type ExpiresVerdict =
  | { readonly kind: "ok"; readonly expires: number }
  | { readonly kind: "too-brief"; readonly minExpires: number }
  | { readonly kind: "bad" };

/**
 * RFC 6665 4.2.1.1: the notifier may shorten the duration a subscriber asks for, never lengthen
 * it, and answers one too short for it with 423 (Interval Too Brief) and Min-Expires. An Expires
 * of 0 is an unsubscribe (4.1.2.3) or a fetch, never too brief.
 */
export function negotiateExpires(value: string | undefined, limits: ExpiresLimits): ExpiresVerdict {
  if (value === undefined) return { kind: "ok", expires: Math.min(limits.defaultExpires, limits.maxExpires) };
  const text = value.trim();
  // RFC 3261 20.19: Expires = delta-seconds, 1*DIGIT.
  if (!/^[0-9]{1,10}$/.test(text)) return { kind: "bad" };
  const requested = Number(text);
  if (requested === 0) return { kind: "ok", expires: 0 };
  if (requested < limits.minExpires) return { kind: "too-brief", minExpires: limits.minExpires };
  return { kind: "ok", expires: Math.min(requested, limits.maxExpires) };
}
