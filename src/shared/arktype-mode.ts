import { configure } from "arktype/config";

/**
 * arktype validates without generating code (`jitless`, its mode for hosts that forbid `new Function`). Compiling each
 * type into a function made building the types a third slower and kept generated source and code resident: about
 * 30 MB of RSS with the config schema and one surface loaded. The interpreted check costs a few µs more per tool call
 * (a 25-row result: about 16 µs), against a tool call of about a millisecond. arktype reads this when it builds its
 * keyword scope, so this module is imported before anything imports arktype (src/main.ts; bunfig.toml preloads it for
 * the tests). https://arktype.io/docs/configuration
 */
configure({ jitless: true });
