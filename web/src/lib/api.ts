/**
 * The UI's only way to the server: the public REST API under /api/v1 with a bearer session token.
 * Every failure becomes an ApiFailure carrying the API's stable code and its field errors, so a form
 * can show each error beside the field it names.
 *
 * Tenants (issue 21): a tenant's administrator signs in naming the tenant, and every request after
 * carries it (`X-Parley-Tenant`; the live view's `tenant=` query); the provider may choose a tenant
 * to act in, which every request then carries instead. A `home` request (who am I, the provider's
 * tenants routes, signing out) carries only the tenant signed in to.
 */
import type { ErrorBody, FieldError, SessionCreated, SignIn } from "./api-types";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

const TOKEN_KEY = "parley.session";
/** The tenant signed in to (a tenant's administrator); none for the provider. */
const HOME_KEY = "parley.tenant";
/** The tenant the provider chose to act in. */
const ACTING_KEY = "parley.acting";

export const TENANT_HEADER = "X-Parley-Tenant";

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  anonymous?: boolean;
  /** Only the tenant signed in to, never the one the provider acts in. */
  home?: boolean;
  /** This tenant (null: none), whatever the client acts in. */
  tenant?: string | null;
}

export class ApiClient {
  private token: string | undefined = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  private home: string | undefined = sessionStorage.getItem(HOME_KEY) ?? undefined;
  private acting: string | undefined = sessionStorage.getItem(ACTING_KEY) ?? undefined;
  /** Called when the server refuses the token (the session expired). */
  onUnauthorized: () => void = () => {};

  get signedIn(): boolean {
    return this.token !== undefined;
  }

  get authorization(): string {
    return `Bearer ${this.token ?? ""}`;
  }

  /** The tenant requests act in: the one the provider chose, else the one signed in to. */
  get tenant(): string | undefined {
    return this.acting ?? this.home;
  }

  /** The tenant the provider chose to act in, if any. */
  get actingTenant(): string | undefined {
    return this.acting;
  }

  /** The provider acts in `name` from now on (undefined: as the provider again). */
  setActing(name: string | undefined): void {
    this.acting = name;
    if (name === undefined) sessionStorage.removeItem(ACTING_KEY);
    else sessionStorage.setItem(ACTING_KEY, name);
  }

  /** The tenant header of a request (the home one, or the one acted in). */
  tenantHeaders(home = false): Record<string, string> {
    const tenant = home ? this.home : this.tenant;
    return tenant === undefined ? {} : { [TENANT_HEADER]: tenant };
  }

  /** `tenant` empty or absent: the provider's sign-in; else that tenant administrator's. */
  async signIn(secret: SignIn, tenant?: string): Promise<void> {
    const home = tenant?.trim() || undefined;
    const body = await this.request<SessionCreated>("POST", "/session", {
      body: secret,
      anonymous: true,
      tenant: home ?? null,
    });
    this.token = body.token;
    sessionStorage.setItem(TOKEN_KEY, body.token);
    this.home = home;
    if (home === undefined) sessionStorage.removeItem(HOME_KEY);
    else sessionStorage.setItem(HOME_KEY, home);
    this.setActing(undefined);
  }

  async signOut(): Promise<void> {
    if (this.token !== undefined) await this.request("DELETE", "/session", { home: true }).catch(() => {});
    this.forget();
  }

  forget(): void {
    this.token = undefined;
    sessionStorage.removeItem(TOKEN_KEY);
    this.home = undefined;
    sessionStorage.removeItem(HOME_KEY);
    this.setActing(undefined);
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, { query });
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, { body });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, { body });
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, { body });
  }
  delete(path: string): Promise<void> {
    return this.request<void>("DELETE", path);
  }

  /** A text resource (the CDR CSV export). */
  async text(path: string, query?: Query): Promise<string> {
    const res = await this.fetch("GET", path, { query });
    return res.text();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  private async fetch(method: string, path: string, options: RequestOptions): Promise<Response> {
    const tenant = options.tenant === undefined ? this.tenantHeaders(options.home) : {};
    const headers: Record<string, string> =
      typeof options.tenant === "string" ? { [TENANT_HEADER]: options.tenant } : tenant;
    if (!options.anonymous && this.token !== undefined) headers.authorization = this.authorization;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`/api/v1${path}${queryString(options.query)}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new ApiFailure(0, "network", (error as Error).message);
    }
    if (res.ok) return res;
    // A body that is not the API's (a proxy's error page) leaves every field undefined.
    const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
    const failure = new ApiFailure(
      res.status,
      body.error ?? "http",
      body.message ?? res.statusText,
      body.errors,
    );
    if (res.status === 401 && !options.anonymous) {
      this.forget();
      this.onUnauthorized();
    }
    throw failure;
  }
}

export function queryString(query: Query | undefined): string {
  if (query === undefined) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export const api = new ApiClient();
