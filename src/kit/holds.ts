/**
 * Messages a node holds on a timer (delay, rate-limit waiting). Each hold is the promise its `handle` returns, so the
 * message's lineage stays open and counts against its source's in-flight window until the timer passes it on. At
 * stop, what is still held is let go without being passed on: the engine has nacked those lineages by then (past
 * the drain deadline) and their sources redeliver them.
 */
interface Held {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

export class Holds {
  private readonly held = new Set<Held>();

  get size(): number {
    return this.held.size;
  }

  /** Runs `pass` after `ms`, then resolves; `pass` throwing rejects (the message fails). */
  hold(ms: number, pass: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const h: Held = {
        resolve,
        timer: setTimeout(() => {
          this.held.delete(h);
          try {
            pass();
            resolve();
          } catch (err) {
            reject(err);
          }
        }, ms),
      };
      this.held.add(h);
    });
  }

  /** Stop: clear every timer and let the holds end without passing their messages on. */
  release(): void {
    for (const h of this.held) {
      clearTimeout(h.timer);
      h.resolve();
    }
    this.held.clear();
  }
}
