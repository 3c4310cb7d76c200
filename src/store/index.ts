/** The store's public surface: open it, migrate, and use its repositories. */
export type { Binding, BindingRepository } from "./binding-model.js";
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
export { IpMatcher, normalizeIp, parseIpRange } from "./ip-match.js";
export { migrations } from "./migrations.js";
export type { Database } from "./schema.js";
export {
  openStore,
  PRESET_USERS,
  type Store,
  type StoreHooks,
  storeFromUrl,
  storeOptionsFromUrl,
} from "./store.js";
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
export { checkSettings, LIMITS, type Validation, validateUser } from "./user-validation.js";
