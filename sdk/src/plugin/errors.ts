/** Thrown when a plugin declares itself wrongly; the message names the plugin and the field. */
export class PluginDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginDefinitionError';
  }
}

/**
 * Throw from `run(ctx)` to end the job in ERROR with this message as the UWS errorSummary.
 * Write the message for the user: what went wrong and what to do next. Any other exception
 * also ends the job in ERROR, with a generic message and the details in the log.
 */
export class JobError extends Error {
  constructor(
    message: string,
    /** Longer text served at `…/error`; defaults to the message. */
    readonly detail?: string,
    /** UWS errorSummary type: transient errors may succeed when run again. */
    readonly errorType: 'fatal' | 'transient' = 'fatal',
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** Bad parameter values; raised by the parameter parser, mapped to HTTP 400 by core. */
export class ParameterError extends Error {
  constructor(
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'ParameterError';
  }
}
