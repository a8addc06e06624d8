/**
 * What the agent's and the manager's HTTP faces share: one error shape and handler, request ids,
 * presented keys, log redaction, the validation policy, refused-request limits and uploads.
 */
export { bearerToken, challenge, presentedKey } from './auth.js';
export {
  asHttpError,
  badRequest,
  conflict,
  errorBody,
  forbidden,
  HttpError,
  installErrorHandlers,
  notFound,
  tooManyRequests,
  unauthorized,
  unprocessable,
  type ErrorHandlerOptions,
  type ErrorShape,
} from './errors.js';
export { installPlumbing, serverOptions, type PlumbingOptions } from './plumbing.js';
export { loggerOptions, REDACTED_PATHS } from './redact.js';
export { clientSource, RefusalGuard, type RefusalLimits } from './refusals.js';
export { requestId } from './request-id.js';
export { malformedUpload, multipartFile, spoolUpload } from './uploads.js';
