/**
 * The API key, kept for this tab only (sessionStorage, the same entry the chat page reads),
 * never in a URL or a log. Storage can be refused (private modes): the key then lives in
 * memory until the page closes.
 */
const storageKey = 'oriole.key';
let memory: string | undefined;

export function readKey(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? memory;
  } catch {
    return memory;
  }
}

export function saveKey(key: string | undefined): void {
  memory = key;
  try {
    if (key) sessionStorage.setItem(storageKey, key);
    else sessionStorage.removeItem(storageKey);
  } catch {
    // memory only
  }
}
