// The full drizzle schema: one module per feature. Add a feature's module here and in drizzle.config.ts's glob.
import * as audit from "./audit";
import * as tenancy from "./tenancy";
import * as oauth from "./oauth";
import * as admin from "./admin";
import * as aegis from "./aegis";
import * as forge from "./forge";
import * as mcp from "./mcp";
import * as observability from "./observability";
import {
  contacts as cavalierContacts,
  deals as cavalierDeals,
  productPrices as cavalierProductPrices,
  products as cavalierProducts,
  quoteLines as cavalierQuoteLines,
  quotes as cavalierQuotes,
} from "./cavalier";
const cavalier = {
  cavalierProducts,
  cavalierProductPrices,
  cavalierContacts,
  cavalierDeals,
  cavalierQuotes,
  cavalierQuoteLines,
};

export const schema = {
  ...tenancy,
  ...audit,
  ...oauth,
  ...admin,
  ...cavalier,
  ...aegis,
  ...forge,
  ...mcp,
  ...observability,
};
export type Schema = typeof schema;
