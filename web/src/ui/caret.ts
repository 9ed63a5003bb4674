/**
 * Where a caret at `pos` in `before` belongs in `after`, when the text changed around it (another
 * device's edit merged in): before the changed part it stays put, after it it moves by the change.
 */
export function caretAfterChange(before: string, after: string, pos: number): number {
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  if (pos <= prefix) return pos;
  let suffix = 0;
  while (suffix < max - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  if (pos >= before.length - suffix) return pos + after.length - before.length;
  return Math.min(after.length, Math.max(prefix, pos + after.length - before.length));
}
