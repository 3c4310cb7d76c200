/**
 * Whether a caller withheld its identity: what the black and white list's `anonymous` caller
 * prefix matches (issue 16).
 */
import type { SipRequest } from "../sip/types.js";

/**
 * True when the INVITE hides who calls:
 * - RFC 3261 8.1.1.3 / RFC 3323 4.1.1.3: an anonymous From is "Anonymous"
 *   <sip:anonymous@anonymous.invalid>; a From user "anonymous" or host "anonymous.invalid" counts.
 * - RFC 3323 4.2 / RFC 3325 9.3: a Privacy of "id" or "header" asks that the identity be withheld;
 *   the call is anonymous unless a P-Asserted-Identity still tells Parley who calls.
 */
export function withheldIdentity(request: SipRequest): boolean {
  const uri = request.from?.uri;
  if (uri?.user?.toLowerCase() === "anonymous" || uri?.host === "anonymous.invalid") return true;
  const privacy = request
    .getAll("privacy")
    .flatMap((value) => value.split(";"))
    .map((value) => value.trim().toLowerCase());
  if (!privacy.includes("id") && !privacy.includes("header")) return false;
  return !request.has("p-asserted-identity");
}
