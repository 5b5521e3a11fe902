/** The store cannot be opened or created; no libSQL import here, so callers that only catch it do not load the addon. */
export class StoreError extends Error {
  readonly code = "store_unavailable";
}
