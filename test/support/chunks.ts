/** The bytes cut at these offsets (each taken modulo the length + 1): for a property that any chunking reads the same. */
export function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.slice(start, point))
    start = Math.max(start, point)
  }
  return chunks
}
