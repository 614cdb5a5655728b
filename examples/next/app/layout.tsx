import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { Providers } from './providers'
import './styles.css'

export const metadata: Metadata = { title: 'Mizan notes (Next.js)' }

/** The root layout: every page renders inside the Mizan provider. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  )
}
