/**
 * Function words dropped from English text at ingest and at query time. Kept small
 * on purpose: words such as "not", "all", "only", "before" or "how" can carry a help
 * question's meaning, so only words that never do are here. The list is matched
 * before stemming, against lower-cased words.
 */
export const englishStopwords: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'did', 'do', 'does', 'for', 'from',
  'had', 'has', 'have', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'me', 'my', 'of', 'on', 'or', 's',
  'so', 'such', 't', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this',
  'those', 'to', 'was', 'we', 'were', 'will', 'with', 'would', 'you', 'your',
]);
