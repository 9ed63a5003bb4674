/** The notes a benchmark imports through the app's Import: `count` notes of about 150 characters, titled `${prefix} ${i}`. */
export function benchNotes(count: number, prefix: string): { title: string; body: string }[] {
  return Array.from({ length: count }, (_, i) => ({ title: `${prefix} ${i}`, body: `Body of ${prefix} ${i}, about kyoto and budgets. `.repeat(3) }));
}
