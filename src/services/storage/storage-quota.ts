/**
 * A tenant's storage limit (issue 21: "limits ... storage for voicemail and recordings"): the
 * bytes of its voicemail and call recordings, summed from the disk now and then (a walk of two
 * folders, never on a call's path) and after each message or recording, against its limit. At the
 * limit, new messages and recordings are refused (the call goes on as if the user took none) and a
 * warning says why; what is stored is never touched.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../util/logger.js";

export interface StorageQuotaOptions {
  /** The folders whose files count (`<dataDir>/voicemail`, `<dataDir>/recordings`). */
  readonly folders: readonly string[];
  /** The limit in MB, read at each check; undefined: none. */
  readonly limitMb: () => number | undefined;
  readonly logger: Logger;
  /** How often the sum is taken again, ms. */
  readonly intervalMs?: number;
}

export class StorageQuota {
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private measuring: Promise<void> | undefined;
  private warned = false;

  constructor(private readonly o: StorageQuotaOptions) {}

  /** Bytes used at the last measure. */
  get bytes(): number {
    return this.used;
  }

  /** True when new messages and recordings must be refused. */
  full(): boolean {
    const limit = this.o.limitMb();
    if (limit === undefined) return false;
    const isFull = this.used >= limit * 1024 * 1024;
    if (isFull && !this.warned)
      this.o.logger.warn(
        { usedMb: Math.round(this.used / 1048576), limitMb: limit },
        "storage limit reached: new voicemail and recordings are refused",
      );
    this.warned = isFull;
    return isFull;
  }

  /** Measures now and every interval (also without a limit, so one set later applies at once). */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.measure(), this.o.intervalMs ?? 60_000);
    this.timer.unref();
    return this.measure();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sums the folders again (one walk at a time). */
  measure(): Promise<void> {
    this.measuring ??= (async () => {
      let total = 0;
      for (const folder of this.o.folders) total += await folderBytes(folder);
      this.used = total;
    })().finally(() => {
      this.measuring = undefined;
    });
    return this.measuring;
  }
}

async function folderBytes(folder: string): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile())
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
