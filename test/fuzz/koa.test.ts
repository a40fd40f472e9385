import { defineFuzzSuite } from './support/suite.js';

// Property-based request fuzzing of kms-jwt-koa over real HTTP: see README.md.
defineFuzzSuite('kms-jwt-koa on Koa 3', 'koa', 'test/fuzz/koa.test.ts');
