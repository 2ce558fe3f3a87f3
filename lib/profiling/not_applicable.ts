/**
 * The error a profiling step throws when the data cannot support it (too few control rows to fit a
 * normalisation, every feature excluded by selection, no usable column left), as opposed to a defect or a
 * malformed input. A caller that tries several protocols reports such a protocol as not applicable, with
 * the message as the reason, and goes on with the others (lib/profiling/protocol.ts).
 * @module
 */

/** A step that cannot apply to this data; the message says what it needed and what it found. */
export class NotApplicableError extends Error {
  /** @param message What the step expected and what the data holds. */
  constructor(message: string) {
    super(message);
    this.name = "NotApplicableError";
  }
}
