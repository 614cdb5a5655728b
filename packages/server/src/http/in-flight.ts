/** Counts running requests so `close()` can wait for them; a counter, not a set of promises, to stay cheap per request. */
export class InFlight {
  private count = 0
  private waiters: (() => void)[] = []

  begin(): void {
    this.count++
  }

  end(): void {
    if (--this.count === 0 && this.waiters.length > 0) {
      for (const wake of this.waiters.splice(0)) wake()
    }
  }

  /** Resolves when no request is running. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve))
  }
}
