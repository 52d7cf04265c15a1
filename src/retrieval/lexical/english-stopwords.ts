/**
 * Words dropped from English text at ingest and at query time: function words, and
 * the interrogatives every question starts with ("what", "how", "which"), which name
 * no topic. Kept small on purpose: words such as "not", "all", "only", "before" or
 * "after" can carry a help question's meaning, so they stay. Matched before
 * stemming, against lower-cased words.
 */
export const englishStopwords: ReadonlySet<string> = new Set([
  'a', 'about', 'also', 'am', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'can',
  'could', 'did', 'do', 'does', 'for', 'from', 'had', 'has', 'have', 'he', 'her', 'here', 'his', 'how',
  'i', 'if', 'in', 'into', 'is', 'it', 'its', 'just', 'me', 'my', 'of', 'on', 'or', 'our', 's', 'she',
  'should', 'so', 'some', 'such', 't', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these',
  'they', 'this', 'those', 'to', 'us', 'was', 'we', 'were', 'what', 'when', 'where', 'which', 'who',
  'whom', 'why', 'will', 'with', 'would', 'you', 'your',
]);
