// RFC 9457 problem details as every platform API answers them (@platform/web-session/problem).
export {
  ApiError,
  type ProblemDetails,
  type ProblemIssue,
  parseProblem,
} from '@platform/web-session/problem';
