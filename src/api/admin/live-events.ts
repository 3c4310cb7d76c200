/**
 * A change signal for the admin UI's live view: the location service (a user came online or went
 * offline), the call engine (a call started, changed state or ended) and the lines call
 * `notify()`; a write through the API calls `notify("config")` (users, lines or trunks may have
 * changed). The event stream (routes/events.ts) then sends a fresh snapshot to its clients.
 * Listeners that throw are isolated from each other and from the notifier.
 */
export type ChangeKind = "state" | "config";
export type ChangeListener = (kind: ChangeKind) => void;

export class LiveEvents {
  private readonly listeners = new Set<ChangeListener>();

  get subscribers(): number {
    return this.listeners.size;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly notify = (kind: ChangeKind = "state"): void => {
    for (const listener of this.listeners) {
      try {
        listener(kind);
      } catch {
        // A broken client stream must not stop the registrar or the call engine.
      }
    }
  };
}
