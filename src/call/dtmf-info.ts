/**
 * DTMF carried in SIP INFO (RFC 6086 "legacy INFO usage"): `application/dtmf-relay`
 * (`Signal=5` and `Duration=160` lines, the de-facto format of Cisco and most phones) and
 * `application/dtmf` (the digit alone). Digits are 0-9, *, #, A-D; `Signal=10` and `11` are
 * the numeric forms some phones send for * and #.
 */
const DIGIT = /^[0-9*#A-D]$/;

export interface InfoDigit {
  readonly digit: string;
  readonly durationMs: number;
}

export function dtmfFromInfo(contentType: string | undefined, body: Buffer): InfoDigit | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const text = body.toString("latin1").trim();
  if (type === "application/dtmf") {
    const digit = text.toUpperCase();
    return DIGIT.test(digit) ? { digit, durationMs: 0 } : undefined;
  }
  if (type !== "application/dtmf-relay") return undefined;
  let signal: string | undefined;
  let duration = 0;
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const name = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (name === "signal") signal = value === "10" ? "*" : value === "11" ? "#" : value.toUpperCase();
    else if (name === "duration") duration = Number.parseInt(value, 10) || 0;
  }
  return signal !== undefined && DIGIT.test(signal) ? { digit: signal, durationMs: duration } : undefined;
}
