import type { AnyRouter } from '../router.js'
import { toOpenAPI, type OpenAPIOptions } from './document.js'

/** The server's `openapi` option: `true` (title and version from defaults) or the document's options. */
export type OpenAPIServeOption = boolean | Omit<OpenAPIOptions, 'basePath'>

/**
 * The served document's body. Nothing is built at startup: the first request for it walks the
 * router and converts the schemas, once.
 */
export function servedOpenAPI(router: AnyRouter, basePath: string, option: true | Omit<OpenAPIOptions, 'basePath'>): { readonly body: string } {
  let body: string | undefined
  const options = option === true ? { title: 'API', version: '0.0.0' } : option
  return {
    get body() {
      return (body ??= JSON.stringify(toOpenAPI(router, { ...options, basePath })))
    },
  }
}
