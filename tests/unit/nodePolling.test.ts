// The addon's self-re-arming poll (a native callback of no parameters) stops spinning after
// the first millisecond of a wait; every other setImmediate runs as before.
import { describe, expect, it } from 'vitest';
import { pollDawnGently } from '../../src/gpu/nodePolling';

/** Re-arms a native-looking, parameterless callback (as the addon does) for `ms`; returns how often it ran. */
function spin(ms: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let polls = 0;
    const poll = function () {
      polls++;
      if (performance.now() - t0 < ms) setImmediate(native);
      else resolve(polls);
    };
    const native = poll.bind(null); // a bound function's source reads "function () { [native code] }"
    setImmediate(native);
  });
}

describe('pollDawnGently', () => {
  it('lets a long wait poll about once a millisecond, and other callbacks run at once', async () => {
    const before = await spin(30);
    pollDawnGently();
    const after = await spin(30);
    console.log(`polls in 30 ms: ${before} spinning, ${after} gently`);
    expect(before).toBeGreaterThan(1000);
    expect(after).toBeLessThan(before / 5);
    expect(after).toBeGreaterThan(5);
    // a promise's resolve (one parameter) and a callback with arguments are not delayed
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate((x: number) => r(x), 1));
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
