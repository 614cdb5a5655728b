// The example page: the real @mizan/client in the browser, with a ten-line stand-in for the React
// bridge that refetches whatever an announced invalidation matches.
import { createClient, isMizanError } from '@mizan/client'

const $ = (id) => document.getElementById(id)
let who = localStorage.getItem('who') ?? 'alice'
$('who').value = who

const client = createClient({
  url: '/api/mizan',
  headers: () => (who ? { authorization: `Bearer ${who}` } : {}),
})

// Each view names the procedure it shows and how to draw it.
const views = []
function view(path, load, draw) {
  const entry = { path, refresh: () => load().then(draw, showError) }
  views.push(entry)
  entry.refresh()
}

// A path matches a view when it names its procedure or a router above it.
client.$on('invalidate', (targets, source) => {
  for (const target of targets) {
    const line = document.createElement('li')
    line.textContent = `${source.path} → ${target.path}${target.input ? ' ' + JSON.stringify(target.input) : ''}`
    $('log').prepend(line)
  }
  for (const v of views) {
    if (targets.some((t) => v.path === t.path || v.path.startsWith(t.path + '.'))) v.refresh()
  }
})

function showError(error) {
  $('error').textContent = isMizanError(error) ? `${error.code}: ${error.fieldErrors?.title?.[0] ?? error.message}` : String(error)
}

view('currentUser', () => client.currentUser.query(), (user) => ($('me').textContent = user ? user.name : 'guest'))
view('greeting', () => client.greeting.query({ name: $('name').value || 'world' }), (g) => ($('greeting').textContent = `${g.text} (asked by ${g.from})`))
view('posts.list', () => client.posts.list.query({ page: 1 }), ({ items }) => {
  $('posts').replaceChildren(
    ...items.map((post) => {
      const li = document.createElement('li')
      const time = document.createElement('time')
      time.textContent = post.createdAt.toLocaleString() // a real Date: superjson kept it
      const title = document.createElement('span')
      title.append(`${post.title} — ${post.author}`, time)
      const remove = document.createElement('button')
      remove.className = 'danger'
      remove.textContent = '✕'
      remove.title = 'Delete (staff only)'
      remove.onclick = () => client.posts.remove.mutate({ id: post.id }).then(() => ($('error').textContent = ''), showError)
      li.append(title, remove)
      return li
    }),
  )
})

$('name').oninput = () => views.find((v) => v.path === 'greeting').refresh()
$('who').onchange = () => {
  who = $('who').value
  localStorage.setItem('who', who)
  for (const v of views) v.refresh()
}
$('create').onsubmit = async (event) => {
  event.preventDefault()
  try {
    await client.posts.create.mutate({ title: $('title').value })
    $('title').value = ''
    $('error').textContent = ''
  } catch (error) {
    showError(error)
  }
}
