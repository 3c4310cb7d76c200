import { generateBranch, ownCopy } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";
import type { HeaderList } from "./message-builder.js";
import type { MessageOptions } from "./types.js";

/**
 * The ACK Parley sent for the 2xx to its latest INVITE in a dialog, kept to send again for each
 * retransmission of that 2xx (RFC 3261 13.2.2.4: "The UAC core MUST generate an ACK request for
 * each 2xx received from the transaction layer"), also once the INVITE client transaction is gone
 * (a stray 2xx). A dialog keeps it for its whole life, so it keeps what the ACK is built from, not
 * the message (issue 13: heap per active call): the CSeq number, the branch (the same ACK goes
 * again), the INVITE's credentials and what the TU added (a late offer's answer). The rest is the
 * dialog state (message-builder.ts buildAck).
 */
export class KeptAck {
  readonly branch = generateBranch();
  /** RFC 3261 13.2.2.4: "The ACK MUST contain the same credentials as the INVITE." */
  readonly credentials: HeaderList | undefined;
  readonly options: MessageOptions | undefined;

  constructor(
    /** The CSeq number of the INVITE acknowledged (and of the ACK). */
    readonly seq: number,
    invite: SipRequest,
    options: MessageOptions,
  ) {
    const credentials: HeaderList = [];
    for (const name of ["authorization", "proxy-authorization"]) {
      for (const value of invite.getAll(name))
        credentials.push([
          name === "authorization" ? "Authorization" : "Proxy-Authorization",
          ownCopy(value),
        ]);
    }
    this.credentials = credentials.length === 0 ? undefined : credentials;
    this.options =
      options.body === undefined && options.headers === undefined ? undefined : ownOptions(options);
  }
}

/** The TU's additions with their own strings: cut from another message, they would pin its text. */
function ownOptions(options: MessageOptions): MessageOptions {
  const { body, contentType, headers } = options;
  return {
    ...(body === undefined ? {} : { body }),
    ...(contentType === undefined ? {} : { contentType: ownCopy(contentType) }),
    ...(headers === undefined
      ? {}
      : { headers: headers.map(([name, value]) => [name, ownCopy(value)] as const) }),
  };
}
