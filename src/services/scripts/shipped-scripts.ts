/**
 * The scripts Parley ships (issue 18: the calling card, and the examples: call screening, a
 * time-of-day router, a caller-ID lookup), in the repository's `lua/` folder. At start each one
 * the data directory's `scripts/` lacks is copied there, so it can be triggered, routed to and
 * edited like the administrator's own; an edited or deleted-and-rewritten copy is never
 * overwritten (a deleted one comes back at the next start, as the calling card needs its script).
 */
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const SHIPPED_SCRIPTS_DIR = fileURLToPath(new URL("../../../lua", import.meta.url));

/** Copies the shipped scripts `dir` lacks; the names copied. */
export async function installShippedScripts(dir: string, from = SHIPPED_SCRIPTS_DIR): Promise<string[]> {
  let shipped: string[];
  try {
    shipped = (await readdir(from)).filter((f) => f.endsWith(".lua"));
  } catch {
    return [];
  }
  await mkdir(dir, { recursive: true });
  const present = new Set(await readdir(dir));
  const copied: string[] = [];
  for (const file of shipped) {
    if (present.has(file)) continue;
    // COPYFILE_EXCL: a script written meanwhile is never replaced.
    await copyFile(join(from, file), join(dir, file), 1).then(
      () => copied.push(file.slice(0, -4)),
      () => {},
    );
  }
  return copied;
}
