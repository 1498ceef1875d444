/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on this machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
