/**
 * The administrator password of the web UI. On first start a random one is generated, stored as an
 * scrypt hash in `<dataDir>/admin-password` (mode 0600) and printed once by the caller; the
 * `adminPassword` setting (PARLEY_ADMIN_PASSWORD, --admin-password) sets it at start, which is
 * also how a forgotten one is reset. It can be changed through PUT /api/v1/admin-password.
 * Only the hash is kept: `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const ADMIN_PASSWORD_FILE = "admin-password";
export const ADMIN_PASSWORD_MIN_LENGTH = 8;
export const ADMIN_PASSWORD_MAX_LENGTH = 128;

/** OWASP's scrypt floor (N=2^17, r=8, p=1) would cost 128 MiB per sign-in; 2^15 keeps 32 MiB. */
const PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.trim().split("$");
  if (kind !== "scrypt" || salt === undefined || hash === undefined) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((v) => Number.isInteger(v) && v > 0)) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** The reason a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < ADMIN_PASSWORD_MIN_LENGTH)
    return `must be at least ${ADMIN_PASSWORD_MIN_LENGTH} characters`;
  if (password.length > ADMIN_PASSWORD_MAX_LENGTH)
    return `must be at most ${ADMIN_PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

export interface AdminPasswordOptions {
  dataDir: string;
  /** settings.adminPassword: replaces the stored password at start. */
  configured?: string | undefined;
}

export class AdminPassword {
  private constructor(
    private readonly file: string,
    private hash: string,
  ) {}

  /**
   * Loads the stored hash; with `configured`, stores that password instead; with neither, generates
   * one (returned as `generated`, to be printed once).
   */
  static async open(options: AdminPasswordOptions): Promise<{ admin: AdminPassword; generated?: string }> {
    const file = join(options.dataDir, ADMIN_PASSWORD_FILE);
    if (options.configured !== undefined && options.configured !== "") {
      const admin = new AdminPassword(file, "");
      await admin.set(options.configured);
      return { admin };
    }
    const stored = await readStored(file);
    if (stored !== undefined) return { admin: new AdminPassword(file, stored) };
    const generated = randomBytes(12).toString("base64url");
    const admin = new AdminPassword(file, "");
    await admin.set(generated);
    return { admin, generated };
  }

  verify(password: string): Promise<boolean> {
    return verifyPassword(password, this.hash);
  }

  /** Stores a new password (written to a temporary file and renamed, so a crash keeps the old one). */
  async set(password: string): Promise<void> {
    const hash = await hashPassword(password);
    await mkdir(join(this.file, ".."), { recursive: true });
    const temporary = `${this.file}.new`;
    await writeFile(temporary, `${hash}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.file);
    this.hash = hash;
  }
}

async function readStored(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    return text.startsWith("scrypt$") ? text : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
