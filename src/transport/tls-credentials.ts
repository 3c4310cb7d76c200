import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate } from "selfsigned";

/** A certificate and private key in PEM form, with where they came from. */
export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** True when this call generated the pair (first start with no configured certificate). */
  readonly generated: boolean;
}

/** Where the auto-generated pair lives under the data directory. */
export function selfSignedPaths(dataDir: string): { certFile: string; keyFile: string } {
  const dir = join(dataDir, "tls");
  return { certFile: join(dir, "parley-cert.pem"), keyFile: join(dir, "parley-key.pem") };
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === "ENOENT";
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function writeAtomically(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, file);
}

/**
 * Load the configured certificate and key, or (with only a data directory) the self-signed pair
 * generated on first start and reused afterwards, so clients that pinned it keep working.
 */
export async function loadTlsCredentials(options: {
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly dataDir?: string;
}): Promise<TlsCredentials> {
  if (options.tls) {
    const { certFile, keyFile } = options.tls;
    const [cert, key] = await Promise.all([readFile(certFile, "utf8"), readFile(keyFile, "utf8")]);
    return { cert, key, certFile, keyFile, generated: false };
  }
  if (!options.dataDir) {
    throw new Error(
      "a TLS listener needs tls.certFile/tls.keyFile or a dataDir for a self-signed certificate",
    );
  }
  const { certFile, keyFile } = selfSignedPaths(options.dataDir);
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (cert !== undefined && key !== undefined) return { cert, key, certFile, keyFile, generated: false };
  if (cert !== undefined || key !== undefined) {
    throw new Error(`only one of ${certFile} and ${keyFile} exists: remove it or restore the other`);
  }
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: "commonName", value: "parley" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  await mkdir(join(options.dataDir, "tls"), { recursive: true, mode: 0o700 });
  await writeAtomically(keyFile, pems.private, 0o600);
  await writeAtomically(certFile, pems.cert, 0o644);
  return { cert: pems.cert, key: pems.private, certFile, keyFile, generated: true };
}
