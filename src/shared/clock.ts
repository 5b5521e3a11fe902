/** Milliseconds since the epoch. Services take a Clock so expiry and replay rules are testable without sleeping. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
