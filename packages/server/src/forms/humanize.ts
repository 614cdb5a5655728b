/**
 * A label from a key: the last step of a dotted name, words split at `_`, `-` and lower-to-upper
 * case changes, the first letter capitalized (`'address.city'` → `'City'`, `'firstName'` →
 * `'First name'`). Acronyms stay as written (`'USD'`).
 */
export function humanize(name: string): string {
  const last = name.slice(name.lastIndexOf('.') + 1)
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((word) => word !== '')
    .map((word, index) => (index > 0 && word !== word.toUpperCase() ? word.toLowerCase() : word))
  const text = words.join(' ')
  return text === '' ? last : text.charAt(0).toUpperCase() + text.slice(1)
}
