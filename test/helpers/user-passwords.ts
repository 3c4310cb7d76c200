/**
 * Local users an end-to-end test creates through a running Parley's API, with passwords that meet
 * the password policy (issue 23: at least 8 characters, not the extension number), remembered per
 * Parley so the phone helpers (sipp's credentials) authenticate with them. A user not created
 * here (the preset users 100, 101, 102) authenticates with its name.
 */
import type { ParleyProcess } from "./parley-process.js";

const books = new WeakMap<object, Map<string, string>>();

/** The password a compliant test user gets. */
export function compliantPassword(name: string): string {
  return `${name}-secret`;
}

/** The password phones of `user` use on `parley`: the one addUser gave it, else its name. */
export function passwordOf(parley: object, user: string): string {
  return books.get(parley)?.get(user) ?? user;
}

/** Remember the password a test gave `user` another way (the web UI's form), for the phones. */
export function rememberPassword(parley: object, user: string, password: string): void {
  let book = books.get(parley);
  if (book === undefined) {
    book = new Map();
    books.set(parley, book);
  }
  book.set(user, password);
}

/** POST /api/v1/users with a compliant password (and `fields`), remembered for the phones. */
export async function addUser(
  parley: Pick<ParleyProcess, "api">,
  name: string,
  fields: Record<string, unknown> = {},
): ReturnType<ParleyProcess["api"]> {
  const password = compliantPassword(name);
  const res = await parley.api("POST", "/api/v1/users", { name, password, ...fields });
  if (res.status === 201) rememberPassword(parley, name, password);
  return res;
}
