import { defineFuzzSuite } from './support/suite.js';

// Property-based request fuzzing of passport-kms-jwt over real HTTP: see README.md.
defineFuzzSuite('passport-kms-jwt on Express 5', 'passport', 'test/fuzz/passport.test.ts');
