// The notes "database": in memory, one per process (see process-wide.ts). A real app would use its
// database client here; nothing else in the example would change.
import { processWide } from './process-wide'

/** One note as the API returns it. `createdAt` stays a `Date` on the client (superjson). */
export type Note = { id: string; text: string; author: string; createdAt: Date }

/** An in-memory list of notes, newest first. */
export class NoteStore {
  private readonly notes: Note[] = []
  private nextId = 1

  /** Every note, newest first: a copy, so callers cannot change the store by accident. */
  list(): Note[] {
    return this.notes.map((note) => ({ ...note }))
  }

  /** Adds a note and returns it. */
  add(author: string, text: string): Note {
    const note: Note = { id: String(this.nextId++), text, author, createdAt: new Date() }
    this.notes.unshift(note)
    return { ...note }
  }
}

/** The process's store, seeded with one note so a fresh server has something to render. */
export const notes = processWide('notes', () => {
  const store = new NoteStore()
  store.add('Mizan', 'Welcome: this list was rendered on the server.')
  return store
})
