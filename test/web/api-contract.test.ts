import { describe, expect, it } from 'vitest';
import { apiContract } from '../../web/shared/api-types.ts';
import { expectContractHolds, missingFields, successSchema, useOpenApiDocument, type FieldContract } from './openapi-contract.ts';

/**
 * The web client's types (web/shared/api-types.ts) against the app's own OpenAPI
 * document: every operation the pages call exists, and every field they send or read is
 * in its schema, so renaming a field on the server fails here instead of in a browser.
 */
describe('the web client against /openapi.json', () => {
  const openApi = useOpenApiDocument();

  for (const [name, contract] of Object.entries(apiContract) as [string, FieldContract][]) {
    it(`${name}: the operation and the fields the pages use exist`, () => {
      expectContractHolds(openApi(), name, contract, 'request body');
    });
  }

  it('notices a field the server does not have', () => {
    const schema = successSchema(openApi(), '/kbs', 'get')!;
    expect(missingFields(openApi(), schema, { kbs: { name: true, nickname: true } }, 'response')).toEqual(['response.kbs.nickname']);
  });
});
