// Where the shared conformance scenarios are (../shared/conformance beside the clone), from
// the suite-wide helper, which also says once when they are absent.
import { CONFORMANCE, HAS_SHARED, noteMissingShared } from '../shared';

export const CONFORMANCE_DIR = CONFORMANCE;
export const CONFORMANCE_PRESENT = HAS_SHARED;
noteMissingShared();
