// The line kdisco prints for a bug (exit 4), wherever it is caught: the command's catch or the process guard. No
// imports: the guard loads before anything else.

/** Where bugs go; package.json's `bugs.url` (test/internal-error.test.ts keeps the two equal). */
export const ISSUES_URL = 'https://github.com/kdisco/kdisco/issues'

/** "Error: Internal error: <first line of the message>. Please report it at …", control characters (and bidi controls) as spaces. */
export function internalErrorLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const first = message.split('\n')[0].replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, ' ')
  return `Error: Internal error: ${first}. Please report it at ${ISSUES_URL} (KDISCO_DEBUG=1 shows the stack).`
}
