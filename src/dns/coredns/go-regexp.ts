// Go's regexp (RE2) patterns, as Corefiles write them, in JavaScript: the common syntax is the same; named groups and
// leading inline flags are spelled differently. Patterns that need more (\z, possessive-free RE2 features JS lacks)
// are reported as not modelled instead of being guessed at.

export interface GoRegExp {
  source: string
  re: RegExp
  /** FindStringSubmatch: the match and its groups ('' for a group that did not take part), or undefined. */
  match(text: string): string[] | undefined
  numSubexp: number
}

/** The pattern compiled, or the reason it cannot be. */
export function goRegExp(pattern: string): GoRegExp | string {
  let flags = ''
  let body = pattern
  const inline = /^\(\?([imsU]+)\)/.exec(body)
  if (inline) {
    if (inline[1].includes('U')) return `the (?U) flag of "${pattern}" has no JavaScript equivalent`
    flags = inline[1]
    body = body.slice(inline[0].length)
  }
  if (/\(\?[imsU-]+[:)]/.test(body)) return `inline flags inside "${pattern}" are not modelled`
  if (/\\[zCQE]/.test(body) || /\[\[:/.test(body)) return `"${pattern}" uses RE2 syntax kdisco does not translate`
  body = body.replace(/\(\?P</g, '(?<')
  let re: RegExp
  try {
    re = new RegExp(body, flags)
  } catch (e) {
    return `"${pattern}" is not a regular expression kdisco can read (${(e as Error).message})`
  }
  const numSubexp = new RegExp(`${body}|`, flags).exec('')!.length - 1
  return {
    source: pattern,
    re,
    numSubexp,
    match(text: string) {
      const m = re.exec(text)
      return m ? Array.from(m, (g) => g ?? '') : undefined
    },
  }
}

/** `{0}`, `{1}`… replaced by the groups of a match (CoreDNS's rewrite and template replacement strings). */
export function substituteGroups(template: string, groups: string[]): string {
  let s = template
  for (let i = 0; i < groups.length; i++) s = s.split(`{${i}}`).join(groups[i])
  return s
}
