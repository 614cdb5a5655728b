import type { AnySchema, InferSchemaInput, InferSchemaOutput } from './schema.js'

/** What `authorize`, `group` and `receive` handlers receive. */
export interface ChannelArgs<Ctx, Params> {
  ctx: Ctx
  /** The parsed params. */
  params: Params
}

/** Options of `m.channel`. */
export interface ChannelOptions<Ctx, P extends AnySchema, M extends AnySchema, R extends AnySchema | undefined = undefined> {
  /** What a subscriber sends to join; validated before `authorize` runs. */
  params: P
  /** The messages of the channel; every published message is validated against it before it goes out. */
  message: M
  /** Who may join; runs on every (re)subscribe. Default: anyone. */
  authorize?: (args: ChannelArgs<Ctx, InferSchemaOutput<P>>) => boolean | Promise<boolean>
  /** The group a subscriber joins, computed on the server only (`chat:${params.room}`). Default: the channel itself. */
  group?: (args: ChannelArgs<Ctx, InferSchemaOutput<P>>) => string
  /** Queries whose data a message stands for: refetched when messages may have been missed. */
  affects?: readonly string[]
  /** Client-to-server messages: a schema and a handler (which may `publish`). */
  receive?: R extends AnySchema
    ? { message: R; handle: (args: ChannelArgs<Ctx, InferSchemaOutput<P>> & { message: InferSchemaOutput<R>; publish: ChannelPublish<InferSchemaInput<M>> }) => void | Promise<void> }
    : undefined
}

/** Publishes a message to the subscriber's own group, from a `receive` handler. */
export type ChannelPublish<Message> = (message: Message) => Promise<void>

/** The run-time description of a channel, on its reserved `'~mizan'` slot. */
export interface ChannelDef {
  readonly type: 'channel'
  readonly options: ChannelOptions<any, AnySchema, AnySchema, AnySchema | undefined>
}

/**
 * A realtime channel: subscribers join a group chosen by the server, and get every message
 * published to it. `Params` and `Message` are phantom types for the client; `Affects` the paths it
 * declares, checked against the router like a mutation's.
 */
export interface Channel<Params, Message, Receive, Affects extends string = never> {
  readonly '~mizan': ChannelDef
  readonly '~types'?: { readonly params: Params; readonly message: Message; readonly receive: Receive; readonly affects: Affects }
}

/** Any channel. */
export type AnyChannel = Channel<any, any, any, any>

/** True at run time when `value` is a channel. */
export function isChannel(value: unknown): value is AnyChannel {
  return typeof value === 'object' && value !== null && (value as AnyChannel)['~mizan']?.type === 'channel'
}

/** Checks a channel's options where types cannot (plain JavaScript callers). */
export function createChannel(options: ChannelOptions<any, AnySchema, AnySchema, AnySchema | undefined>): AnyChannel {
  if (typeof options !== 'object' || options === null) throw new TypeError('Mizan: m.channel() needs options')
  for (const key of ['params', 'message'] as const) {
    if (typeof options[key]?.['~standard']?.validate !== 'function') throw new TypeError(`Mizan: m.channel() needs a ${key} schema`)
  }
  if (options.receive !== undefined && (typeof options.receive.handle !== 'function' || options.receive.message === undefined)) {
    throw new TypeError('Mizan: m.channel({ receive }) needs { message, handle }')
  }
  return Object.freeze({ '~mizan': { type: 'channel', options: Object.freeze({ ...options }) } as ChannelDef })
}

/** The channel at a dotted path of a router record (`never` when there is none). */
export type ChannelAt<R, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof R
    ? ChannelAt<R[Head] extends { readonly '~mizan': { readonly record: infer Inner } } ? Inner : R[Head], Rest>
    : never
  : P extends keyof R
    ? R[P] extends AnyChannel
      ? R[P]
      : never
    : never

/** The params a channel's subscribers send. */
export type ChannelParams<C> = C extends Channel<infer Params, any, any, any> ? Params : never
/** The messages a channel carries. */
export type ChannelMessage<C> = C extends Channel<any, infer Message, any, any> ? Message : never
