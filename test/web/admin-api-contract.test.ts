import { describe, expect, it } from 'vitest';
import { abstentionLanguages, adminApiContract, kbSettingsBounds } from '../../web/shared/admin-api-types.ts';
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

  it("the answer-settings form's bounds and languages are the server's", () => {
    type Bounded = { maxLength?: number; maximum?: number; properties?: Record<string, Bounded> };
    const schemas = openApi().components!.schemas! as Record<string, Bounded>;
    const settings = schemas['KbSettings']!.properties!;
    const handoff = schemas['KbHandoff']!.properties!;
    expect({
      personaChars: settings['persona']!.maxLength,
      abstentionMessageChars: settings['abstentionMessage']!.properties!['en']!.maxLength,
      handoffUrlChars: handoff['url']!.maxLength,
      handoffEmailChars: handoff['email']!.maxLength,
      handoffLabelChars: handoff['label']!.maxLength,
      maxTopK: settings['topK']!.maximum,
    }).toEqual(kbSettingsBounds);
    expect(Object.keys(settings['abstentionMessage']!.properties!)).toEqual([...abstentionLanguages]);
  });

  it('notices a field the server does not have', () => {
    const schema = successSchema(openApi(), '/keys', 'get')!;
    expect(missingFields(openApi(), schema, { keys: { prefix: true, secret: true } }, 'response')).toEqual(['response.keys.secret']);
  });
});
