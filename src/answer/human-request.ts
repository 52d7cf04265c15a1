/**
 * Whether a message asks to be handed to a human ("talk to a person", "human please",
 * "转人工", "人工客服") rather than asking about the docs. Such a message is answered
 * with the KB's hand-off, not from retrieval (docs/kb-settings.md, "Hand-off").
 *
 * It must not fire on a question about people or agents as a topic ("how do I add a
 * person to my team", "can an agent see my tickets", "如何配置人工客服的工作时间"), so a
 * clause counts only when it is a request for a human on its own ("agent please",
 * "人工客服") or the asker is the one who wants to talk ("I want to speak to someone",
 * "can I chat with a real person", "connect me to an agent", "我要转人工").
 */

const determiner = String.raw`(?:(?:a|an|the|some|one\s+of\s+your|your)\s+)?`;
const qualifier = String.raw`(?:(?:real|live|actual|human|customer|support|service|sales)\s+){0,3}`;
/** A human to talk to: "a human", "a real person", "a live agent", "someone". */
const person = determiner + qualifier + String.raw`(?:human(?:\s+being)?|person|agent|representative|rep|operator|someone|somebody|staff\s+member)`;
/** Also the teams one talks to: "support", "customer service", "the sales team". */
const personOrTeam = String.raw`(?:${person}|${determiner}(?:support(?:\s+team)?|customer\s+(?:service|support|care)|sales(?:\s+team)?|help\s?desk))`;

/** What may open a request: "please", "can I", "I want to", "let me", "how do I", "is there a way to". */
const askerOpening =
  String.raw`^(?:(?:please|pls|hi|hello|hey|ok|so)\s+)*` +
  String.raw`(?:(?:can|could|may)\s+i\s+|i\s+(?:want|need|would\s+like|'d\s+like|wanna|have)\s+(?:to\s+)?|i'd\s+like\s+to\s+|let\s+me\s+|` +
  String.raw`(?:how|where)\s+(?:do|can|could)\s+i\s+|(?:is\s+there\s+(?:a|any)\s+way|is\s+it\s+possible)\s+(?:for\s+me\s+)?to\s+)?`;

/** A clause that is nothing but the request: "human", "agent please", "a real person, please". */
const bareRequest = new RegExp(
  String.raw`^(?:please\s+|pls\s+)?(?:(?:a|an)\s+)?(?:(?:real|live|actual)\s+)?(?:human|person|agent|representative|operator|live\s+chat)(?:\s+(?:please|pls|now))*$`,
  'iu',
);

/** The asker wants to talk: "can I talk to a human", "let me speak with support", "speak to an agent". */
const askerWantsToTalk = new RegExp(askerOpening + String.raw`(?:(?:talk|speak|chat)\s+(?:to|with)\s+${personOrTeam}|(?:contact|reach)\s+${person})\b`, 'iu');

/** "I want a human", "I need a real person" (not "I need support for SSO": a team is not enough here). */
const askerWantsPerson = new RegExp(String.raw`^(?:(?:please|hi|hello|hey|ok|so)\s+)*i\s+(?:want|need|would\s+like|'d\s+like)\s+${person}\b`, 'iu');

/** Someone is asked to put the asker through: "connect me to an agent", "transfer me to a human", "get me a person". */
const putMeThrough = new RegExp(
  String.raw`\b(?:(?:connect|transfer|put|pass|escalate|forward|switch)\s+(?:me|my\s+(?:case|ticket|chat))\s+(?:through\s+)?(?:to|with)\s+${personOrTeam}|get\s+me\s+${person})\b`,
  'iu',
);

/** A Chinese clause that is only the request: "人工", "转人工", "人工客服", "找真人吧". */
const chineseBareRequest = /^(?:请|麻烦|我要|我想|帮我|给我)?(?:转|转接|接|找|要)?(?:个)?(?:人工|真人|人工客服|真人客服|客服|人工服务)(?:吧|啊|呢|谢谢)*$/u;
/** The asker wants a human: "我要转人工", "可以转人工吗", "我想和客服说话", "帮我接通人工客服". */
const chineseAskerWantsHuman =
  /(?:我要|我想|我需要|请|帮我|麻烦|能不能|能否|可以|可不可以|怎么|如何)(?:帮我)?(?:转接?|接通?|找|联系|和|跟|与)(?:一下|一个|个)?(?:人工|真人|客服|人工客服|真人客服)/u;

/** Whether `message` asks to be handed to a human. */
export function asksForHuman(message: string): boolean {
  return clauses(message).some(
    (clause) =>
      bareRequest.test(clause) ||
      askerWantsToTalk.test(clause) ||
      askerWantsPerson.test(clause) ||
      putMeThrough.test(clause) ||
      chineseBareRequest.test(clause) ||
      chineseAskerWantsHuman.test(clause),
  );
}

/** The message cut at sentence and clause marks, each trimmed and its quotes straightened. */
function clauses(message: string): string[] {
  return message
    .normalize('NFKC')
    .replace(/[’`]/g, "'")
    .split(/[.!?;,:\n。！？；，：、]+/u)
    .map((clause) => clause.replace(/\s+/g, ' ').trim())
    .filter((clause) => clause.length > 0);
}
