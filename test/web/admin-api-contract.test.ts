import { describe, expect, it } from 'vitest';
import { adminApiContract } from '../../web/shared/admin-api-types.ts';
import { expectContractHolds, missingFields, successSchema, useOpenApiDocument, type FieldContract } from './openapi-contract.ts';

/**
 * The admin console's types (web/shared/admin-api-types.ts) against the app's own OpenAPI
 * document: every route the console calls exists, and every field it sends or reads is in
 * its schema, so a renamed server field fails here instead of in a browser.
 */
describe('the admin console client against /openapi.json', () => {
  const openApi = useOpenApiDocument();

  for (const [name, contract] of Object.entries(adminApiContract) as [string, FieldContract][]) {
    it(`${name}: the route and the fields the console uses exist`, () => {
      expectContractHolds(openApi(), name, contract, 'request');
    });
  }

  it('notices a field the server does not have', () => {
    const schema = successSchema(openApi(), '/keys', 'get')!;
    expect(missingFields(openApi(), schema, { keys: { prefix: true, secret: true } }, 'response')).toEqual(['response.keys.secret']);
  });
});
