/** The example's database: a few posts in memory. */
export interface Post {
  id: string
  title: string
  /** The text of the post: shown in its detail view only, so the list never fetches it. */
  body: string
  author: string
  createdAt: Date
  /** The attached image, when there is one: served by `posts.image`. */
  image?: { type: string; size: number }
}

/** A message sent through the feedback form. */
export interface Feedback {
  id: string
  name: string
  email: string
  topic: 'praise' | 'bug' | 'idea'
  message: string
  city: string
  /** The attached screenshot's name and size, when there was one. */
  screenshot?: { name: string; size: number }
  at: Date
}

/** An attached image, kept in memory with its post. */
interface StoredImage {
  bytes: Uint8Array<ArrayBuffer>
  type: string
  name: string
}

export class Db {
  private posts: Post[] = [
    {
      id: '1',
      title: 'Hello, Mizan',
      body: 'Every procedure here declares what it means: who may call it, what a mutation affects, which queries are contexts. The page acts on it by itself.',
      author: 'Alice',
      createdAt: new Date('2026-11-01T09:00:00Z'),
    },
    {
      id: '2',
      title: 'Mutations declare what they affect',
      body: 'Publish a post and the list refreshes, in this tab and in every other one, because posts.create affects posts.list. No component invalidates anything by hand.',
      author: 'Sam',
      createdAt: new Date('2026-11-02T09:00:00Z'),
    },
  ]
  private nextId = 3
  private images = new Map<string, StoredImage>()
  private feedback: Feedback[] = [
    { id: 'f1', name: 'Grace', email: 'grace@example.com', topic: 'praise', message: 'The list refreshed by itself. Nice.', city: 'Arlington', at: new Date('2026-11-03T10:00:00Z') },
  ]

  page(page: number, size = 10): { items: Post[]; page: number; pages: number } {
    const sorted = [...this.posts].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    return { items: sorted.slice((page - 1) * size, page * size), page, pages: Math.max(1, Math.ceil(sorted.length / size)) }
  }

  get(id: string): Post | undefined {
    return this.posts.find((post) => post.id === id)
  }

  create(author: string, title: string, body: string, image?: StoredImage): Post {
    const post: Post = { id: String(this.nextId++), title, body, author, createdAt: new Date() }
    if (image !== undefined) {
      this.images.set(post.id, image)
      post.image = { type: image.type, size: image.bytes.byteLength }
    }
    this.posts.push(post)
    return post
  }

  image(id: string): StoredImage | undefined {
    return this.images.get(id)
  }

  remove(id: string): boolean {
    const before = this.posts.length
    this.posts = this.posts.filter((post) => post.id !== id)
    this.images.delete(id)
    return this.posts.length < before
  }

  /** The latest feedback first. */
  recentFeedback(limit = 5): Feedback[] {
    return [...this.feedback].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit)
  }

  /** True when this address has sent feedback already (compared without case). */
  hasFeedbackFrom(email: string): boolean {
    return this.feedback.some((entry) => entry.email.toLowerCase() === email.toLowerCase())
  }

  addFeedback(entry: Omit<Feedback, 'id' | 'at'>): Feedback {
    const saved = { ...entry, id: `f${this.feedback.length + 1}`, at: new Date() }
    this.feedback.push(saved)
    return saved
  }
}
