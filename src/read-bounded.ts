// Reading a file the user named, never more than a bound: a kubeconfig, token file or Corefile that is really
// /dev/zero, a FIFO that never ends, or a 600 MB file is one line, not a hang or an exhausted heap.
import {closeSync, fstatSync, openSync, readSync} from 'node:fs'

/** A file larger than the bound (the caller words the error). */
export class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`larger than ${limit} bytes`)
    this.name = 'TooLarge'
  }
}

/** The bytes of `path`, read in chunks up to `limit` (a regular file's size is checked before reading). */
export function readBounded(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const st = fstatSync(fd)
    if (st.isFile() && st.size > limit) throw new TooLarge(limit)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      // A regular file is read into one buffer of its size (plus a byte, to see it grow); a device or a pipe in chunks.
      const size = st.isFile() && total === 0 ? st.size + 1 : 1 << 20
      const chunk = Buffer.allocUnsafe(Math.max(1, Math.min(size, limit + 1 - total)))
      const n = readSync(fd, chunk, 0, chunk.length, null)
      if (n === 0) break
      total += n
      if (total > limit) throw new TooLarge(limit)
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n))
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)
  } finally {
    closeSync(fd)
  }
}
