const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a text is a UUID, as every id the database hands out is: anything else is looked up as "none". */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
