import type { z } from 'zod';
import { invalidRequest } from '../../src/core/index.ts';
import type { ContentSourceType } from '../../src/db/index.ts';
import type { ConnectorDependencies, SourceConnector } from './connector.ts';
import { confluenceConfigSchema, confluenceCredentialFields, createConfluenceConnector } from './platforms/confluence-source.ts';
import { createGithubConnector, githubConfigSchema, githubCredentialFields } from './platforms/github-source.ts';
import { createIntercomConnector, intercomConfigSchema, intercomCredentialFields } from './platforms/intercom-source.ts';
import { createWebConnector, webConfigSchema, webCredentialFields } from './platforms/web-source.ts';
import { createZendeskConnector, zendeskConfigSchema, zendeskCredentialFields } from './platforms/zendesk-source.ts';

interface SourceTypeDefinition {
  schema: z.ZodType<Record<string, unknown>>;
  /** Config fields that are secrets: sealed at rest, never returned, never logged. */
  credentialFields: readonly string[];
  create(config: Record<string, unknown>, dependencies: ConnectorDependencies): SourceConnector;
}

function define<Config extends Record<string, unknown>>(
  schema: z.ZodType<Config>,
  credentialFields: readonly string[],
  create: (config: Config, dependencies: ConnectorDependencies) => SourceConnector,
): SourceTypeDefinition {
  return { schema, credentialFields, create: (config, dependencies) => create(config as Config, dependencies) };
}

const definitions: Record<ContentSourceType, SourceTypeDefinition> = {
  web: define(webConfigSchema, webCredentialFields, createWebConnector),
  zendesk: define(zendeskConfigSchema, zendeskCredentialFields, createZendeskConnector),
  intercom: define(intercomConfigSchema, intercomCredentialFields, createIntercomConnector),
  confluence: define(confluenceConfigSchema, confluenceCredentialFields, createConfluenceConnector),
  github: define(githubConfigSchema, githubCredentialFields, createGithubConnector),
};

export const sourceTypeNames = Object.keys(definitions) as ContentSourceType[];

export function isSourceType(type: string): type is ContentSourceType {
  return Object.hasOwn(definitions, type);
}

/** A source's config split in two: what is stored as is and shown, and the credentials, which are sealed. */
export interface SplitConfig {
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
}

/**
 * Checks a config against its type's rules and splits off the credentials. Throws
 * `invalid_request` naming the field (`config.url`), never echoing a credential's value.
 */
export function parseSourceConfig(type: ContentSourceType, config: unknown): SplitConfig {
  const definition = definitions[type];
  const parsed = definition.schema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['config', ...issue.path.map(String)].join('.');
    throw invalidRequest(`${field}: ${issue.message}`, { field });
  }
  const settings: Record<string, unknown> = {};
  const credentials: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data)) {
    if (value === undefined) continue;
    if (definition.credentialFields.includes(key)) credentials[key] = String(value);
    else settings[key] = value;
  }
  return { settings, credentials };
}

export function credentialFieldsOf(type: ContentSourceType): readonly string[] {
  return definitions[type].credentialFields;
}

/** The connector for a stored source, its settings and opened credentials joined again. */
export function createConnector(
  type: ContentSourceType,
  config: Record<string, unknown>,
  dependencies: ConnectorDependencies,
): SourceConnector {
  return definitions[type].create(config, dependencies);
}
