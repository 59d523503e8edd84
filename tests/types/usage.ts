// An example that uses every member of the public API, type-checked (not run) by tsc
// in strict mode against web/index.d.ts. Compile-time assertions (Expect<Equal<...>>)
// pin the types that matter to callers.
import { createEngine, InterestEngineError, EVENT_TYPES, COMPONENTS, simdSupported } from '../../web/index.js';
import type {
  ItemId,
  EventType,
  Component,
  InterestEvent,
  BlendWeights,
  EventWeights,
  EngineConfig,
  CreateEngineOptions,
  RankOptions,
  Explanation,
  RankResult,
  RememberedEvent,
  Interests,
  EngineStats,
  SequenceModelInfo,
  Engine,
  ErrorCode,
} from '../../web/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<Engine['backend'], 'wasm-simd128' | 'wasm'>>,
  Expect<Equal<RankResult['ids'], string[]>>,
  Expect<Equal<RankResult['scores'], Float32Array>>,
  Expect<Equal<ReturnType<Engine['upsertItems']>, string[]>>,
  Expect<Equal<ReturnType<typeof createEngine>, Promise<Engine>>>,
  Expect<Equal<InterestEngineError['code'], ErrorCode>>,
  Expect<Equal<ItemId, string | number>>,
  Expect<Equal<Explanation['contributions'], Record<Component, number>>>,
  Expect<Equal<Interests['longTerm'], Float32Array>>,
  Expect<Equal<(typeof EVENT_TYPES)[number], EventType>>,
  Expect<Equal<(typeof COMPONENTS)[number], Component>>,
];

const weights: BlendWeights = { server: 0.5, longTerm: 1, shortTerm: 1, attention: 0.8, sequence: 0, negative: 1.2 };
const eventWeights: EventWeights = {
  impression: 0.05, click: 1, dwell: 0, like: 2, add_to_cart: 3, purchase: 4, share: 2.5, skip: -0.5, hide: -3,
  dwellPerSecond: 0.1, dwellCap: 3,
};
const config: EngineConfig = {
  dim: 4,
  capacity: 1000,
  halfLifeMinutes: 30,
  interestSlots: 4,
  mergeThreshold: 0.5,
  recentWindow: 50,
  attentionSharpness: 5,
  longTermHalfLifeDays: 60,
  alpha: 10,
  lambda: 0.1,
  serverVectorPrior: 5,
  pendingCapacity: 256,
  consumedCapacity: 2048,
  weights,
  eventWeights,
};
const options: CreateEngineOptions = { ...config, simd: simdSupported() ? 'auto' : false, wasmUrl: new URL('https://cdn.example/x.wasm') };

export async function example(): Promise<void> {
  const engine: Engine = await createEngine(options);
  const backend: 'wasm-simd128' | 'wasm' = engine.backend;
  const dim: number = engine.dim;
  const current = engine.config;
  const serverWeight: number = current.weights.server; // Required<BlendWeights>
  const hideWeight: number = current.eventWeights.hide;
  engine.configure({ halfLifeMinutes: 45, weights: { server: 0.4 } });

  const ids: ItemId[] = ['a', 'b', 3];
  const evicted: string[] = engine.upsertItems(ids, new Float32Array(ids.length * dim));
  engine.upsertItems(['c'], [0.1, 0.2, 0.3, 0.4]);

  const click: InterestEvent = { item: 'a', type: 'click', time: Date.now() };
  const dwell: InterestEvent = { item: 3, type: 'dwell', time: Date.now() + 1, value: 12 };
  engine.observe(click);
  engine.observe([dwell, { item: 'b', type: 'hide', time: Date.now() + 2 }]);
  for (const type of EVENT_TYPES) engine.observe({ item: 'c', type, time: Date.now() + 3, value: 1 });

  const rankOptions: RankOptions = { now: Date.now(), serverScores: [0.3, 0.1, 0.2], k: 2, exclude: 'none', explain: true };
  const result: RankResult = engine.rerank(ids, rankOptions);
  engine.rerank(ids, { serverScores: new Float32Array([1, 2, 3]), exclude: 'consumed' });
  const first: string | undefined = result.ids[0];
  const demoted: number = result.demoted;
  for (const explanation of result.explanations ?? []) {
    const e: Explanation = explanation;
    for (const name of COMPONENTS) {
      const part: number = e.contributions[name];
      void part;
    }
    if (e.because) {
      const t: EventType = e.because.type;
      const minutes: number = e.because.minutesAgo;
      void t, minutes, e.because.item, e.because.time, e.id;
    }
  }
  const top: RankResult = engine.recommend(5, { now: Date.now(), exclude: 'consumed', explain: false, k: 3 });

  const interests: Interests = engine.interests({ now: Date.now() });
  const remembered: RememberedEvent[] = interests.recentEvents;
  for (const r of remembered) void [r.item, r.type, r.time, r.value, r.weight];
  for (const s of interests.shortTerm) void [s.strength, s.vector.length];
  void interests.longTermMass;
  engine.interests();

  const stats: EngineStats = engine.stats();
  void [stats.items, stats.eventsObserved, stats.pendingEvents, stats.pendingDropped, stats.lastEventTime, stats.seenItems];

  const model: { hidden: number; vocabulary: number } = engine.loadSequenceModel(new Uint8Array(0));
  const shipped = engine.loadSequenceModel(new ArrayBuffer(0), { applyBlend: false }).blend;
  if (shipped) void [shipped.server, shipped.sequence];
  const progress: SequenceModelInfo | null = engine.sequenceModel();
  if (progress) void [progress.hidden, progress.vocabulary, progress.steps, progress.lastItem, progress.lastStepTime];
  void model;

  engine.setUserVector(new Float32Array(dim));
  engine.setUserVector([0, 0, 0, 0]);
  engine.setUserVector(null);
  const known: boolean = engine.hasItem('a') && engine.hasItem(3);
  engine.reset();

  try {
    engine.observe({ item: '', type: 'click', time: 0 });
  } catch (error) {
    if (error instanceof InterestEngineError) {
      const code: ErrorCode = error.code;
      if (code === 'invalid_id' || code === 'disposed') void error.message;
    }
  }
  const own = new InterestEngineError('unsupported', 'no SIMD here');
  void own;
  engine.dispose();
  void [backend, serverWeight, hideWeight, evicted, first, demoted, top, known];
}
