// Koa 2 and 3 under pnpm aliases, typed with @types/koa 3.
declare module 'koa2' {
  const Koa: typeof import('koa');
  export default Koa;
}
declare module 'koa3' {
  const Koa: typeof import('koa');
  export default Koa;
}
