/** `mobileNo2` / `Mobile_No` -> ['mobile', 'no', '2']: the words a name pattern is matched against. */
export function tokenizeName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])([0-9])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** How many words the phrase matches in a row inside `words` (0: not at all). */
export function matchPhrase(words: string[], phrase: string): number {
  const parts = phrase.split('_');
  for (let start = 0; start + parts.length <= words.length; start++) {
    if (parts.every((part, offset) => words[start + offset] === part)) return parts.length;
  }
  return 0;
}
