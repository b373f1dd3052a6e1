/** The one error shape of every Kataven HTTP response that is not a success. */
export interface ErrorBody {
  error: {
    type: string;
    message: string;
  };
}

/** Header carrying the request id on every hub response. */
export const REQUEST_ID_HEADER = 'x-request-id';

export type { RequestErrorType } from './error-types.js';
