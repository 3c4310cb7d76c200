/**
 * The local user (extension) of FEATURES.md section 2, in the API's vocabulary, with the default
 * of every field. The password is never part of a LocalUser: only its digest HA1s are stored.
 */

import type { RecordingMode } from "./recording-model.js";

export interface ForwardingRule {
  /** The user's right to this forwarding is switched on. */
  enabled: boolean;
  /** Where calls go: digits, `*`, `#`, `+`; "" = none (the forwarding is active when enabled and set). */
  number: string;
}

export interface Forwarding {
  unconditional: ForwardingRule;
  unreachable: ForwardingRule;
  busy: ForwardingRule;
  noAnswer: ForwardingRule;
}

/** 0: ring all destinations at once; 1: next when the current fails; 2: next after `interval`. */
export type FollowMeStrategy = 0 | 1 | 2;

export interface FollowMe {
  strategy: FollowMeStrategy;
  /** Seconds before the next destination, for strategy 2. */
  interval: number;
  /** Destinations A, B, C; "" = unused. */
  destinations: [string, string, string];
}

/** Every configurable field of a local user. */
export interface UserSettings {
  /** Extension number or name: 1-32 of letters, digits, `.`, `_`, `-`. */
  name: string;
  /** What the callee sees; "" = the number. */
  displayName: string;
  /** Seconds an incoming call rings; 0 = the system's default no-answer time. */
  noAnswerTime: number;
  /** The external line this user's out-group calls use; "" = any available line. */
  specificExternalLine: string;
  /** Seconds after which an outgoing call is released; 0 = no limit. */
  maxDuration: number;
  /** Calls in + out at once; 0 = can neither call nor be called. */
  maxConcurrentCalls: number;
  /** Outgoing calls at once; 0 = cannot call out. */
  maxConcurrentOutgoingCalls: number;
  /** Compared with the minimum call right a dial plan record requires. */
  callRight: number;
  forwarding: Forwarding;
  /** An unreachable or unanswered caller is offered voicemail, mailed to `email`. */
  voicemailOnUnreachableOrNoAnswer: boolean;
  /** A busy caller (busy, do not disturb, no call waiting) is offered voicemail too. */
  voicemailOnBusy: boolean;
  /**
   * The mailbox PIN asked by voicemail access by phone: digits; "" = none (the user's own
   * phone, already authenticated by digest, gets in without one; no access from other phones).
   */
  voicemailPin: string;
  /** Where voice messages go; "" = none. */
  email: string;
  followMe: FollowMe;
  /** This user is an auto-attendant. */
  autoAttendant: boolean;
  /** A direct call rings only this user, not its ringing group. */
  suppressRingGroupOnDirectCall: boolean;
  /** 0 = none; users with the same id ring together. */
  ringingGroupId: number;
  /** 0 = none; members may pick up each other's ringing calls. */
  pickupGroupId: number;
  callPark: boolean;
  callRetrieve: boolean;
  callWaiting: boolean;
  /** Do not disturb: calls to this user take the busy path (forward on busy, voicemail or 486). */
  doNotDisturb: boolean;
  /** One number, multi-devices: may register several devices (up to `maxDevices`). */
  multiDevice: boolean;
  /** Device limit while `multiDevice` is on. */
  maxDevices: number;
  operatorBreakIn: boolean;
  operatorOverstep: boolean;
  /** May subscribe to every user's presence / dialog state (operator consoles, BLF). */
  subscribeAllPresence: boolean;
  /** 0 = sees all users; else only users of the same group. */
  presenceGroup: number;
  musicOnHold: boolean;
  /** Anchor this user's RTP in Parley. */
  relayMedia: boolean;
  /** Call recording: never, every answered call, or from the in-call feature code on (issue 17). */
  recording: RecordingMode;
  /** Addresses or CIDR ranges (IPv4/IPv6) trusted without digest and without REGISTER. */
  ipAuthorization: string[];
  /** SIP URI where an IP-authorized user is reached without REGISTER; "" = none. */
  staticContact: string;
}

/** A stored user, as the API returns it. */
export interface LocalUser extends UserSettings {
  id: number;
  domainId: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

/** What creating a user takes: a name and a password, every other field optional. */
export type NewUser = UserSettings & { password: string };

/** A deep-partial change; `password` sets a new password. */
export type UserPatch = Partial<Omit<UserSettings, "forwarding" | "followMe">> & {
  password?: string;
  forwarding?: { [K in keyof Forwarding]?: Partial<ForwardingRule> };
  followMe?: Partial<FollowMe>;
};

export const MAX_DEVICES_DEFAULT = 3;

function noForwarding(): ForwardingRule {
  return { enabled: false, number: "" };
}

/** Defaults of every field but the name (FEATURES.md section 2; choices noted where it is silent). */
export function defaultSettings(name: string): UserSettings {
  return {
    name,
    displayName: "",
    noAnswerTime: 0,
    specificExternalLine: "",
    maxDuration: 0,
    // Our choice: enough for call waiting and a multi-device user; 0 would forbid all calls.
    maxConcurrentCalls: 4,
    maxConcurrentOutgoingCalls: 4,
    // Our choice: an ordinary user; dial plan records requiring more (international) opt in.
    callRight: 1,
    forwarding: {
      unconditional: noForwarding(),
      unreachable: noForwarding(),
      busy: noForwarding(),
      noAnswer: noForwarding(),
    },
    voicemailOnUnreachableOrNoAnswer: false,
    voicemailOnBusy: false,
    voicemailPin: "",
    email: "",
    followMe: { strategy: 0, interval: 20, destinations: ["", "", ""] },
    autoAttendant: false,
    suppressRingGroupOnDirectCall: false,
    ringingGroupId: 0,
    pickupGroupId: 0,
    callPark: true,
    callRetrieve: true,
    callWaiting: true,
    doNotDisturb: false,
    multiDevice: false,
    maxDevices: MAX_DEVICES_DEFAULT,
    operatorBreakIn: false,
    operatorOverstep: false,
    subscribeAllPresence: false,
    presenceGroup: 0,
    musicOnHold: true,
    relayMedia: false,
    recording: "never",
    ipAuthorization: [],
    staticContact: "",
  };
}

/** Applies a validated patch to settings, field by field (nested objects merged, lists replaced). */
export function applyPatch(base: UserSettings, patch: UserPatch): UserSettings {
  const { password: _password, forwarding, followMe, ...flat } = patch;
  const merged: UserSettings = { ...base, ...flat };
  if (forwarding) {
    merged.forwarding = {
      unconditional: { ...base.forwarding.unconditional, ...forwarding.unconditional },
      unreachable: { ...base.forwarding.unreachable, ...forwarding.unreachable },
      busy: { ...base.forwarding.busy, ...forwarding.busy },
      noAnswer: { ...base.forwarding.noAnswer, ...forwarding.noAnswer },
    };
  }
  if (followMe) merged.followMe = { ...base.followMe, ...followMe };
  return merged;
}
