/**
 * What this Parley supports: the extensions (Supported, and the Require check of RFC 3261
 * 8.2.2.3) and the bodies it accepts (Accept, RFC 3261 11.2). The methods it allows come from the
 * handlers registered with the core (see SipCore.allow), so Allow never claims an unhandled method.
 * A capability is added here when the code behind it lands, never before.
 */

/**
 * Option tags Parley supports (RFC 3261 8.2.2.3): Path (RFC 3327), reliable provisionals (RFC
 * 3262) and session timers (RFC 4028), the last two through the dialog layer.
 */
export const supportedExtensions: readonly string[] = ["path", "100rel", "timer"];

/** Body types Parley accepts (RFC 3261 11.2). */
import { KNOWN_METHODS } from "../sip/methods.js";
export const acceptedBodyTypes: readonly string[] = ["application/sdp"];
export const acceptedEncodings: readonly string[] = ["identity"];
export const acceptedLanguages: readonly string[] = ["en"];

/** Every method Parley recognizes (RFC 3261 and the extension RFCs); others get 501 (RFC 3261 8.2.1). */
export const knownMethods: ReadonlySet<string> = KNOWN_METHODS;

/** URI schemes Parley can route on (RFC 3261 8.2.2.1: others get 416). */
export const supportedSchemes: ReadonlySet<string> = new Set(["sip", "sips", "tel"]);
