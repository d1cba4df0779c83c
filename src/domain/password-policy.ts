// What a new portal or console password must be. Length is what matters (NIST SP 800-63B): no composition
// rules, but not the username and not absurdly long (scrypt would still hash it, the form would not care).
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

/** Why `next` cannot be the new password, or undefined when it can. */
export function passwordProblem(next: string, confirm: string, username: string): string | undefined {
  if (next.length < PASSWORD_MIN) return `The new password must have at least ${PASSWORD_MIN} characters.`;
  if (next.length > PASSWORD_MAX) return `The new password must have at most ${PASSWORD_MAX} characters.`;
  if (next !== confirm) return 'The two new passwords differ.';
  if (next.toLowerCase() === username.toLowerCase()) return 'The new password cannot be your username.';
  return undefined;
}
