/**
 * A conservative static check for regular expressions compiled from a config (include/exclude
 * lists). JavaScript's engine backtracks, so a pattern such as `(a+)+b` takes exponential time on a
 * non-matching name, and `a*a*a*a*a*` polynomial time; both would freeze the worker's one thread at
 * every start. Refused, with the reason: backreferences; a group repeated without a small bound
 * that contains a quantifier or an alternation (nested quantifiers); more than
 * MAX_UNBOUNDED_QUANTIFIERS unbounded or MAX_VARIABLE_QUANTIFIERS variable quantifiers in one pattern. Identifiers are at most a few
 * hundred characters, so what remains runs in well under a millisecond per name.
 */

export const MAX_UNBOUNDED_QUANTIFIERS = 3;
/** Quantifiers of any kind that leave a choice (?, *, +, {n,m} with m > n): each multiplies the ways to fail. */
export const MAX_VARIABLE_QUANTIFIERS = 5;
/** `{n,m}` with m above this counts as unbounded. */
const SMALL_BOUND = 16;

interface Group {
  /** The group (or something in it) has a quantifier. */
  quantified: boolean;
  alternation: boolean;
}

/** Reads a quantifier at `i`: its length and whether it is unbounded (0 when there is none). */
function quantifierAt(p: string, i: number): { length: number; unbounded: boolean; repeats: boolean; variable: boolean } {
  const c = p[i];
  let length = 0;
  let unbounded = false;
  let repeats = false;
  let variable = true;
  if (c === '*' || c === '+') {
    length = 1;
    unbounded = true;
    repeats = true;
  } else if (c === '?') length = 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
    if (!m) return { length: 0, unbounded: false, repeats: false, variable: false };
    length = m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    unbounded = max > SMALL_BOUND;
    repeats = max > 1;
    variable = max > min;
  }
  if (length > 0 && (p[i + length] === '?' || p[i + length] === '+')) length++; // lazy / possessive
  return { length, unbounded, repeats, variable };
}

/** Why the pattern could backtrack catastrophically, or undefined when it cannot. */
export function backtrackingRisk(pattern: string): string | undefined {
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let unbounded = 0;
  let variable = 0;
  let i = 0;
  // Whether the atom just closed was a group, and what it contained.
  let lastGroup: Group | null = null;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let atomEnd = i + 1;
    lastGroup = null;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') return 'backreferences are not allowed';
      atomEnd = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      i++;
      continue;
    } else if (c === ')') {
      if (stack.length > 1) {
        lastGroup = stack.pop()!;
        // What a group holds counts for its enclosing groups too.
        const parent = stack[stack.length - 1]!;
        parent.quantified ||= lastGroup.quantified;
        parent.alternation ||= lastGroup.alternation;
      }
    } else if (c === '|') {
      stack[stack.length - 1]!.alternation = true;
      i++;
      continue;
    }
    const q = quantifierAt(pattern, atomEnd);
    if (q.length > 0) {
      if (q.unbounded) unbounded++;
      if (q.variable) variable++;
      if (lastGroup && q.repeats && (q.unbounded || lastGroup.quantified) && (lastGroup.quantified || lastGroup.alternation)) {
        return lastGroup.quantified
          ? 'a repeated group contains a quantifier (nested quantifiers backtrack exponentially)'
          : 'a repeated group contains an alternation (use a character class, or repeat nothing around it)';
      }
      stack[stack.length - 1]!.quantified = true;
      atomEnd += q.length;
    }
    i = atomEnd;
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    return `more than ${MAX_UNBOUNDED_QUANTIFIERS} unbounded quantifiers (*, +, {n,}) can backtrack for a long time`;
  }
  if (variable > MAX_VARIABLE_QUANTIFIERS) {
    return `more than ${MAX_VARIABLE_QUANTIFIERS} quantifiers (?, *, +, {n,m}) can backtrack for a long time`;
  }
  return undefined;
}
