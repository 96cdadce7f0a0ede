/**
 * One hierarchy of errors that clients can cause, each with its HTTP status. Routes never pick
 * a status themselves: the error handler maps these in one place, everything else is a 500.
 */
export class ServiceError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed or a value is invalid. */
export class BadRequestError extends ServiceError {
  constructor(message: string) {
    super(400, message);
  }
}

/** 401: authentication needed. */
export class UnauthorizedError extends ServiceError {
  constructor(message = 'authentication required') {
    super(401, message);
  }
}

/** 403: not allowed for this user. */
export class ForbiddenError extends ServiceError {
  constructor(message: string) {
    super(403, message);
  }
}

/** 404: no such job, job type, sub-resource or result (also for other users' jobs). */
export class NotFoundError extends ServiceError {
  constructor(message: string) {
    super(404, message);
  }
}

/** 409: not possible in the job's current phase. */
export class PhaseConflictError extends ServiceError {
  constructor(message: string) {
    super(409, message);
  }
}

/** 410: it existed, and is gone for good (files of archived jobs). */
export class GoneError extends ServiceError {
  constructor(message: string) {
    super(410, message);
  }
}

/** 413: an upload or body over the configured limit. */
export class PayloadTooLargeError extends ServiceError {
  constructor(message: string) {
    super(413, message);
  }
}

/** 415: a body in a format the resource does not take. */
export class UnsupportedMediaTypeError extends ServiceError {
  constructor(message: string) {
    super(415, message);
  }
}

/** 503: the service cannot take the request now (shutting down, database down). */
export class UnavailableError extends ServiceError {
  constructor(message: string) {
    super(503, message);
  }
}
