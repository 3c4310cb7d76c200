/**
 * A change signal for the admin UI's live view: the location service (a user came online or went
 * offline), the call engine (a call started, changed state or ended) and API writes call
 * `notify()`; the event stream (routes/events.ts) then sends a fresh snapshot to its clients.
 * Listeners that throw are isolated from each other and from the notifier.
 */
export type ChangeListener = () => void;

export class LiveEvents {
  private readonly listeners = new Set<ChangeListener>();

  get subscribers(): number {
    return this.listeners.size;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly notify = (): void => {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A broken client stream must not stop the registrar or the call engine.
      }
    }
  };
}
