/**
 * A breakpoint's hit condition, tested against how often its condition has held so far (1 on the first hit):
 * `5` or `== 5` the fifth hit only, `>= 5` `> 5` `<= 5` `< 5` as written, `% 2` every second hit.
 */
export type HitTest = (hits: number) => boolean;

const PATTERN = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/;

/** The test for a hit condition, or an error message for the user. */
export function parseHitCondition(text: string): HitTest | string {
  const m = PATTERN.exec(text);
  if (!m) return `hit condition '${text}' is not one of: 5, == 5, >= 5, > 5, <= 5, < 5, % 5`;
  const n = Number(m[2]);
  switch (m[1]) {
    case undefined:
    case '==': return (h) => h === n;
    case '>=': return (h) => h >= n;
    case '>': return (h) => h > n;
    case '<=': return (h) => h <= n;
    case '<': return (h) => h < n;
    default:
      if (n === 0) return `hit condition '${text}': '% 0' is never true`;
      return (h) => h % n === 0;
  }
}
