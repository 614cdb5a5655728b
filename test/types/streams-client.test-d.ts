import { createClient } from '@mizan/client'
import { expectError, expectType } from 'tsd'
import type { JsonStreamsRouter, StreamsRouter, Tick } from './streams-fixtures.js'

const client = createClient<StreamsRouter>({ url: 'http://localhost/api/mizan' })

// A streamed query resolves to its AsyncGenerator, once the reply starts.
expectType<Promise<AsyncGenerator<string, { words: number }, undefined>>>(client.tokens.query({ prompt: 'a b' }))
expectType<Promise<AsyncGenerator<Tick, void, undefined>>>(client.ticks.query())
expectType<Promise<AsyncGenerator<{ id: string }, void, undefined>>>(client.nested.feed.query())

async function reads() {
  // `for await` gives each value its type.
  for await (const word of await client.tokens.query({ prompt: 'a' })) expectType<string>(word)
  for await (const tick of await client.ticks.query({ from: 1 })) expectType<Date>(tick.at)
  // The return value comes with the last step.
  const stream = await client.tokens.query({ prompt: 'a' })
  const step = await stream.next()
  if (step.done) expectType<{ words: number }>(step.value)
  else expectType<string>(step.value)
  // Stopping early: return() takes the return type, as any AsyncGenerator's.
  await stream.return({ words: 0 })
  expectError(await stream.return('no'))
  // A streamed mutation likewise.
  for await (const percent of await client.progress.mutate({ id: '1' })) expectType<number>(percent)
  // A plain query still resolves to its value.
  expectType<number>(await client.plain.query({ n: 1 }))
}
void reads

// The input is checked as for any call, and the signal goes in the options.
client.tokens.query({ prompt: 'a' }, { signal: new AbortController().signal })
expectError(client.tokens.query({ prompt: 1 }))
expectError(client.tokens.query())
// A value is not what the stream yields.
async function wrong() {
  for await (const word of await client.tokens.query({ prompt: 'a' })) expectError(word.toFixed())
  // A stream is no array.
  expectError((await client.tokens.query({ prompt: 'a' })).map)
}
void wrong

// Under `transformer: 'json'`, values and the return value are what JSON carries: a Date is a string.
const json = createClient<JsonStreamsRouter>({ url: 'http://localhost/api/mizan', transformer: 'json' })
async function plainJson() {
  for await (const tick of await json.ticks.query()) {
    expectType<string>(tick.at)
    expectError(tick.at.getTime())
  }
  const stream = await json.ticks.query()
  const step = await stream.next()
  if (step.done) expectType<{ last: string }>(step.value)
}
void plainJson
