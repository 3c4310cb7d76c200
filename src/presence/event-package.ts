/**
 * What an event package (RFC 6665 section 7) plugs into the subscription core: its name in the
 * Event header, the type of its NOTIFY bodies, its default subscription duration, who may watch
 * what, and the full state of a resource. message-summary (RFC 3842) is the first; presence and
 * dialog (issue 19) follow the same shape.
 */

/** Who watches what: the authenticated subscriber and the resource (the Request-URI's user). */
export interface SubscriptionTarget {
  readonly domainId: number;
  /** The authenticated user who subscribes. */
  readonly watcher: string;
  /** The watched resource: the user part of the SUBSCRIBE's Request-URI, unescaped. */
  readonly resource: string;
  /** RFC 4662 5: the subscriber supports resource lists (`Supported: eventlist`). */
  readonly eventlist?: boolean;
}

/** A NOTIFY body with its own type and header fields (a resource list's multipart, RFC 4662). */
export interface PackageBody {
  readonly body: string;
  readonly contentType: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** A package's verdict on a new subscription; a refusal is answered with its status. */
export type Admission =
  /** Admitted; `headers` go on the 200 (a resource list's `Require: eventlist`). */
  | { readonly ok: true; readonly headers?: ReadonlyArray<readonly [string, string]> }
  | {
      readonly ok: false;
      readonly status: number;
      readonly reason: string;
      readonly headers?: ReadonlyArray<readonly [string, string]>;
    };

export interface EventPackage {
  /** RFC 6665 7.2: the event-type token of the Event and Allow-Events header fields. */
  readonly name: string;
  /** Content-Type of the package's NOTIFY bodies. */
  readonly contentType: string;
  /** RFC 6665 7.2 (a package defines its subscription duration): used when a SUBSCRIBE has no Expires, s. */
  readonly defaultExpires: number;
  /** Whether `target.watcher` may watch `target.resource` (RFC 6665 4.2.1.3: authorization). */
  admit(target: SubscriptionTarget): Admission | Promise<Admission>;
  /**
   * The resource's full state as a NOTIFY body (RFC 6665 4.2.1: the NOTIFY after a SUBSCRIBE
   * carries the complete state; Parley sends complete state in every NOTIFY). `null`: nothing
   * changed for this subscriber since its last NOTIFY, so none is sent; never when `mustSend` (the
   * first NOTIFY, a refresh's, the final one).
   */
  body(target: SubscriptionTarget, mustSend?: boolean): Promise<string | PackageBody | null>;
}
