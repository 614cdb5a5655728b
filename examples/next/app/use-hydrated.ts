'use client'
// Whether React has hydrated the page. Buttons stay disabled in the server HTML and until then, so
// a click that comes before the scripts cannot submit a form the old-fashioned way.
import { useSyncExternalStore } from 'react'

const subscribe = () => () => {}

/** `false` while server-rendering and hydrating, `true` once the page is interactive. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  )
}
