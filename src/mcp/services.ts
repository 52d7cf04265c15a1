import type { AnswerService } from '../answer/index.ts';
import type { KbBinding } from '../api/index.ts';
import type { OrioleError } from '../core/index.ts';
import type { Database } from '../db/index.ts';

/** What the tools work with; composition roots pass them in. */
export interface McpServices {
  database: Database;
  /** Search and answers: the service /search and /answer use. */
  answers: AnswerService;
  /** The KB a call that names none uses, when its caller is bound to none. */
  defaultKb: string;
  /** Reported to clients in `initialize` (serverInfo.version). */
  version: string;
  /** Told about failures that are not the caller's (storage down, a bug), for the log; the client gets the code only. */
  onServerError?: (error: OrioleError) => void;
}

/** Who is calling, for the length of one server. */
export interface McpCall {
  /** The KB the caller's key is bound to; both null: every KB (`oriole mcp` without --kb). */
  caller: KbBinding;
  /** Fires when the HTTP request ends early (client gone, deadline): its tool calls stop. */
  signal?: AbortSignal;
}
