/** Readable, unique node and connection ids (`transform-2`), valid under the flow schema's id pattern. */

export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'node';
}

/** The first `base-N` (N >= 1) not in `taken`. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const b = slug(base);
  for (let i = 1; ; i++) {
    const id = `${b}-${i}`;
    if (!taken.has(id)) return id;
  }
}
