/** "1 error", "2 errors" ("branch" → "branches"). */
export function plural(n: number, word: string): string {
  const many = /(s|sh|ch|x)$/.test(word) ? `${word}es` : `${word}s`;
  return `${n} ${n === 1 ? word : many}`;
}
