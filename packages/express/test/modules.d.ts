// Express 4 and 5 under pnpm aliases, typed with @types/express 5.
declare module 'express4' {
  const express: typeof import('express');
  export default express;
}
declare module 'express5' {
  const express: typeof import('express');
  export default express;
}
