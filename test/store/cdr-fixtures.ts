/** CDRs for the store, CSV and API tests. */
import type { NewCallRecord } from "../../src/store/index.js";

/** 2027-01-15T08:00:00.000Z */
export const T0 = Date.UTC(2027, 0, 15, 8, 0, 0);
export const MIN = 60_000;

export function sampleCdr(over: Partial<NewCallRecord> = {}): NewCallRecord {
  const startedAt = over.startedAt ?? T0;
  return {
    domainId: 1,
    callId: `call-${startedAt}`,
    caller: "100",
    callerName: "Alice",
    dialed: "101",
    callee: "101",
    startedAt,
    answeredAt: startedAt + 4_000,
    endedAt: startedAt + 65_500,
    disposition: "answered",
    hangupCause: "caller-bye",
    sipStatus: 200,
    sipReason: "OK",
    legs: [
      {
        role: "caller",
        peer: "sip:100@192.0.2.10:5060",
        callId: "a1",
        status: 200,
        startedAt,
        endedAt: startedAt + 65_500,
      },
      {
        role: "callee",
        peer: "sip:101@192.0.2.11:5060",
        callId: "b1",
        status: 200,
        startedAt: startedAt + 10,
        answeredAt: startedAt + 4_000,
        endedAt: startedAt + 65_500,
      },
    ],
    ...over,
  };
}

/** An unanswered record of a given disposition. */
export function unanswered(
  disposition: NewCallRecord["disposition"],
  over: Partial<NewCallRecord> = {},
): NewCallRecord {
  const startedAt = over.startedAt ?? T0;
  const { answeredAt: _a, ...base } = sampleCdr({ startedAt, ...over });
  const status = { busy: 486, "no-answer": 480, failed: 404, cancelled: 487, answered: 200 }[disposition];
  const cause = {
    busy: "busy",
    "no-answer": "no-answer",
    failed: "rejected 404",
    cancelled: "cancel",
  } as const;
  return {
    ...base,
    disposition,
    hangupCause: disposition === "answered" ? "caller-bye" : cause[disposition],
    sipStatus: status,
    sipReason: "Nope",
    legs: [],
    endedAt: startedAt + 20_000,
    ...over,
  };
}
