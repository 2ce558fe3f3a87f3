/**
 * Runs one evaluation protocol, so that a protocol the data cannot support (a {@linkcode NotApplicableError}
 * from one of its steps) is reported as not applicable, with the reason, instead of failing a run that
 * evaluates several. Any other error still propagates.
 * @module
 */
import { NotApplicableError } from "./not_applicable.ts";

/** What {@linkcode tryProtocol} returns: the protocol's result, or why it does not apply. */
export type ProtocolOutcome<T> = { result: T; notApplicable?: undefined } | { notApplicable: string };

/**
 * Runs `protocol`; a {@linkcode NotApplicableError} it throws becomes `{ notApplicable: reason }`.
 *
 * @param protocol The protocol's computation.
 * @returns `{ result }`, or `{ notApplicable }` with the error's message.
 */
export function tryProtocol<T>(protocol: () => T): ProtocolOutcome<T> {
  try {
    return { result: protocol() };
  } catch (e) {
    if (e instanceof NotApplicableError) return { notApplicable: e.message };
    throw e;
  }
}
