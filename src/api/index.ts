/** The admin REST API's public surface. */
export { API_PREFIX, createApi, DOCS_PATH, OPENAPI_PATH, systemClockToEpochMs } from "./create-api.js";
export { API_ERRORS, type ApiErrorCode } from "./errors.js";
export { type ApiToken, type ApiTokenOptions, resolveApiToken, TOKEN_FILE_NAME } from "./token.js";
export type {
  ActiveCall,
  ActiveCallLeg,
  ActiveCallState,
  ActiveLegState,
  ApiDeps,
  BansView,
  CallsView,
  ListenerInfo,
  LiveRegistration,
  RegistrationsView,
  ServerStatus,
  StatusSource,
  UserState,
} from "./types.js";
