/** The store's public surface: open it, migrate, and use its repositories. */

export * from "./auto-attendant-model.js";
export type { AutoAttendantRepository } from "./auto-attendant-repository.js";
export type { Binding, BindingRepository } from "./binding-model.js";
export * from "./calling-card-model.js";
export type { CallingCardRepository } from "./calling-card-repository.js";
export { CDR_CSV_COLUMNS, type CsvRecord, cdrCsvHeader, cdrCsvRow, csvField, utcDate } from "./cdr-csv.js";
export { CdrCsvWriter, type CdrLog, type CdrSink, cdrCsvFileName } from "./cdr-csv-writer.js";
export {
  type CallLeg,
  type CallRecord,
  type CdrFilter,
  type CdrListQuery,
  type CdrPage,
  callDuration,
  DISPOSITIONS,
  type Disposition,
  HANGUP_CAUSES,
  type HangupCause,
  isHangupCause,
  type LegRole,
  type NewCallRecord,
  rejectedCause,
  talkTime,
} from "./cdr-model.js";
export { CdrRecorder } from "./cdr-recorder.js";
export { CDR_BATCH_SIZE, type CdrRepository } from "./cdr-repository.js";
export { CdrSpool } from "./cdr-spool.js";
export { CDR_LIMITS, validateCallRecord } from "./cdr-validation.js";
export * from "./conference-room-model.js";
export type { ConferenceRoomRepository } from "./conference-room-repository.js";
export type { StoreKind, StoreOptions } from "./connect.js";
export { computeHa1, type Ha1Pair } from "./digest-ha1.js";
export {
  DEFAULT_DOMAIN_NAME,
  DEFAULT_REALM,
  type Domain,
  type DomainRepository,
} from "./domain-repository.js";
export {
  ConflictError,
  type FieldError,
  NotFoundError,
  StoreError,
  type StoreErrorCode,
  ValidationError,
} from "./errors.js";
export * from "./hunt-group-model.js";
export type { HuntGroupRepository } from "./hunt-group-repository.js";
export { IpMatcher, normalizeIp, parseIpRange } from "./ip-match.js";
export * from "./list-model.js";
export type { ListRepository } from "./list-repository.js";
export { migrations } from "./migrations.js";
export * from "./recording-model.js";
export type { RecordingRepository } from "./recording-repository.js";
export type { Database } from "./schema.js";
export { SCRIPT_KV_LIMITS } from "./script-kv-model.js";
export type { ScriptKvRepository } from "./script-kv-repository.js";
export * from "./script-trigger-model.js";
export type { ScriptTriggerRepository } from "./script-trigger-repository.js";
export {
  openStore,
  PRESET_USERS,
  type Store,
  type StoreHooks,
  storeFromUrl,
  storeOptionsFromUrl,
} from "./store.js";
export type { SystemSettingsRepository } from "./system-settings-repository.js";
export {
  defaultSettings,
  type FollowMe,
  type FollowMeStrategy,
  type Forwarding,
  type ForwardingRule,
  type LocalUser,
  MAX_DEVICES_DEFAULT,
  type NewUser,
  type UserPatch,
  type UserSettings,
} from "./user-model.js";
export type { UserListQuery, UserPage, UserRepository } from "./user-repository.js";
export { LIMITS, type Validation, validateUser } from "./user-validation.js";
export {
  type MessageCounts,
  type NewVoicemailMessage,
  VOICEMAIL_FOLDERS,
  type VoicemailFolder,
  type VoicemailMessage,
  type VoicemailRepository,
} from "./voicemail-repository.js";
