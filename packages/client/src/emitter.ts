/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>()

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.listeners.get(event)
    if (set === undefined) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => void set.delete(listener)
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        listener(...args)
      } catch (error) {
        // A failing listener must not break the call that brought the event, the other listeners,
        // or (in Node, where an uncaught error ends the process) the program.
        console.error('[mizan] an event listener threw:', error)
      }
    }
  }
}
