/**
 * Stage 2, authenticate: a local user's INVITE is checked against the ban list and digest
 * credentials (RFC 3261 22.3: 407 with Proxy-Authenticate, before the callee is looked up, so a
 * scanner learns nothing); a trunk's or line's caller was trusted by address at stage 1. The
 * result is the caller's context: its party, its local user and the number to route.
 */
import type { Authenticator } from "../../auth/authenticator.js";
import type { UasInvite } from "../../dialog/index.js";
import { ownCopy } from "../../sip/index.js";
import type { LocalUser } from "../../store/user-model.js";
import { authenticateCaller } from "../caller-auth.js";
import { accept, refuseWith, type StageResult } from "../refusal.js";
import type { CallerContext, Identified, ReceivedInvite } from "./context.js";

export interface AuthenticateDeps {
  readonly authenticator: Authenticator;
  readonly domain: { readonly id: number; readonly realm: string };
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly now: () => number;
}

export async function authenticate(
  deps: AuthenticateDeps,
  rx: ReceivedInvite,
  uas: UasInvite,
  identified: Identified,
): Promise<StageResult<CallerContext>> {
  const request = rx.message;
  const { domain } = deps;
  const startedAt = deps.now();
  if (identified.kind === "inbound") {
    const origin = identified.origin;
    return accept({
      ...outsideCaller(domain.id, rx, uas, startedAt),
      inbound: origin,
      dialed: origin.dialed,
    });
  }
  const auth = await authenticateCaller(deps.authenticator, domain, rx);
  if (auth.kind === "reject")
    return refuseWith("authenticate", auth.status, auth.reason, { headers: auth.headers, recorded: false });
  const user = (await deps.users.lookup(domain.id, auth.username))?.user;
  return accept({
    rx,
    uas,
    // Own copies: the call keeps these for its life; slices would pin the whole INVITE.
    party: {
      domainId: domain.id,
      user: user?.name ?? ownCopy(auth.username),
      displayName: user?.displayName ?? ownCopy(request.from?.displayName ?? ""),
    },
    user,
    inbound: undefined,
    dialed: ownCopy(request.uri.user ?? ""),
    startedAt,
  });
}

/** A trunk's or line's caller: a number of the outside world, never one of our users. */
export function outsideCaller(
  domainId: number,
  rx: ReceivedInvite,
  uas: UasInvite,
  startedAt: number,
): CallerContext {
  const request = rx.message;
  return {
    rx,
    uas,
    party: {
      domainId,
      user: ownCopy(request.from?.uri.user ?? ""),
      displayName: ownCopy(request.from?.displayName ?? ""),
    },
    user: undefined,
    inbound: undefined,
    dialed: ownCopy(request.uri.user ?? ""),
    startedAt,
  };
}
