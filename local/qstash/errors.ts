/**
 * An API failure with the status and message the client should see. Every
 * route throws these; `http.ts` turns them into `{"error": message}`, the shape
 * the SDK copies verbatim into `QstashError.message`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const notFound = (message: string) => new ApiError(404, message);
