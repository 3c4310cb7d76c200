/**
 * `calls.originate{...}` for service scripts (issue 18: "a script can originate calls too"):
 * click-to-call from Lua, as POST /api/v1/calls does it (src/call/originate.ts): Parley rings the
 * local user `from`, and when it answers connects it to `to` through the dial plan with that
 * user's rights. Answers at once with the new call's id, or why not, naming the field.
 */
import type { OriginateRequest, OriginateResult } from "../../../call/originate.js";
import type { HostFunction } from "../../../scripting/index.js";

export interface OriginateApiOptions {
  readonly originate: (request: OriginateRequest) => Promise<OriginateResult>;
}

const NUMBER = /^[0-9*#+]{1,64}$/;

export function originateApi(o: OriginateApiOptions): Record<string, HostFunction> {
  return {
    originate: async (spec: unknown) => {
      if (typeof spec !== "object" || spec === null || Array.isArray(spec))
        throw new Error("calls.originate: give a table {from = '100', to = '102', ...}");
      const t = spec as Record<string, unknown>;
      const from = typeof t.from === "number" ? String(t.from) : t.from;
      const to = typeof t.to === "number" ? String(t.to) : t.to;
      if (typeof from !== "string" || !NUMBER.test(from))
        throw new Error("calls.originate: from must be a user's number");
      if (typeof to !== "string" || !NUMBER.test(to)) throw new Error("calls.originate: to must be a number");
      const timeout = t.timeout;
      if (timeout !== undefined && (typeof timeout !== "number" || timeout < 1 || timeout > 300))
        throw new Error("calls.originate: timeout must be 1 to 300 seconds");
      const callerId = t.caller_id;
      if (callerId !== undefined && (typeof callerId !== "string" || callerId.length > 100))
        throw new Error("calls.originate: caller_id must be a string of at most 100 characters");
      const result = await o.originate({
        from,
        to,
        ...(callerId === undefined ? {} : { callerId: callerId as string }),
        ...(t.auto_answer === true ? { autoAnswer: true } : {}),
        ...(timeout === undefined ? {} : { timeout: timeout as number }),
      });
      if (result.ok) return { ok: true, id: result.id };
      return { ok: false, error: result.code, field: result.field, message: result.message };
    },
  };
}
