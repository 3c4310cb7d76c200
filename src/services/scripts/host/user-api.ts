/**
 * The `user` namespace of service scripts (issue 18: "read user fields"): a local user's
 * settings a script may route on, by name (extension number). Secrets never cross: no password
 * digests (not in a LocalUser at all), no voicemail PIN; nor the addresses trusted without a
 * password (IP authorization) or the static contact. Names are snake_case, as Lua code writes them.
 *
 *   local u = user.get("1001")   -- nil when there is no such user
 *   if u and not u.dnd then ... u.display_name ... u.forwarding.busy.number ... end
 */
import type { HostFunction } from "../../../scripting/index.js";
import type { ForwardingRule, LocalUser } from "../../../store/index.js";
import { luaType } from "./host-args.js";

export interface UserApiOptions {
  /** The user of this name in the script's domain. */
  readonly lookup: (name: string) => Promise<LocalUser | undefined>;
}

const rule = (r: ForwardingRule) => ({ enabled: r.enabled, number: r.number });

/** The fields a script sees; a new field of LocalUser stays hidden until it is added here. */
export function scriptUserView(u: LocalUser) {
  return {
    name: u.name,
    display_name: u.displayName,
    email: u.email,
    dnd: u.doNotDisturb,
    call_waiting: u.callWaiting,
    forwarding: {
      unconditional: rule(u.forwarding.unconditional),
      unreachable: rule(u.forwarding.unreachable),
      busy: rule(u.forwarding.busy),
      no_answer: rule(u.forwarding.noAnswer),
    },
    voicemail: {
      enabled: u.voicemailOnUnreachableOrNoAnswer || u.voicemailOnBusy,
      on_no_answer: u.voicemailOnUnreachableOrNoAnswer,
      on_busy: u.voicemailOnBusy,
    },
    follow_me: {
      strategy: u.followMe.strategy,
      interval: u.followMe.interval,
      destinations: u.followMe.destinations.filter((d) => d !== ""),
    },
    call_right: u.callRight,
    no_answer_time: u.noAnswerTime,
    max_duration: u.maxDuration,
    ringing_group: u.ringingGroupId,
    pickup_group: u.pickupGroupId,
    presence_group: u.presenceGroup,
    multi_device: u.multiDevice,
    auto_attendant: u.autoAttendant,
    recording: u.recording,
    specific_external_line: u.specificExternalLine,
  };
}

export function userApi(o: UserApiOptions): Record<string, HostFunction> {
  return {
    /** The user's fields, or nil. A whole number is taken as the extension it spells. */
    get: async (name: unknown) => {
      if (typeof name === "number" && Number.isSafeInteger(name) && name >= 0) name = String(name);
      if (typeof name !== "string") throw new Error(`the user's name must be a string, not ${luaType(name)}`);
      const u = name === "" ? undefined : await o.lookup(name);
      return u === undefined ? undefined : scriptUserView(u);
    },
  };
}
