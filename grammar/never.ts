/** The default of a switch over a closed union: tsc fails here when a member is not handled. */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify((x as { kind?: unknown })?.kind ?? x)}`);
}
