/**
 * OPTIONS addressed to Parley (RFC 3261 11.2): 200 with what Parley can do. Phones and proxies use
 * it as a keep-alive and capability probe (sipsak, Kamailio's dispatcher, SIP trunks).
 */
import type { SipRequest } from "../sip/types.js";
import {
  acceptedBodyTypes,
  acceptedEncodings,
  acceptedLanguages,
  supportedExtensions,
} from "./capabilities.js";
import type { MethodHandler, SipCore } from "./sip-core.js";

export function optionsHandler(core: SipCore): MethodHandler {
  // The same headers on every answer: built once, again only when the set of methods changes.
  let allow: string | undefined;
  let headers: ReadonlyArray<readonly [string, string]> = [];
  return (rx, tx) => {
    if (allow !== core.allow) {
      allow = core.allow;
      // RFC 3261 11.2: "Allow, Accept, Accept-Encoding, Accept-Language, and Supported header
      // fields SHOULD be present in a 200 (OK) response to an OPTIONS request."
      headers = [
        ["Allow", allow],
        ["Accept", acceptedBodyTypes.join(", ")],
        ["Accept-Encoding", acceptedEncodings.join(", ")],
        ["Accept-Language", acceptedLanguages.join(", ")],
        ["Supported", supportedExtensions.join(", ")],
      ];
    }
    tx.respond(core.response(rx.message as SipRequest, 200, "OK", headers));
  };
}
