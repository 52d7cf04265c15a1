import { lexicalTerms } from '../retrieval/index.ts';

/**
 * Words that readers and documentation use for the same thing, so that a question
 * worded differently from the page it is about is not taken for one the knowledge base
 * does not cover: "JWT auth" asked of a page on "JWT authentication", "区别" of one on
 * what is "不同". Generic documentation and help-center vocabulary only (abbreviations,
 * British and American spellings, everyday synonyms): never the terms of one product,
 * which would fit the map to one knowledge base. Each group lists words that may stand
 * for one another; a word in two groups ("auth": authentication and authorization) is
 * not thereby made equivalent to the other group's words. A phrase ("json web token")
 * stands for its words together. Only abstention's key-term coverage and the reader's
 * term matching use the map; retrieval does not, so search results do not move.
 */
export const equivalentWordGroups: readonly (readonly string[])[] = [
  // Abbreviations of documentation vocabulary.
  ['auth', 'authentication', 'authn'],
  ['auth', 'authorization', 'authorisation', 'authz'],
  ['config', 'configuration', 'conf', 'cfg'],
  ['env', 'environment'],
  ['env var', 'environment variable'],
  ['repo', 'repository'],
  ['admin', 'administrator'],
  ['app', 'application'],
  ['docs', 'documentation'],
  ['info', 'information'],
  ['param', 'parameter'],
  ['arg', 'argument'],
  ['dir', 'directory', 'folder'],
  ['db', 'database'],
  ['msg', 'message'],
  ['pwd', 'passwd', 'password'],
  ['dev', 'development'],
  ['prod', 'production'],
  ['lib', 'library'],
  ['pkg', 'package'],
  ['dep', 'dependency'],
  ['var', 'variable'],
  ['func', 'fn', 'function'],
  ['img', 'image', 'picture'],
  ['js', 'javascript'],
  ['ts', 'typescript'],
  ['k8s', 'kubernetes'],
  ['i18n', 'internationalization', 'internationalisation'],
  ['l10n', 'localization', 'localisation'],
  ['2fa', 'two factor'],
  ['mfa', 'multi factor'],
  ['sso', 'single sign on'],
  ['jwt', 'json web token'],
  ['ui', 'user interface'],
  ['cli', 'command line'],
  ['ws', 'websocket'],
  ['req', 'request'],
  ['res', 'response'],
  ['err', 'error'],
  ['max', 'maximum'],
  ['min', 'minimum'],
  ['spec', 'specification'],
  ['async', 'asynchronous'],
  ['perf', 'performance'],
  ['stats', 'statistics'],
  // British and American spellings the stemmer leaves apart.
  ['customise', 'customize'],
  ['organise', 'organize'],
  ['initialise', 'initialize'],
  ['authorise', 'authorize'],
  ['optimise', 'optimize'],
  ['colour', 'color'],
  ['behaviour', 'behavior'],
  ['licence', 'license'],
  ['cancelled', 'canceled'],
  // Everyday synonyms of help questions.
  ['delete', 'remove', 'erase'],
  ['change', 'modify', 'edit', 'update'],
  ['create', 'add', 'new'],
  ['login', 'log in', 'sign in', 'signin'],
  ['logout', 'log out', 'sign out', 'signout'],
  ['signup', 'sign up', 'register', 'registration'],
  ['protect', 'secure', 'guard'],
  ['enable', 'activate', 'turn on'],
  ['disable', 'deactivate', 'turn off'],
  ['show', 'display'],
  ['run', 'execute'],
  ['limit', 'quota'],
  ['cost', 'price', 'pricing', 'fee', 'charge'],
  ['error', 'exception'],
  ['difference', 'compare', 'comparison', 'versus', 'vs'],
  // Chinese (compared as the character bigrams the tokenizer makes).
  ['区别', '不同', '差异', '差别', '区分', '对比', '比较', '相比'],
  ['配置', '设置', '设定'],
  ['删除', '移除', '去掉', '去除'],
  ['安装', '集成', '接入'],
  ['登录', '登陆', '登入'],
  ['注销', '退出', '登出'],
  ['修改', '更改', '变更', '编辑'],
  ['创建', '新建', '添加'],
  ['启用', '开启', '打开'],
  ['禁用', '关闭', '停用'],
  ['限制', '上限', '限额'],
  ['错误', '报错', '异常'],
  ['价格', '费用', '收费'],
  ['计算', '统计', '计费'],
  ['意思', '含义', '表示'],
  ['部署', '发布', '上线'],
  ['获取', '获得', '读取'],
  ['目录', '文件夹'],
];

/** Each group as the term lists of its words: ["jwt"], ["json", "web", "token"]. */
const termGroups: string[][][] = equivalentWordGroups.map((group) =>
  group.map((word) => lexicalTerms(word)).filter((terms) => terms.length > 0),
);

/**
 * The question terms that `passageTerms` covers through an equivalent: for each group,
 * the terms of every word or phrase of the group that the question contains, when the
 * passages contain another of the group's words or phrases whole.
 */
export function termsCoveredByEquivalents(questionTerms: Iterable<string>, passageTerms: ReadonlySet<string>): Set<string> {
  const asked = new Set(questionTerms);
  const covered = new Set<string>();
  for (const group of termGroups) {
    const inQuestion = group.filter((terms) => terms.every((term) => asked.has(term)));
    if (inQuestion.length === 0) continue;
    const answered = group.some((terms) => !inQuestion.includes(terms) && terms.every((term) => passageTerms.has(term)));
    if (answered) for (const terms of inQuestion) for (const term of terms) covered.add(term);
  }
  for (const term of asked) {
    if (!covered.has(term) && morphologicalVariants(term).some((variant) => passageTerms.has(variant))) covered.add(term);
  }
  return covered;
}

/**
 * Forms of a stemmed term the Porter stemmer leaves apart: an agent noun and its verb
 * ("router" and "route", "handler" and "handle"), and British "-ise" against American
 * "-ize" ("customis" and "custom"). Short terms ("user" and "use") are left alone.
 */
export function morphologicalVariants(term: string): string[] {
  if (!/^[a-z]{4,}$/.test(term)) return [];
  if (/(?:er|is)$/.test(term)) return term.length >= 6 ? [term.slice(0, -2)] : [];
  return [`${term}er`, `${term}is`];
}
