// @vitest-environment jsdom
import { createClient, type UploadProgress } from '@mizan/client'
import { createMizanReact, MizanProvider } from '@mizan/react'
import { QueryClient, useMutation, useQuery } from '@tanstack/react-query'
import { act, cleanup, render, screen } from '@testing-library/react'
import { Blob as NodeBlob } from 'node:buffer'
import * as React from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeXhr } from '../client/fake-xhr.js'
import { fakeFetch, json, until, type FilesRouter } from '../client/files-support.js'

// A browser-like page: uploads with progress go through XMLHttpRequest (a fake one, answered by
// the test), queries through fetch (a fake server holding a list of posts).

beforeEach(() => {
  FakeXhr.made = []
  vi.stubGlobal('XMLHttpRequest', FakeXhr)
})
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

function setup() {
  const titles = ['First']
  const { fetch, seen } = fakeFetch(() => json({ data: { items: [...titles] } }))
  const client = createClient<FilesRouter>({ url: 'http://files.test/api/mizan', fetch })
  const api = createMizanReact<FilesRouter>(client)
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const listFetches = () => seen.filter((request) => request.url.includes('posts.list')).length
  /** The server stores the post and answers the upload, announcing what it changed. */
  const answerUpload = (title: string) => {
    titles.push(title)
    const body = JSON.stringify({ data: { title } })
    // The page's XHR hands back a Blob the runtime's Response can read.
    FakeXhr.made[0]!.respond(200, body, { 'content-type': 'application/json', 'x-mizan-invalidate': '[{"path":"posts.list"}]' }, NodeBlob as typeof Blob)
  }
  const view = (ui: React.ReactNode) =>
    render(
      <MizanProvider client={client} queryClient={queryClient}>
        {ui}
      </MizanProvider>,
    )
  return { api, view, listFetches, answerUpload }
}

describe('uploads from React', () => {
  for (const via of ['useMutation', 'mutationOptions'] as const) {
    it(`reports progress, and refetches the affected query after the upload (${via})`, async () => {
      const { api, view, listFetches, answerUpload } = setup()
      const reports: UploadProgress[] = []
      function Posts() {
        const posts = useQuery(api.posts.list.queryOptions({ page: 1 }))
        const [percent, setPercent] = React.useState(0)
        const onUploadProgress = (progress: UploadProgress) => {
          reports.push(progress)
          setPercent(Math.round((progress.loaded / progress.total) * 100))
        }
        const hook = api.posts.create.useMutation({ onUploadProgress })
        const options = useMutation(api.posts.create.mutationOptions({ onUploadProgress }))
        const create = via === 'useMutation' ? hook : options
        const image = new File(['PNG'], 'cat.png', { type: 'image/png' })
        return (
          <div>
            <ul>{posts.data?.items.map((title) => <li key={title}>{title}</li>)}</ul>
            <progress aria-label="upload" value={percent} max={100} />
            <span>{`${percent}%`}</span>
            <button onClick={() => create.mutate({ title: 'With a picture', image })}>upload</button>
          </div>
        )
      }
      view(<Posts />)
      await screen.findByText('First')
      expect(listFetches()).toBe(1)
      act(() => screen.getByText('upload').click())
      await until(() => FakeXhr.made[0]?.sent === true)
      const xhr = FakeXhr.made[0]!
      expect(xhr.headers['x-mizan-upload']).toBe('1')
      expect((xhr.body as FormData).get('input')).toBe('{"title":"With a picture"}')
      expect(((xhr.body as FormData).get('input.image') as File).name).toBe('cat.png')
      act(() => xhr.progress(30, 120))
      await screen.findByText('25%')
      act(() => xhr.progress(120, 120))
      await screen.findByText('100%')
      act(() => answerUpload('With a picture'))
      // The invalidation the upload's answer announced refetches the list.
      await screen.findByText('With a picture')
      expect(listFetches()).toBe(2)
      expect(reports).toEqual([
        { loaded: 30, total: 120 },
        { loaded: 120, total: 120 },
      ])
    })
  }
})
