/**
 * The CLI's check of a line or trunk pointing at Parley itself (issue 23, store/self-reference.ts):
 * with no running server to ask, Parley's SIP listeners are the ones the settings give `start`
 * (bind addresses, SIP ports: the same settings the command reads, flags, env and config file).
 */
import type { Settings } from "../config/settings.js";
import { listenersFor } from "../startup-ports.js";
import { type RowCheck, selfReferenceCheck } from "../store/self-reference.js";

export function settingsSelfCheck(settings: Settings): RowCheck {
  return selfReferenceCheck(() => listenersFor(settings));
}
