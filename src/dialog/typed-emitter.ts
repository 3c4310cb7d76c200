/**
 * A small typed event emitter (mediasoup style: events are typed maps). A listener that throws
 * never breaks the emitter's caller: the error goes to `onListenerError` and the other listeners
 * still run, so a bug in the TU cannot corrupt dialog state.
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Array<(event: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let list = this.listeners.get(name);
    if (list === undefined) {
      list = [];
      this.listeners.set(name, list);
    }
    list.push(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    const remove = this.on(name, (event) => {
      remove();
      listener(event);
    });
    return remove;
  }

  off<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): void {
    const list = this.listeners.get(name);
    if (list === undefined) return;
    const i = list.indexOf(listener as (event: never) => void);
    if (i >= 0) list.splice(i, 1);
  }

  /** Removes every listener (on close). */
  removeAllListeners(): void {
    this.listeners.clear();
  }

  /** Calls each listener of `name` in order (internal to the dialog layer). */
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const list = this.listeners.get(name);
    if (list === undefined || list.length === 0) return;
    for (const listener of [...list]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
