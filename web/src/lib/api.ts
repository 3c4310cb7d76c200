/**
 * The UI's only way to the server: the public REST API under /api/v1 with a bearer session token.
 * Every failure becomes an ApiFailure carrying the API's stable code and its field errors, so a form
 * can show each error beside the field it names.
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

type Query = Record<string, string | number | boolean | undefined>;

export class ApiClient {
  private token: string | undefined = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  /** Called when the server refuses the token (the session expired). */
  onUnauthorized: () => void = () => {};

  get signedIn(): boolean {
    return this.token !== undefined;
  }

  get authorization(): string {
    return `Bearer ${this.token ?? ""}`;
  }

  async signIn(secret: SignIn): Promise<void> {
    const body = await this.request<SessionCreated>("POST", "/session", { body: secret, anonymous: true });
    this.token = body.token;
    sessionStorage.setItem(TOKEN_KEY, body.token);
  }

  async signOut(): Promise<void> {
    if (this.token !== undefined) await this.request("DELETE", "/session").catch(() => {});
    this.forget();
  }

  forget(): void {
    this.token = undefined;
    sessionStorage.removeItem(TOKEN_KEY);
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

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; anonymous?: boolean } = {},
  ): Promise<T> {
    const res = await this.fetch(method, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  private async fetch(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; anonymous?: boolean },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
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
