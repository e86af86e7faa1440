// Counted nouns in messages: "1 pod", "3 pods" (never "pod(s)").

export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`
}
