/** Parley's SIP message layer: parser, model, serializer, URIs, builders and helpers. */
export {
  cloneMessage,
  createRequest,
  createResponse,
  type RequestSpec,
  type ResponseOptions,
} from "./builders.js";
export { generateBranch, generateCallId, generateTag } from "./ids.js";
export { isKnownMethod, KNOWN_METHODS } from "./methods.js";
export { formatNameAddr, parseNameAddr, quoteDisplayName } from "./name-addr.js";
export { formatParams } from "./params.js";
export { parseMessage } from "./parser.js";
export { reasonPhrase } from "./reason-phrases.js";
export { fromUtf8, ownCopy, toUtf8 } from "./text.js";
export type * from "./types.js";
export { formatUri, parseUri } from "./uri.js";
export { unescapeUri, uriEquals } from "./uri-equals.js";
export { formatVia, parseVia } from "./via.js";
