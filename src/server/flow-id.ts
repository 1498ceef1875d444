/** Store ids double as file names (`<id>.json`), so they are stricter than the document's id pattern. */

/** No leading dot (hidden/temp files), no `:` or `/` (not portable in file names). */
export const STORE_ID_PATTERN = '^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$';
const STORE_ID = new RegExp(STORE_ID_PATTERN);

export function storeIdProblem(id: string): string | undefined {
  if (!STORE_ID.test(id)) {
    return `flow id "${id}" cannot be used as a file name: use 1-128 letters, digits, "-", "_" or "." (not first)`;
  }
  // `<id>.meta.json` holds a flow's revision.
  if (/\.meta$/i.test(id)) return `flow id "${id}" may not end in ".meta"`;
  return undefined;
}

/** A readable id from the flow's name, e.g. "Sensors to Kafka" -> "sensors-to-kafka". */
export function slugId(name: unknown): string {
  const slug =
    typeof name === 'string'
      ? name
          .toLowerCase()
          .normalize('NFKD')
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 60)
      : '';
  return slug || 'flow';
}

/** `base`, else `base-2`, `base-3`, ... whichever `taken` says is free. */
export function freeId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base.slice(0, 120)}-${n}`;
    if (!taken(id)) return id;
  }
}
