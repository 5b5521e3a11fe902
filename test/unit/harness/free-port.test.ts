import { expect, test } from "bun:test";
import { freePort } from "../../helpers/appliance";

// Appliances of earlier tests must never share a port with a later one: a keep-alive connection the client pooled to
// the old listener could answer the new test's requests (seen once in CI as a 404 from another appliance's admin app).
test("freePort never hands out the same port twice in one process", async () => {
  const ports: number[] = [];
  for (let i = 0; i < 500; i++) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
});
