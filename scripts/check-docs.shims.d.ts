// Types for the third-party APIs the docs show beside Mizan but this repository does not install:
// Express, Bun and Deno. Only the members the docs use, written from their public documentation,
// so scripts/check-docs.mjs can check the Mizan side of those blocks.
declare module 'express' {
  import type { IncomingMessage, ServerResponse, Server } from 'node:http'

  namespace express {
    interface Request extends IncomingMessage {
      originalUrl: string
      body?: unknown
      ip?: string
    }
    interface Response extends ServerResponse {}
    type NextFunction = (error?: unknown) => void
    type Handler = (req: Request, res: Response, next: NextFunction) => void
    interface Express {
      use(handler: Handler): Express
      use(path: string, handler: Handler): Express
      set(setting: string, value: unknown): Express
      listen(port: number, callback?: () => void): Server
    }
  }
  function express(): express.Express
  namespace express {
    function json(): express.Handler
  }
  export = express
}

declare const Bun: {
  serve(options: { port?: number; fetch(request: Request): Response | Promise<Response> }): {
    requestIP(request: Request): { address: string; family: string; port: number } | null
    stop(): void
  }
}

declare const Deno: {
  serve(handler: (request: Request, info: { remoteAddr: { hostname: string; port: number } }) => Response | Promise<Response>): unknown
}
