/**
 * The one error type of the import boundary, for what stops an import before its file is even read as records
 * (a problem inside the file is an ImportProblem in the report instead). Entry points map `code` to their wire:
 * the CLI prints the message, the admin API answers `{ error, error_description }` with the status below.
 */
export type ImportErrorCode =
  /** No such kind. */
  | "unknown_kind"
  /** Larger than the kind's documented limit. */
  | "too_large"
  /** A flag or parameter that is missing or malformed (encoding, tenant). */
  | "invalid_request"
  /** The tenant named is outside the caller's scope, or no tenant at all (the two read the same). */
  | "not_found"
  /** The caller may not import this kind into that tenant (a client tenant has no catalog of its own). */
  | "forbidden"
  /** Another writer changed the same rows between the check and the write; nothing was written, import again. */
  | "conflict";

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ImportError";
  }
}
