// Starts the server, calls it with the client (a mutation whose `affects` invalidates the list, the
// list with its Date, a refused anonymous call), renders the React tree, and prints what it saw.
import { renderToString } from 'react-dom/server'
import { createElement } from 'react'
import { App } from './app.js'
import { isMizanError, makeClient } from './client.js'
import { startServer } from './server.js'

const server = startServer()
const { url } = await server.listen(0, '127.0.0.1')
try {
  const client = makeClient(url, true)
  const invalidated: string[] = []
  client.$on('invalidate', (targets) => invalidated.push(...targets.map((target) => target.path)))
  const added = await client.notes.add.mutate({ text: 'first' })
  const list = await client.notes.list.query()
  let refused = ''
  try {
    await makeClient(url, false).notes.add.mutate({ text: 'anonymous' })
  } catch (error) {
    if (isMizanError(error)) refused = error.code
  }
  const html = renderToString(createElement(App, { url }))
  console.log(JSON.stringify({ added: { ...added, at: added.at.toISOString() }, listed: list.map((note) => note.text), dateSurvived: list[0]?.at instanceof Date, invalidated, refused, rendered: html.includes('<button>Add</button>') }))
} finally {
  await server.close()
}
