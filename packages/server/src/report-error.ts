/**
 * The key of a handler argument that reports an error to `onError` without failing the call: for
 * Mizan's own handlers (a form's field check that threw), not part of the public arguments.
 */
export const REPORT_ERROR: unique symbol = Symbol('mizan.reportError')
