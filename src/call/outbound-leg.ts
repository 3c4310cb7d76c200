/**
 * What a callee leg toward an external line's provider or a SIP trunk's peer needs beyond a
 * binding's target (issue 5): its own From and To, credentials for 401/407, 100rel left out, its
 * own ringing time before the next line is tried, and a count on its line or trunk while it lives.
 * src/trunks builds these; the call only applies them.
 */
import type { InviteSpec } from "../dialog/uac-invite.js";

export interface OutboundLeg {
  /** From of the leg's INVITE (without tag), e.g. `"100" <sip:account@provider>`. */
  readonly from: string;
  /** To of the leg's INVITE, e.g. `<sip:0123456@provider>`. */
  readonly to: string;
  readonly authorize?: InviteSpec["authorize"];
  readonly no100rel: boolean;
  /** Milliseconds this attempt rings before the next target is tried; 0 = only the call's timer. */
  readonly noAnswerMs: number;
  /** Counts the call on its line or trunk; returns the release, called once when the leg ends. */
  readonly acquire: () => () => void;
}
