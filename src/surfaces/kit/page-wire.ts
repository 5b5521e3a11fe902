import { type, type Type } from "arktype";
import type { Page } from "./page";

/**
 * A page as every list tool returns it (snake_case on the wire): the items and `next_cursor`, null on the last page
 * (MCP 2025-06-18 "Pagination"). A list that says more about itself merges its own fields onto it.
 */
export function pageOut<Item extends object>(item: Type<Item>) {
  return type({ items: item.array(), next_cursor: "string | null" });
}

/** Presents a service's page with the list's own item presenter. */
export function presentPage<T, Wire>(
  page: Page<T>,
  present: (item: T) => Wire,
): { items: Wire[]; next_cursor: string | null } {
  return { items: page.items.map(present), next_cursor: page.nextCursor };
}
