/**
 * The REFER method as a transfer request (RFC 3515, RFC 5589): what its Refer-To asks for, and the
 * implicit subscription's NOTIFYs that report the transfer's progress to the transferor.
 */
import type { Dialog } from "../dialog/index.js";
import { parseNameAddr, reasonPhrase, unescapeUri } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";

/** RFC 3891 3: the dialog an INVITE (here: a transfer) replaces. */
export interface ReplacesTarget {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  /** RFC 3891 3: "early-only": only an early dialog may be replaced. */
  readonly earlyOnly: boolean;
}

export interface ReferTarget {
  /** The Refer-To URI without its headers part. */
  readonly uri: string;
  /** Its user part: the number to call. */
  readonly user: string;
  /** Present for an attended transfer (RFC 5589 7: Refer-To carries Replaces). */
  readonly replaces?: ReplacesTarget;
}

export type ReferParse = { ok: true; target: ReferTarget } | { ok: false; reason: string };

/**
 * Reads the Refer-To of a REFER. RFC 3515 2.4.1: "A REFER request MUST contain exactly one
 * Refer-To header field value"; a bad one is answered 400 with the returned reason.
 */
export function parseRefer(request: SipRequest): ReferParse {
  const values = request.getAll("refer-to");
  if (values.length === 0) return { ok: false, reason: "Missing Refer-To" };
  if (values.length > 1) return { ok: false, reason: "More Than One Refer-To" };
  const nameAddr = parseNameAddr(values[0]!);
  if (nameAddr === undefined) return { ok: false, reason: "Bad Refer-To" };
  const uri = nameAddr.uri;
  if ((uri.scheme !== "sip" && uri.scheme !== "sips") || uri.user === undefined || uri.user === "")
    return { ok: false, reason: "Refer-To Is Not A SIP URI With A User" };
  const q = uri.raw.indexOf("?");
  const base = q < 0 ? uri.raw : uri.raw.slice(0, q);
  const user = unescapeUri(uri.user);
  const replacesHeader = uri.headers.find(([name]) => name.toLowerCase() === "replaces");
  if (replacesHeader === undefined) return { ok: true, target: { uri: base, user } };
  const replaces = parseReplaces(unescapeUri(replacesHeader[1]));
  if (replaces === undefined) return { ok: false, reason: "Bad Replaces In Refer-To" };
  return { ok: true, target: { uri: base, user, replaces } };
}

/** RFC 3891 6.1: Replaces = callid *(SEMI replaces-param), with to-tag and from-tag required. */
export function parseReplaces(value: string): ReplacesTarget | undefined {
  const [callId, ...params] = value.split(";").map((p) => p.trim());
  if (callId === undefined || callId === "") return undefined;
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const param of params) {
    const eq = param.indexOf("=");
    const name = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
    const v = eq < 0 ? "" : param.slice(eq + 1);
    if (name === "to-tag") toTag = v;
    else if (name === "from-tag") fromTag = v;
    else if (name === "early-only") earlyOnly = true;
  }
  if (toTag === undefined || fromTag === undefined) return undefined;
  return { callId, toTag, fromTag, earlyOnly };
}

/**
 * The implicit subscription a REFER creates (RFC 3515 2.4.4): NOTIFYs with a message/sipfrag body
 * of the transfer's progress, sent one after the other so they arrive in order; the last one
 * terminates the subscription.
 */
export class ReferNotifier {
  private chain: Promise<unknown> = Promise.resolve();
  private done = false;
  private readonly event: string;

  /**
   * `id` is the REFER's CSeq: RFC 3515 2.4.6 asks for it in the Event of every subscription but the
   * first one a dialog carries.
   */
  constructor(
    private readonly dialog: Dialog,
    id: number | undefined,
    private readonly onError: (error: unknown) => void,
  ) {
    this.event = id === undefined ? "refer" : `refer;id=${id}`;
  }

  /** RFC 3515 2.4.5: a provisional status keeps the subscription active. */
  progress(status: number, reason?: string): void {
    this.send(status, reason, "active;expires=60");
  }

  /** The transfer's outcome; "terminated;reason=noresource" ends the subscription (RFC 3515 2.4.7). */
  final(status: number, reason?: string): Promise<unknown> {
    this.send(status, reason, "terminated;reason=noresource");
    this.done = true;
    return this.chain;
  }

  private send(status: number, reason: string | undefined, state: string): void {
    if (this.done) return;
    const body = `SIP/2.0 ${status} ${reason ?? reasonPhrase(status)}\r\n`;
    this.chain = this.chain.then(() => {
      if (this.dialog.state === "terminated") return undefined;
      return this.dialog
        .request("NOTIFY", {
          headers: [
            ["Event", this.event],
            ["Subscription-State", state],
          ],
          body,
          contentType: "message/sipfrag;version=2.0",
        })
        .then(undefined, this.onError);
    });
  }
}
