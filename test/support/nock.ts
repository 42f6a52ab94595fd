import nock from 'nock';

// nock 15 intercepts through @mswjs/interceptors, which calls Promise.withResolvers
// (Node 22+). The project runs on Node 20, so supply the standard one (ES2024) when missing.
const promise = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
promise.withResolvers ??= <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const p = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise: p, resolve, reject };
};

/** nock, usable on Node 20. Import it from here in tests. */
export default nock;
