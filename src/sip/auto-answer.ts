/**
 * Reading an auto-answer request from an incoming INVITE: `Call-Info: <uri>;answer-after=0`
 * (the de-facto intercom header, RFC 5373's `Answer-Mode: Auto` in spirit). The core sets it on
 * an operator's queue pick, a park pickup and the second line of a consultation; it is a
 * B2BUA and never copies the header from the outside, so a caller cannot force an answer.
 * @packageDocumentation
 */

/**
 * True if one of the `Call-Info` header values asks for an answer after 0 seconds. Values may
 * hold several comma-separated entries; parameters inside the `<uri>` do not count.
 */
export function asksForAutoAnswer(callInfoValues: readonly string[]): boolean {
  return callInfoValues.some((value) =>
    value
      .replace(/<[^>]*>/g, '')
      .split(',')
      .some((entry) =>
        entry
          .split(';')
          .slice(1)
          .some((param) => /^\s*answer-after\s*=\s*0+\s*$/i.test(param)),
      ),
  );
}
