import { type } from "arktype";
import { hasControlOrLoneSurrogate, unstorableTextReason } from "./text";

/** What an identifier must be, in the words a validation error uses ("tenant_id must be …"). */
export const IDENTIFIER_RULE = "an identifier without control characters or unpaired surrogates";

/**
 * An identifier argument (tenant id or name, object id, SKU, email): `minLength` to `maxLength` UTF-16 units, no control
 * character (Unicode Cc) and no lone surrogate. Such a value never names a real object, and it could not be
 * stored or audited as it was sent, so it is refused as invalid input instead of being looked up.
 * JSON Schema cannot state the character rule without a flagged regex, so clients see only the length bounds;
 * callers `.describe()` the argument as usual.
 */
export function identifier(maxLength = 128, minLength = 1) {
  return type(`${minLength} <= string <= ${maxLength}`).narrow(
    (value, ctx) => !hasControlOrLoneSurrogate(value) || ctx.mustBe(IDENTIFIER_RULE),
  );
}

/** The common identifier: 1 to 128 units. */
export const Identifier = identifier(128);

/** What storable free text must be, in the words a validation error uses. */
export const STORABLE_TEXT_RULE = "text without U+0000 or unpaired surrogates";

/**
 * Free text (a name, a title, a note) of `minLength` to `maxLength` UTF-16 units that reads back from the store
 * exactly as accepted: anything but U+0000 and lone surrogates (see unstorableTextReason).
 */
export function storableText(maxLength: number, minLength = 1) {
  return type(`${minLength} <= string <= ${maxLength}`).narrow(
    (value, ctx) => unstorableTextReason(value) === null || ctx.mustBe(STORABLE_TEXT_RULE),
  );
}
