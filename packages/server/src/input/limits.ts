/** Bounds on one decoded input, whatever the transport: what a small request may make the server walk. */
export interface InputLimits {
  /** Nesting depth of an input (400). Default 64. */
  maxInputDepth: number
  /**
   * Values in one request's decoded input: every object, array, and primitive counts (400). Default
   * 100,000. With the depth limit it bounds the work of validation, cache keys and serializers.
   */
  maxInputNodes: number
}

/** The defaults of {@link InputLimits}. */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxInputDepth: 64,
  maxInputNodes: 100_000,
}
