/** Turns an environment variable's text into the type its setting validates as. */
export const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

export const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};

/** The entries of a comma-separated variable, trimmed, empty ones left out. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** A name of the contract (room or event: 1–64 of `A-Z a-z 0-9 _ . : -`), exact or ending in `*`. */
const NAME_PATTERN = /^[A-Za-z0-9_.:-]{0,64}\*?$/;

/** The line that refuses `variable` when one of its `patterns` is no `what` pattern; else none. */
export function namePatternProblems(variable: string, patterns: string[], what: string): string[] {
  const bad = patterns.filter((pattern) => !NAME_PATTERN.test(pattern));
  return bad.length === 0
    ? []
    : [`${variable}: ${bad.join(', ')} is not ${what}, exact or ending in *`];
}
