// Deterministic payloads for bench/serialize.mjs. Each payload comes in two variants that carry the
// same information:
//  - `special`: Dates in every row, one Map and one BigInt, as a handler would return them;
//  - `plain`:   the same values in JSON types only — each Date as its ISO string, the Map as an
//               array of [key, value] entries, the BigInt as a decimal string.
// `plain` is exactly superjson's `json` part of `special` (serialize.mjs checks this), so the JSON
// floor of both variants is the same text.

/** mulberry32: a small seeded PRNG, so every run builds the same payloads. */
function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna ' +
  'aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute ' +
  'irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident'
).split(' ')
const TAGS = ['typescript', 'rpc', 'react', 'node', 'http', 'cache', 'websocket', 'zod', 'testing', 'performance', 'design', 'release']
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Leslie']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Lamport']
const CATEGORIES = ['tools', 'garden', 'kitchen', 'office', 'outdoor', 'toys', 'books', 'audio']

const EPOCH = Date.UTC(2024, 0, 1)
const YEAR_MS = 365 * 24 * 3600 * 1000

/** A Date, or its ISO string in the plain variant. */
const when = (special, ms) => (special ? new Date(ms) : new Date(ms).toISOString())
/** A Map, or its entries in the plain variant (superjson's `json` for a Map). */
const map = (special, entries) => (special ? new Map(entries) : entries)
/** A BigInt, or its decimal string in the plain variant (superjson's `json` for a BigInt). */
const big = (special, digits) => (special ? BigInt(digits) : digits)

function words(rand, count) {
  const out = []
  for (let i = 0; i < count; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)])
  return out.join(' ')
}

/** About `length` characters of text, ending on a full stop. */
function text(rand, length) {
  let out = ''
  while (out.length < length) out += (out ? ' ' : '') + words(rand, 8 + Math.floor(rand() * 6)) + '.'
  return out[0].toUpperCase() + out.slice(1)
}

const pick = (rand, list) => list[Math.floor(rand() * list.length)]
const money = (rand, max) => Math.round(rand() * max * 100) / 100

/** One user profile: a dozen fields, two nested objects. */
function small(special) {
  const rand = random(1)
  return {
    id: 4217,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    role: 'admin',
    active: true,
    score: 87.5,
    tags: ['beta', 'staff', 'eu'],
    address: { street: '12 Analytical Way', city: 'London', country: 'GB', postcode: 'NW1 6XE' },
    createdAt: when(special, EPOCH + Math.floor(rand() * YEAR_MS)),
    lastLoginAt: when(special, EPOCH + YEAR_MS + Math.floor(rand() * YEAR_MS)),
    preferences: map(special, [
      ['theme', 'dark'],
      ['locale', 'en-GB'],
      ['digest', 'weekly'],
    ]),
    balanceMicros: big(special, '9007199254740993123'),
  }
}

/** A page of 100 posts, each with a ~200-character body, tags, an author and counts. */
function posts(special) {
  const rand = random(2)
  const items = []
  const tagCounts = new Map()
  for (let i = 0; i < 100; i++) {
    const tags = []
    const tagCount = 2 + Math.floor(rand() * 3)
    while (tags.length < tagCount) {
      const tag = pick(rand, TAGS)
      if (!tags.includes(tag)) tags.push(tag)
    }
    for (const tag of tags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1)
    const title = text(rand, 40).slice(0, -1)
    const authorId = 1 + Math.floor(rand() * 50)
    items.push({
      id: 10_000 + i,
      slug: title.toLowerCase().replaceAll(' ', '-').slice(0, 48),
      title,
      body: text(rand, 200),
      tags,
      author: {
        id: authorId,
        name: `${pick(rand, FIRST)} ${pick(rand, LAST)}`,
        avatarUrl: `https://cdn.example.com/avatars/${authorId}.png`,
      },
      counts: { likes: Math.floor(rand() * 500), comments: Math.floor(rand() * 80), views: Math.floor(rand() * 20_000) },
      published: rand() < 0.9,
      createdAt: when(special, EPOCH + Math.floor(rand() * YEAR_MS)),
    })
  }
  return {
    items,
    nextCursor: 'eyJpZCI6MTAwOTl9',
    total: big(special, '12345678901234567'),
    tagCounts: map(special, [...tagCounts].sort(([a], [b]) => (a < b ? -1 : 1))),
  }
}

/** 1,000 rows of numbers and strings, as a data grid or a report would fetch them. */
function table(special) {
  const rand = random(3)
  const rows = []
  const byCategory = new Map(CATEGORIES.map((category) => [category, 0]))
  for (let i = 0; i < 1000; i++) {
    const category = pick(rand, CATEGORIES)
    byCategory.set(category, byCategory.get(category) + 1)
    rows.push({
      id: i + 1,
      sku: `SKU-${String(100_000 + Math.floor(rand() * 900_000))}`,
      name: words(rand, 3),
      category,
      price: money(rand, 500),
      quantity: Math.floor(rand() * 1000),
      discount: Math.round(rand() * 50) / 100,
      inStock: rand() < 0.8,
      updatedAt: when(special, EPOCH + Math.floor(rand() * YEAR_MS)),
    })
  }
  return {
    columns: ['id', 'sku', 'name', 'category', 'price', 'quantity', 'discount', 'inStock', 'updatedAt'],
    rows,
    generatedAt: when(special, EPOCH + 2 * YEAR_MS),
    totalValueMicros: big(special, '48213379012345678901'),
    byCategory: map(special, [...byCategory]),
  }
}

export const PAYLOADS = [
  { name: 'small', label: 'small object', describe: 'one user profile, 12 fields', build: small },
  { name: 'posts', label: '100 posts', describe: '100 posts: ~200-char body, tags, author, counts', build: posts },
  { name: 'table', label: '1,000 rows', describe: '1,000 rows × 9 columns of numbers and strings', build: table },
]

/** Special types in each payload's `special` variant, for the printed description. */
export const SPECIAL_NOTE = 'special: a Date in every row (+1 top-level in table, 2 in small), one Map, one BigInt'
