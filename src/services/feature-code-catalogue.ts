/**
 * Every service's feature codes (service name, default code, forms, description) registered in a
 * FeatureCodeTable without the services themselves: no media, no store, no detection points. The
 * server's services add the same codes through the same functions as they register
 * (registerServices); `parley feature-codes` (src/cli/feature-code-commands.ts) builds its table
 * here, since the CLI runs beside the server, not inside it. A service that adds a feature code
 * adds it here too (test/services/feature-code-catalogue.test.ts compares the two tables).
 */
import type { Settings } from "../config/settings.js";
import { type AudioTestCodes, addAudioTestCodes } from "./audio-tests/audio-tests.js";
import { addBargeCodes } from "./barge/barge.js";
import { addConferenceCode } from "./conference/ad-hoc-conference.js";
import type { FeatureCodeTable } from "./feature-codes.js";
import { addParkCodes } from "./park/park.js";
import { addPickUpCodes } from "./pick-up/pick-up.js";
import { addRecordingCodes } from "./recording/recording.js";
import { addCallingCardCode } from "./scripts/calling-card-code.js";
import { addUserCodeFeatures } from "./user-codes/user-codes.js";
import { addVoicemailAccessCodes } from "./voicemail/access.js";

/** The settings that give services their default codes ("" = off). */
export type FeatureCodeDefaults = Pick<
  Settings,
  "echoTestCode" | "promptTestCode" | "recordTestCode" | "voicemailCode" | "voicemailAnyCode"
>;

export function audioTestCodes(settings: FeatureCodeDefaults): AudioTestCodes {
  return {
    echoTest: settings.echoTestCode,
    promptTest: settings.promptTestCode,
    recordTest: settings.recordTestCode,
  };
}

export function voicemailAccessCodes(settings: FeatureCodeDefaults): { own: string; any: string } {
  return { own: settings.voicemailCode, any: settings.voicemailAnyCode };
}

/** Adds every service's codes to `features`; returns their removal. */
export function registerFeatureCodes(features: FeatureCodeTable, settings: FeatureCodeDefaults): () => void {
  const removals = [
    ...addAudioTestCodes(features, audioTestCodes(settings)),
    addConferenceCode(features),
    ...addUserCodeFeatures(features),
    ...addVoicemailAccessCodes(features, voicemailAccessCodes(settings)),
    ...addPickUpCodes(features),
    ...addParkCodes(features),
    ...addBargeCodes(features),
    ...addRecordingCodes(features),
    addCallingCardCode(features),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
