/** MQTT topic filter rules (MQTT 3.1.1 §4.7, MQTT 5 §4.8.2 shared subscriptions). Pure: the editor lints with it. */

/** Why `filter` is not a valid subscription, or undefined when it is. */
export function filterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter cannot be empty';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain the NUL character';
  let body = filter;
  if (filter.startsWith('$share/')) {
    const rest = filter.slice('$share/'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return 'a shared subscription is `$share/<group>/<filter>`';
    const group = rest.slice(0, slash);
    if (/[+#]/.test(group)) return 'a shared subscription group cannot contain + or #';
    body = rest.slice(slash + 1);
    if (body.length === 0) return 'a shared subscription needs a filter after the group';
  }
  const levels = body.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return '`#` must be a whole level and the last one (e.g. `sensors/#`)';
    }
    if (level.includes('+') && level !== '+') return '`+` must be a whole level (e.g. `sensors/+/temp`)';
  }
  return undefined;
}
