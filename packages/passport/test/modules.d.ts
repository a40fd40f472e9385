// Express 4 under a pnpm alias, typed with @types/express 5.
declare module 'express4' {
  const express: typeof import('express');
  export default express;
}
