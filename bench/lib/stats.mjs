// How rounds become one figure. The median, not the mean: one round disturbed by another process
// moves it little.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** null if any value is (a reading /proc could not give): a median of the rest would mislead. */
export function medianOrNull(values) {
  return values.some((value) => value === null) ? null : median(values)
}

export function maxOrNull(values) {
  return values.some((value) => value === null) ? null : Math.max(...values)
}
