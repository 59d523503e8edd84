// The same little scenario for every consumer of the installed package.
export const dim = 4;
export const ids = ['a', 'b', 'c', 'd'];
export const vectors = new Float32Array([0.9, 0.3, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.6, 0.8, 0, 0]);
export const t0 = 1_700_000_000_000;
export const events = [{ item: 'b', type: 'click', time: t0 }];
export const candidates = ['a', 'c', 'd'];
export const rankOptions = { now: t0 + 60_000 };
// Expected: d (0.8 toward the clicked b) first.
export function report(promise) {
  promise.then((r) => (window.__result = r), (e) => (window.__error = String(e && e.stack ? e.stack : e)));
}
