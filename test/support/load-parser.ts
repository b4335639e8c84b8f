import { loadFragmentParser } from '../../src/rules/parse-fragment.js';

// Statement builders parse every fragment they embed; tests that build statements
// without loading rule files first need the parser loaded, as loadRules does.
await loadFragmentParser();
