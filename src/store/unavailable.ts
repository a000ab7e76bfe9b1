/** Errors that mean Redis is down or unreachable (not that a command was wrong). */

/** Redis down or unreachable: a 503 the client may retry, not a 500. */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|LOADING|Stream isn't writeable|Command timed out/.test(
      err.message,
    )
  );
}
