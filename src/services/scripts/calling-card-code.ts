/**
 * The calling card's feature code (issue 18): `*300*` starts the calling card script, which then
 * asks for the card number, the PIN and the destination (so the code takes no argument). Listed
 * in feature-code-catalogue.ts like every service's code; the administrator may move or turn it
 * off like any other.
 */
import type { FeatureCodeTable } from "../feature-codes.js";

export const CALLING_CARD_CODE = "*300*";
/** The service name the feature code table routes `*300*` to. */
export const CALLING_CARD_FEATURE = "calling-card";

export function addCallingCardCode(features: FeatureCodeTable, code = CALLING_CARD_CODE): () => void {
  return features.add(code, CALLING_CARD_FEATURE, {
    description: "Calling card: *300* then card number, PIN and destination",
  });
}
