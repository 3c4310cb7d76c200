import type { DialogId } from "./types.js";

/**
 * The live dialogs of a manager, found by dialog ID (RFC 3261 12: Call-ID, local tag, remote tag).
 * Indexed by Call-ID alone, the tags compared on lookup: a dialog needs no joined key string of
 * its own (issue 13: heap per active call), and a Call-ID rarely has more than one dialog (the
 * early dialogs of a forked INVITE, RFC 3261 12.1.2).
 */
export class DialogIndex<D extends DialogId> {
  private readonly byCallId = new Map<string, D | D[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  find(callId: string, localTag: string, remoteTag: string): D | undefined {
    const entry = this.byCallId.get(callId);
    if (entry === undefined) return undefined;
    if (!Array.isArray(entry)) return matches(entry, localTag, remoteTag) ? entry : undefined;
    return entry.find((d) => matches(d, localTag, remoteTag));
  }

  /** Adds `dialog`; a dialog with the same ID is replaced. */
  add(dialog: D): void {
    const { callId, localTag, remoteTag } = dialog;
    const entry = this.byCallId.get(callId);
    if (entry === undefined) {
      this.byCallId.set(callId, dialog);
    } else if (!Array.isArray(entry)) {
      if (matches(entry, localTag, remoteTag)) {
        this.byCallId.set(callId, dialog);
        return;
      }
      this.byCallId.set(callId, [entry, dialog]);
    } else {
      const i = entry.findIndex((d) => matches(d, localTag, remoteTag));
      if (i >= 0) {
        entry[i] = dialog;
        return;
      }
      entry.push(dialog);
    }
    this.count++;
  }

  /** Removes `dialog` if it is the one indexed under its ID. */
  remove(dialog: D): void {
    const entry = this.byCallId.get(dialog.callId);
    if (entry === dialog) {
      this.byCallId.delete(dialog.callId);
      this.count--;
      return;
    }
    if (!Array.isArray(entry)) return;
    const i = entry.indexOf(dialog);
    if (i < 0) return;
    entry.splice(i, 1);
    if (entry.length === 1) this.byCallId.set(dialog.callId, entry[0] as D);
    this.count--;
  }

  /** Every dialog, in no particular order. */
  all(): D[] {
    const out: D[] = [];
    for (const entry of this.byCallId.values()) {
      if (Array.isArray(entry)) out.push(...entry);
      else out.push(entry);
    }
    return out;
  }
}

function matches(dialog: DialogId, localTag: string, remoteTag: string): boolean {
  return dialog.localTag === localTag && dialog.remoteTag === remoteTag;
}
