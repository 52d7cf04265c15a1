/**
 * Interrogatives and sentence-final particles of Chinese questions ("哪些", "多少",
 * "是否", "吗"): like English "what" or "how" they name no topic, yet as bigrams they
 * are rare in documents, so BM25 would weigh them heavily. A spaceless run is cut
 * where one occurs, at ingest and at query time, so no bigram spans it.
 */
export const chineseStopwords: readonly string[] = [
  '什么', '哪些', '哪个', '哪位', '哪里', '哪儿', '哪', '多少', '几个', '如何', '怎么', '怎样',
  '为什么', '是否', '何时', '吗', '呢',
];
