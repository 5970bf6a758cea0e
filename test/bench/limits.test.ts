/** Reading open-file limits for the ws-clients benchmark (bench/support/limits.ts). */
import { describe, expect, it } from 'vitest';
import { openFds, openFilesLimit, parseOpenFilesLimit } from '../../bench/support/limits';

const LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max cpu time              unlimited            unlimited            seconds   ',
  'Max open files            20000                20000                files     ',
  'Max locked memory         8388608              8388608              bytes     ',
].join('\n');

describe('open-file limits', () => {
  it('reads soft and hard "Max open files" from /proc/<pid>/limits text', () => {
    expect(parseOpenFilesLimit(LIMITS)).toEqual({ soft: 20000, hard: 20000 });
  });

  it('reads unlimited as Infinity and a missing line as undefined', () => {
    expect(
      parseOpenFilesLimit(
        'Max open files            1024                 unlimited            files',
      ),
    ).toEqual({ soft: 1024, hard: Infinity });
    expect(parseOpenFilesLimit('Max cpu time  unlimited  unlimited  seconds')).toBeUndefined();
  });

  it("agrees with this process's own limit and counts its open descriptors", () => {
    const own = openFilesLimit();
    expect(own.soft).toBeGreaterThan(0);
    expect(own.hard).toBeGreaterThanOrEqual(own.soft);
    expect(openFds(process.pid)).toBeGreaterThanOrEqual(3); // stdin, stdout, stderr at least
  });
});
