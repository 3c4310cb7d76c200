type Listener = (event: never) => void;

/**
 * A small typed event emitter (mediasoup style: events are typed maps). A listener that throws
 * never breaks the emitter's caller: the error goes to `onListenerError` and the other listeners
 * still run, so a bug in the TU cannot corrupt dialog state.
 *
 * Every active call holds several emitters (its dialogs, its INVITEs), most with a handful of
 * listeners, so they are kept in one flat array per emitter, made on the first `on()`: no map
 * and no array per event name (issue 13: heap per active call).
 */
export class TypedEmitter<Events extends object> {
  /**
   * Pairs `name, listener, name, listener, ...` in the order added; undefined while there are
   * none. Replaced, never changed in place: an emit in progress goes on over the array it
   * started with, so a listener added or removed by a listener takes effect from the next emit.
   */
  private listeners: ReadonlyArray<keyof Events | Listener> | undefined;

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    const list = this.listeners;
    // concat() sizes the new array exactly (a spread leaves room to grow).
    this.listeners = list === undefined ? [name, listener] : list.concat(name, listener);
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

  /** Removes one registration of `listener` for `name` (the earliest), if any. */
  off<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): void {
    const list = this.listeners;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] !== name || list[i + 1] !== listener) continue;
      if (list.length === 2) {
        this.listeners = undefined;
        return;
      }
      const next = list.slice();
      next.splice(i, 2);
      this.listeners = next;
      return;
    }
  }

  /** Removes every listener (on close). */
  removeAllListeners(): void {
    this.listeners = undefined;
  }

  /** Calls each listener of `name` in the order added (internal to the dialog layer). */
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const list = this.listeners;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] !== name) continue;
      try {
        (list[i + 1] as (event: Events[K]) => void)(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
