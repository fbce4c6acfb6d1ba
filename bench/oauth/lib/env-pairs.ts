/** `--ours-env NAME=VALUE` flags as an environment object (benchmark-only overrides, labelled in the output). */
export function envPairs(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const index = pair.indexOf('=');
      if (index < 1) throw new Error(`--ours-env takes NAME=VALUE, got ${pair}`);
      return [pair.slice(0, index), pair.slice(index + 1)];
    }),
  );
}
