// Imported first by extension.ts, so that this runs before the rest of the bundle is
// evaluated: the time from here to the end of activate() is what loading and activating the
// extension cost (besides activate() alone), logged to the output channel.
export const LOAD_START = performance.now();
