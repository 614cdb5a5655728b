// The page layout. Each card reads its own data; none refreshes another by hand.
import { Suspense } from 'react'
import { Announcements } from './components/Announcements.js'
import { Chat } from './components/Chat.js'
import { ErrorBoundary } from './components/ErrorBoundary.js'
import { Feedback } from './components/Feedback.js'
import { Greeting } from './components/Greeting.js'
import { Header } from './components/Header.js'
import { Posts } from './components/Posts.js'

export function App() {
  return (
    <Suspense fallback={<p className="page-loading">Loading…</p>}>
      <Header />
      <main className="layout">
        <div className="main-column">
          <ErrorBoundary>
            <Posts />
          </ErrorBoundary>
          <ErrorBoundary>
            <Feedback />
          </ErrorBoundary>
        </div>
        <aside className="sidebar">
          <ErrorBoundary>
            <Chat />
          </ErrorBoundary>
          <ErrorBoundary>
            <Greeting />
          </ErrorBoundary>
          <Announcements />
        </aside>
      </main>
    </Suspense>
  )
}
