/**
 * The web phone's way to the server: the user-scope routes under /api/v1/phone with a phone token
 * (never the admin session's, which lib/api.ts keeps). The token lives in memory only: the SIP
 * password it came with is needed again to register after a reload, so a reload signs in again.
 */
import type {
  PhoneCallListBody,
  PhoneMeBody,
  PhonePresenceBody,
  PhoneSessionCreatedBody,
} from "../../../../src/api/phone/phone-schemas";
import { ApiFailure } from "../../lib/api";
import type { ErrorBody } from "../../lib/api-types";

export type PhoneMe = PhoneMeBody;
export type PhoneCall = PhoneCallListBody["items"][number];
export type Colleague = PhonePresenceBody["items"][number];

export class PhoneApi {
  private token: string | undefined;
  /**
   * The credentials signed in with, kept in memory as the SIP stack keeps the password to register:
   * a token the server forgot (Parley restarted, idle expiry) is replaced by signing in again.
   */
  private credentials: { user: string; password: string } | undefined;
  /** Called when the server no longer accepts the user (wrong password now, the user deleted). */
  onExpired: () => void = () => {};

  /**
   * `100@acme.example.com`: extension 100 of the tenant whose SIP domain that is (issue 21); every
   * request then names the domain, so the server hands it to that tenant.
   */
  private domain: string | undefined;

  async signIn(user: string, password: string): Promise<PhoneSessionCreatedBody> {
    const at = user.indexOf("@");
    this.domain = at < 0 ? undefined : user.slice(at + 1).trim();
    const name = at < 0 ? user : user.slice(0, at).trim();
    const body = await this.request<PhoneSessionCreatedBody>("POST", "/phone/session", {
      user: name,
      password,
    });
    this.token = body.token;
    this.credentials = { user, password };
    return body;
  }

  async signOut(): Promise<void> {
    if (this.token !== undefined) await this.request("DELETE", "/phone/session").catch(() => {});
    this.token = undefined;
    this.credentials = undefined;
  }

  me(): Promise<PhoneMe> {
    return this.request<PhoneMe>("GET", "/phone/me");
  }

  async calls(limit = 30): Promise<PhoneCall[]> {
    return (await this.request<PhoneCallListBody>("GET", `/phone/calls?limit=${limit}`)).items;
  }

  async colleagues(): Promise<Colleague[]> {
    return (await this.request<PhonePresenceBody>("GET", "/phone/presence")).items;
  }

  private async request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (this.domain) headers["x-parley-domain"] = this.domain;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiFailure(0, "network", (error as Error).message);
    }
    if (res.status === 204) return undefined as T;
    if (res.ok) return (await res.json()) as T;
    const failure = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
    const error = new ApiFailure(
      res.status,
      failure.error ?? "http",
      failure.message ?? res.statusText,
      failure.errors,
    );
    if (res.status === 401 && this.token !== undefined && path !== "/phone/session") {
      this.token = undefined;
      const credentials = this.credentials;
      if (!retried && credentials !== undefined) {
        const renewed = await this.signIn(credentials.user, credentials.password).then(
          () => true,
          () => false,
        );
        if (renewed) return this.request<T>(method, path, body, true);
      }
      this.credentials = undefined;
      this.onExpired();
    }
    throw Object.assign(error, { retryAfter: Number(res.headers.get("retry-after") ?? 0) });
  }
}
