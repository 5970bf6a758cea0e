import { ErrorCode } from '../../shared/protocol';

/** A command failure with a stable code from the shared protocol; anything else is `internal`. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export const failures = {
  unauthenticated: () => new ApiFailure(ErrorCode.Unauthenticated, 'Log in first.'),
  invalidCredentials: () =>
    new ApiFailure(ErrorCode.InvalidCredentials, 'Wrong username or password.'),
  rateLimited: (retryAfterS: number) =>
    new ApiFailure(ErrorCode.RateLimited, `Too many attempts; try again in ${retryAfterS} s.`),
  forbidden: () => new ApiFailure(ErrorCode.Forbidden, 'Not allowed for your role.'),
};
