/** Two configured credentials of two accounts, for the signature tests. */
import type { Credential } from '../../src/credentials.js';

// Secrets with `/` and `+`, as AWS's have.
export const ALICE: Credential = {
  accessKeyId: 'AKIAALICE0000000001',
  secretAccessKey: 'alice-Secret/1+x',
  accountId: '111111111111',
};
export const BOB: Credential = {
  accessKeyId: 'AKIABOB000000000002',
  secretAccessKey: 'bob-Secret/2+y',
  accountId: '222222222222',
};
