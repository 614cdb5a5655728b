// @vitest-environment jsdom
import { isMizanError } from '@mizan/client'
import { createMizanReact, MizanProvider } from '@mizan/react'
import { QueryClient } from '@tanstack/react-query'
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DELETED_AT, startErrorsApp, type ErrorsRouter } from '../errors/app.js'

let app: Awaited<ReturnType<typeof startErrorsApp>>
beforeAll(async () => {
  app = await startErrorsApp()
})
afterAll(() => app.server.close())
afterEach(cleanup)

const newQueryClient = () => new QueryClient({ defaultOptions: { queries: { retry: false } } })

describe('declared errors in React, over real HTTP', () => {
  it("gives useQuery's error the declared data, a Date decoded", async () => {
    const client = app.client()
    const api = createMizanReact<ErrorsRouter>(client)
    function Post({ id }: { id: string }) {
      const post = api.posts.byId.useQuery({ id })
      if (post.error?.code === 'GONE') {
        const at: Date = post.error.data.deletedAt
        return <p data-testid="gone">{`${at instanceof Date}:${at.toISOString()}`}</p>
      }
      if (post.error?.code === 'NOT_FOUND') return <p data-testid="missing">{post.error.data.id}</p>
      return <p>{post.data?.title ?? 'loading'}</p>
    }
    render(
      <MizanProvider client={client} queryClient={newQueryClient()}>
        <Post id="gone" />
        <Post id="42" />
      </MizanProvider>,
    )
    expect((await screen.findByTestId('gone')).textContent).toBe(`true:${DELETED_AT.toISOString()}`)
    expect((await screen.findByTestId('missing')).textContent).toBe('42')
  })

  it("gives useMutation's error the declared data, and isMizanError knows the React procedure", async () => {
    const client = app.client()
    const api = createMizanReact<ErrorsRouter>(client)
    let seen: unknown
    function Rename() {
      const rename = api.posts.rename.useMutation({ onError: (error) => (seen = error) })
      return (
        <>
          <button onClick={() => rename.mutate({ id: '1', title: 'taken' })}>rename</button>
          {rename.error?.code === 'CONFLICT' ? <p data-testid="conflict">{`${rename.error.data.current}@${rename.error.data.at.getTime()}`}</p> : null}
        </>
      )
    }
    render(
      <MizanProvider client={client} queryClient={newQueryClient()}>
        <Rename />
      </MizanProvider>,
    )
    await act(async () => screen.getByText('rename').click())
    expect((await screen.findByTestId('conflict')).textContent).toBe(`Taken@${DELETED_AT.getTime()}`)
    expect(isMizanError(seen, api.posts.rename, 'CONFLICT')).toBe(true)
    expect(isMizanError(seen, api.posts.byId, 'NOT_FOUND')).toBe(false)
  })
})
