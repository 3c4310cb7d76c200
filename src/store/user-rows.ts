/** Mapping between a LocalUser and its `users` row (flat snake_case columns, 0/1 flags). */
import type { Insertable, Selectable } from "kysely";
import type { Ha1Pair } from "./digest-ha1.js";
import { isRecordingMode } from "./recording-model.js";
import type { Flag, UsersTable } from "./schema.js";
import type { FollowMeStrategy, LocalUser, UserSettings } from "./user-model.js";

type SettingsColumns = Omit<
  Insertable<UsersTable>,
  "id" | "domain_id" | "ha1_md5" | "ha1_sha256" | "created_at" | "updated_at"
>;

const flag = (b: boolean): Flag => (b ? 1 : 0);
const bool = (v: number): boolean => Number(v) === 1;

function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export function settingsToRow(s: UserSettings): SettingsColumns {
  const f = s.forwarding;
  return {
    name: s.name,
    display_name: s.displayName,
    no_answer_time: s.noAnswerTime,
    specific_external_line: s.specificExternalLine,
    max_duration: s.maxDuration,
    max_concurrent_calls: s.maxConcurrentCalls,
    max_concurrent_outgoing_calls: s.maxConcurrentOutgoingCalls,
    call_right: s.callRight,
    fwd_unconditional_enabled: flag(f.unconditional.enabled),
    fwd_unconditional_number: f.unconditional.number,
    fwd_unreachable_enabled: flag(f.unreachable.enabled),
    fwd_unreachable_number: f.unreachable.number,
    fwd_busy_enabled: flag(f.busy.enabled),
    fwd_busy_number: f.busy.number,
    fwd_no_answer_enabled: flag(f.noAnswer.enabled),
    fwd_no_answer_number: f.noAnswer.number,
    voicemail_on_unreachable_or_no_answer: flag(s.voicemailOnUnreachableOrNoAnswer),
    email: s.email,
    voicemail_on_busy: flag(s.voicemailOnBusy),
    voicemail_pin: s.voicemailPin,
    follow_me_strategy: s.followMe.strategy,
    follow_me_interval: s.followMe.interval,
    follow_me_a: s.followMe.destinations[0],
    follow_me_b: s.followMe.destinations[1],
    follow_me_c: s.followMe.destinations[2],
    auto_attendant: flag(s.autoAttendant),
    suppress_ring_group_on_direct_call: flag(s.suppressRingGroupOnDirectCall),
    ringing_group_id: s.ringingGroupId,
    pickup_group_id: s.pickupGroupId,
    call_park: flag(s.callPark),
    call_retrieve: flag(s.callRetrieve),
    call_waiting: flag(s.callWaiting),
    do_not_disturb: flag(s.doNotDisturb),
    multi_device: flag(s.multiDevice),
    max_devices: s.maxDevices,
    operator_break_in: flag(s.operatorBreakIn),
    operator_overstep: flag(s.operatorOverstep),
    subscribe_all_presence: flag(s.subscribeAllPresence),
    presence_group: s.presenceGroup,
    music_on_hold: flag(s.musicOnHold),
    relay_media: flag(s.relayMedia),
    recording: s.recording,
    ip_authorization: JSON.stringify(s.ipAuthorization),
    static_contact: s.staticContact,
  };
}

export function rowToUser(r: Selectable<UsersTable>): LocalUser {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    name: r.name,
    displayName: r.display_name,
    noAnswerTime: Number(r.no_answer_time),
    specificExternalLine: r.specific_external_line,
    maxDuration: Number(r.max_duration),
    maxConcurrentCalls: Number(r.max_concurrent_calls),
    maxConcurrentOutgoingCalls: Number(r.max_concurrent_outgoing_calls),
    callRight: Number(r.call_right),
    forwarding: {
      unconditional: { enabled: bool(r.fwd_unconditional_enabled), number: r.fwd_unconditional_number },
      unreachable: { enabled: bool(r.fwd_unreachable_enabled), number: r.fwd_unreachable_number },
      busy: { enabled: bool(r.fwd_busy_enabled), number: r.fwd_busy_number },
      noAnswer: { enabled: bool(r.fwd_no_answer_enabled), number: r.fwd_no_answer_number },
    },
    voicemailOnUnreachableOrNoAnswer: bool(r.voicemail_on_unreachable_or_no_answer),
    email: r.email,
    voicemailOnBusy: bool(r.voicemail_on_busy),
    voicemailPin: r.voicemail_pin,
    followMe: {
      strategy: Number(r.follow_me_strategy) as FollowMeStrategy,
      interval: Number(r.follow_me_interval),
      destinations: [r.follow_me_a, r.follow_me_b, r.follow_me_c],
    },
    autoAttendant: bool(r.auto_attendant),
    suppressRingGroupOnDirectCall: bool(r.suppress_ring_group_on_direct_call),
    ringingGroupId: Number(r.ringing_group_id),
    pickupGroupId: Number(r.pickup_group_id),
    callPark: bool(r.call_park),
    callRetrieve: bool(r.call_retrieve),
    callWaiting: bool(r.call_waiting),
    doNotDisturb: bool(r.do_not_disturb),
    multiDevice: bool(r.multi_device),
    maxDevices: Number(r.max_devices),
    operatorBreakIn: bool(r.operator_break_in),
    operatorOverstep: bool(r.operator_overstep),
    subscribeAllPresence: bool(r.subscribe_all_presence),
    presenceGroup: Number(r.presence_group),
    musicOnHold: bool(r.music_on_hold),
    relayMedia: bool(r.relay_media),
    recording: isRecordingMode(r.recording) ? r.recording : "never",
    ipAuthorization: parseList(r.ip_authorization),
    staticContact: r.static_contact,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The settings part of a stored user (what a patch applies to). */
export function userSettings(user: LocalUser): UserSettings {
  const { id: _id, domainId: _d, createdAt: _c, updatedAt: _u, ...settings } = user;
  return settings;
}

export function ha1Columns(ha1: Ha1Pair): { ha1_md5: string; ha1_sha256: string } {
  return { ha1_md5: ha1.ha1Md5, ha1_sha256: ha1.ha1Sha256 };
}
