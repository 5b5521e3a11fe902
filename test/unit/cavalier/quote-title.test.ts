import { describe, expect, test } from "bun:test";
import { defaultQuoteTitle, revisedQuoteTitle, statesQuantities } from "../../../src/surfaces/cavalier/quote-title";

const seat = (quantity: number) => ({ sku: "OPS-PRO-SEAT", unit: "seat", quantity, description: "Operations Pro" });
const onboarding = { sku: "ONB-FEE", unit: "each", quantity: 1, description: "Onboarding" };
const backup = (quantity: number) => ({ sku: "BKP-M365-USER", unit: "user", quantity, description: "M365 Backup" });
const hours = (quantity: number) => ({ sku: "LAB-HOUR", unit: "hour", quantity, description: "Project labour" });

describe("a revision's title states the quantities of its own lines", () => {
  // Regression: a 45-seat revision kept the title "Operations Pro rollout — 42 seats".
  test("a stated quantity follows its line", () => {
    expect(
      revisedQuoteTitle("Operations Pro rollout — 42 seats", [seat(42), onboarding], [seat(45), onboarding], "C"),
    ).toBe("Operations Pro rollout — 45 seats");
    expect(revisedQuoteTitle("Microsoft 365 backup for 18 users", [backup(18)], [backup(20)], "C")).toBe(
      "Microsoft 365 backup for 20 users",
    );
    expect(revisedQuoteTitle("After-hours support block (20 hours)", [hours(20)], [hours(1)], "C")).toBe(
      "After-hours support block (1 hour)",
    );
    expect(revisedQuoteTitle("Rollout for 1 seat", [seat(1)], [seat(1200)], "C")).toBe("Rollout for 1,200 seats");
  });

  test("numbers that are not a line's quantity stay, and unchanged lines keep the title", () => {
    expect(revisedQuoteTitle("Microsoft 365 backup for 18 users", [backup(18)], [backup(18)], "C")).toBe(
      "Microsoft 365 backup for 18 users",
    );
    expect(revisedQuoteTitle("2026 renewal", [seat(42)], [seat(45)], "C")).toBe("2026 renewal");
    expect(statesQuantities("Microsoft 365 backup", [backup(18)])).toBe(false);
    expect(statesQuantities("Backup for 18 users", [backup(18)])).toBe(true);
  });

  test("a quantity that cannot be carried over gives the quantity-free default title", () => {
    const tenant = "ContosoCare Clinic";
    // The line was removed.
    expect(revisedQuoteTitle("Operations Pro rollout — 42 seats", [seat(42), onboarding], [onboarding], tenant)).toBe(
      "Onboarding for ContosoCare Clinic",
    );
    // The title already disagreed with the lines.
    expect(revisedQuoteTitle("Rollout — 40 seats", [seat(42)], [seat(45)], tenant)).toBe(
      "Operations Pro for ContosoCare Clinic",
    );
    expect(statesQuantities(defaultQuoteTitle([seat(45), onboarding], tenant), [seat(45), onboarding])).toBe(false);
  });
});
