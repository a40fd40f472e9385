import { defineFuzzSuite } from './support/suite.js';

// Property-based request fuzzing of kms-jwt-express over real HTTP: see README.md.
defineFuzzSuite('kms-jwt-express on Express 5', 'express', 'test/fuzz/express.test.ts');
