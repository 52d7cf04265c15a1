import { describe, expect, it } from 'vitest';
import { bm25Defaults, seededRandom } from '../../../src/core/index.ts';
import {
  createLexicalTokenizer,
  lexicalTerms,
  lexicalTokenizerDefaults,
  termFrequencies,
} from '../../../src/retrieval/lexical/index.ts';

describe('lexicalTerms', () => {
  it('gives ASCII text (its fast path) the terms the Unicode path gives', () => {
    // A trailing ' é' sends the same text down the Unicode path and adds one term, 'é'.
    const random = seededRandom(20261207);
    const pieces = ['Config', 'app-config.yaml', 'v1.8', 'RHDH', '--', '_', '.', ' ', '\n', 'running', 'x_y', 'a.b-c_d', '2024', 'E4012', '`npm ci`', '...', 'the', "it's", '#', '-flag', 'Plugins.'];
    for (let sample = 0; sample < 500; sample++) {
      let text = '';
      const length = 1 + Math.floor(random() * 12);
      for (let piece = 0; piece < length; piece++) {
        text += random() < 0.2 ? String.fromCharCode(32 + Math.floor(random() * 95)) : pieces[Math.floor(random() * pieces.length)]!;
      }
      expect([...lexicalTerms(text), 'é'], JSON.stringify(text)).toEqual(lexicalTerms(`${text} é`));
    }
  });

  it('lower-cases, stems English words and drops stopwords', () => {
    expect(lexicalTerms('The plugins are Configured for the Catalog')).toEqual(['plugin', 'configur', 'catalog']);
  });

  it('gives a question and a passage the same stems', () => {
    const question = lexicalTerms('How do I configure installing plugins?');
    const passage = lexicalTerms('Configuring the plugin installation');
    expect(question).toEqual(expect.arrayContaining(['configur', 'plugin']));
    expect(passage).toEqual(expect.arrayContaining(['configur', 'plugin']));
  });

  it('keeps identifiers whole and in parts', () => {
    expect(lexicalTerms('RHDH v1.8 uses OAuth2 and backstage.io')).toEqual([
      'rhdh', 'v1.8', 'v1', '8', 'us', 'oauth2', 'backstage.io', 'backstag', 'io',
    ]);
    expect(lexicalTerms('edit app-config.yaml')).toEqual(['edit', 'app-config.yaml', 'app', 'config', 'yaml']);
    expect(lexicalTerms('snake_case_name')).toEqual(['snake_case_name', 'snake', 'case', 'name']);
  });

  it('does not stem numbers or words with digits', () => {
    expect(lexicalTerms('2018 k8s oauth2 sha256')).toEqual(['2018', 'k8s', 'oauth2', 'sha256']);
  });

  it('folds full-width and compatibility characters with NFKC', () => {
    expect(lexicalTerms('ＲＨＤＨ １２３')).toEqual(['rhdh', '123']);
    expect(lexicalTerms('ﬁle')).toEqual(lexicalTerms('file'));
  });

  it('splits Chinese into overlapping character bigrams', () => {
    expect(lexicalTerms('人民大学')).toEqual(['人民', '民大', '大学']);
  });

  it('keeps a single Chinese character between other tokens', () => {
    expect(lexicalTerms('2018年')).toEqual(['2018', '年']);
    expect(lexicalTerms('大')).toEqual(['大']);
  });

  it('handles mixed Chinese and English text', () => {
    expect(lexicalTerms('在RHDH中配置插件, then install plugins')).toEqual([
      '在', 'rhdh', '中配', '配置', '置插', '插件', 'instal', 'plugin',
    ]);
  });

  it('separates Chinese runs at punctuation', () => {
    expect(lexicalTerms('招生，计划。')).toEqual(['招生', '计划']);
  });

  it('drops English question words', () => {
    expect(lexicalTerms('What should I configure, and how?')).toEqual(['configur']);
  });

  it('cuts Chinese question words out before making bigrams', () => {
    expect(lexicalTerms('金融工程专业的就业方向有哪些？')).toEqual([
      '金融', '融工', '工程', '程专', '专业', '业的', '的就', '就业', '业方', '方向', '向有',
    ]);
    expect(lexicalTerms('招生计划是多少')).toEqual(['招生', '生计', '计划', '划是']);
  });

  it('keeps letters of other scripts', () => {
    expect(lexicalTerms('Größe café Привет')).toEqual(['größe', 'café', 'привет']);
  });

  it('drops overlong terms', () => {
    const hash = 'a'.repeat(lexicalTokenizerDefaults.maxTermLength + 1);
    expect(lexicalTerms(`token ${hash} kept`)).toEqual(['token', 'kept']);
  });

  it('returns nothing for text without words', () => {
    expect(lexicalTerms('')).toEqual([]);
    expect(lexicalTerms('  ?!… — ，。 ')).toEqual([]);
    expect(lexicalTerms('the and of')).toEqual([]);
  });
});

describe('createLexicalTokenizer', () => {
  it('can segment Chinese into dictionary words', () => {
    const words = createLexicalTokenizer({ ...lexicalTokenizerDefaults, han: 'words' });
    expect(words('中国人民大学')).toEqual(['中国', '人民', '大学']);
  });

  it('can add single characters to bigrams', () => {
    const tokenize = createLexicalTokenizer({ ...lexicalTokenizerDefaults, han: 'bigrams-and-characters' });
    expect(tokenize('大学生')).toEqual(['大', '学', '生', '大学', '学生']);
  });

  it('can keep words unstemmed, stopwords included, compounds as parts only', () => {
    const tokenize = createLexicalTokenizer({
      ...lexicalTokenizerDefaults,
      stemming: false,
      stopwords: new Set(),
      spacelessStopwords: [],
      compounds: 'parts',
    });
    expect(tokenize('The plugins of v1.8')).toEqual(['the', 'plugins', 'of', 'v1', '8']);
    expect(tokenize('有哪些')).toEqual(['有哪', '哪些']);
  });
});

describe('termFrequencies', () => {
  it('counts each term of the text', () => {
    expect(termFrequencies('Plugin plugins; the PLUGIN catalog 大学大学')).toEqual(
      new Map([
        ['plugin', 3],
        ['catalog', 1],
        ['大学', 2],
        ['学大', 1],
      ]),
    );
  });

  it('is empty for empty text', () => {
    expect(termFrequencies('').size).toBe(0);
  });
});

describe('bm25Defaults', () => {
  it('names values within BM25’s ranges', () => {
    expect(bm25Defaults.k1).toBeGreaterThan(0);
    expect(bm25Defaults.b).toBeGreaterThanOrEqual(0);
    expect(bm25Defaults.b).toBeLessThanOrEqual(1);
  });
});
