/** Waiting on work that may never finish (a node's or a client's stop): at most so long, then going on without it. */

/** Resolves true when `work` finished (either way) within `ms`, false when the time ran out first. */
export function finishedWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}
