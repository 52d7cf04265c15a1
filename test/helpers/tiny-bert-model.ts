import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { seededRandom } from '../../src/core/seeded-random.ts';

/**
 * A tiny BERT-shaped sentence model, written to disk the way a Hugging Face repo
 * lays it out, so the transformers embedder runs end to end (tokenizer.json,
 * onnxruntime, pooling) without the Hub. Not a trained model: each word has a
 * fixed pseudo-random vector, and every position also gets the sentence's
 * average, a stand-in for attention that makes the [CLS] vector depend on the text.
 * So texts that share words get similar vectors, and texts that don't, don't.
 */

const { onnx } = onnxProto;

export const tinyBertHiddenSize = 64;

const specialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

const words = `
a about account accounts add address admin after again all allow an and answer any api app are as at
back bank be before billing browser but by can cancel card change charge charged chat check click close
code company contact cookie cost create credit customer daily dashboard data date day default delete
device did do does download easy edit email enable error export failed fee file find first for forgot
free from get give go good has have help here home how i if in invoice invoices is it item key know
language last learn link list log login logout lost make manage many may me menu message method mobile
month monthly more my name need new next no not now number of off on once one only open option or order
other our out page paid part passage password passwords pay payment people phone plan please policy
price privacy profile query question rain read receive refund refunds relevant remove renew represent
request required reset return right rules save search searching secure security see select send sentence
service set settings share should sign sms so some start status step still subscription sunny support
sure take team than that the their then there this time to today two under up update upgrade use user
username verify was we weather week what when where which who why will with without work would year yes
you your
`
  .trim()
  .split(/\s+/);

const subwords = ['##s', '##es', '##ed', '##ing', '##er', '##ly', '##ion', '##al', '##y', '##e'];
const punctuation = ['.', ',', '?', '!', ':', ';', "'", '"', '-', '(', ')', '/', '@'];
const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const continuationLetters = letters.map((letter) => `##${letter}`);

/** The full vocabulary, in id order. */
export const tinyBertVocabulary: readonly string[] = [
  ...specialTokens,
  ...punctuation,
  ...letters,
  ...continuationLetters,
  ...subwords,
  ...words,
];

export interface TinyBertOptions {
  /** Also write onnx/model_quantized.onnx (weights rounded to 8-bit steps); default true. */
  quantized?: boolean;
  /**
   * Groups of vocabulary words that share one vector, the way a trained model places
   * synonyms together: texts that say "fee" and "price" then embed close.
   */
  synonyms?: readonly (readonly string[])[];
}

/** Writes config, tokenizer and ONNX graph(s) under `dir/<modelId>/`, as `ORIOLE_MODELS_DIR` expects. */
export async function writeTinyBertModel(
  dir: string,
  modelId = 'oriole-test/tiny-bert',
  options: TinyBertOptions = {},
): Promise<void> {
  const modelDir = path.join(dir, ...modelId.split('/'));
  await mkdir(path.join(modelDir, 'onnx'), { recursive: true });
  const wordEmbeddings = embeddingTable(tinyBertVocabulary.length, 1);
  for (const group of options.synonyms ?? []) shareVector(wordEmbeddings, group);
  // Special tokens appear in every text; small vectors keep them from dominating the average.
  const specialRows = wordEmbeddings.subarray(0, specialTokens.length * tinyBertHiddenSize);
  specialRows.set(specialRows.map((value) => value * 0.05));
  const typeEmbeddings = embeddingTable(2, 2).map((value) => value * 0.05);
  await Promise.all([
    writeFile(path.join(modelDir, 'config.json'), JSON.stringify(config(), null, 2)),
    writeFile(path.join(modelDir, 'tokenizer.json'), JSON.stringify(tokenizer(), null, 2)),
    writeFile(path.join(modelDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(), null, 2)),
    writeFile(path.join(modelDir, 'onnx', 'model.onnx'), modelBytes(wordEmbeddings, typeEmbeddings)),
    options.quantized === false
      ? Promise.resolve()
      : writeFile(
          path.join(modelDir, 'onnx', 'model_quantized.onnx'),
          modelBytes(roundTo8Bits(wordEmbeddings), roundTo8Bits(typeEmbeddings)),
        ),
  ]);
}

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: tinyBertHiddenSize,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: tinyBertHiddenSize * 2,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: tinyBertVocabulary.length,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
    ...overrides,
  };
}

function tokenizer(): Record<string, unknown> {
  const id = (token: string) => tinyBertVocabulary.indexOf(token);
  const special = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((token) => ({
      id: id(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [
        special('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [id(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(tinyBertVocabulary.map((token, index) => [token, index])),
    },
  };
}

function tokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
}

/** The ONNX protobuf builders both tiny graphs are written with. */
function onnxBuilders() {
  const { TensorProto, AttributeProto } = onnx;
  const batchBySequence = [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }];
  const int64Input = (name: string) => ({
    name,
    type: { tensorType: { elemType: TensorProto.DataType.INT64, shape: { dim: batchBySequence } } },
  });
  const floatTensor = (name: string, dims: number[], values: Float32Array) => ({
    name,
    dims,
    dataType: TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
  const int64Tensor = (name: string, values: number[]) => {
    const data = BigInt64Array.from(values.map(BigInt));
    return { name, dims: [values.length], dataType: TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) };
  };
  const node = (opType: string, inputs: string[], output: string, attribute: object[] = []) => ({
    opType,
    input: inputs,
    output: [output],
    name: output,
    attribute,
  });
  return { TensorProto, AttributeProto, batchBySequence, int64Input, floatTensor, int64Tensor, node };
}

/**
 * input_ids, token_type_ids → word + type embedding per token; plus the masked
 * mean over the sequence; padding positions zeroed → last_hidden_state.
 */
function modelBytes(wordEmbeddings: Float32Array, typeEmbeddings: Float32Array): Uint8Array {
  const { TensorProto, AttributeProto, batchBySequence, int64Input, floatTensor, int64Tensor, node } = onnxBuilders();

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'oriole-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_bert',
      input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: TensorProto.DataType.FLOAT,
              shape: { dim: [...batchBySequence, { dimValue: tinyBertHiddenSize }] },
            },
          },
        },
      ],
      initializer: [
        floatTensor('word_embeddings', [tinyBertVocabulary.length, tinyBertHiddenSize], wordEmbeddings),
        floatTensor('token_type_embeddings', [2, tinyBertHiddenSize], typeEmbeddings),
        int64Tensor('last_axis', [-1]),
        int64Tensor('sequence_axis', [1]),
      ],
      node: [
        node('Cast', ['attention_mask'], 'mask', [{ name: 'to', type: AttributeProto.AttributeType.INT, i: TensorProto.DataType.FLOAT }]),
        node('Unsqueeze', ['mask', 'last_axis'], 'mask_3d'),
        node('Gather', ['word_embeddings', 'input_ids'], 'word_vectors'),
        node('Gather', ['token_type_embeddings', 'token_type_ids'], 'type_vectors'),
        node('Add', ['word_vectors', 'type_vectors'], 'token_vectors'),
        node('Mul', ['token_vectors', 'mask_3d'], 'masked_vectors'),
        node('ReduceSum', ['masked_vectors', 'sequence_axis'], 'vector_sum'),
        node('ReduceSum', ['mask_3d', 'sequence_axis'], 'token_count'),
        node('Div', ['vector_sum', 'token_count'], 'sentence_vector'),
        node('Add', ['token_vectors', 'sentence_vector'], 'contextual_vectors'),
        node('Mul', ['contextual_vectors', 'mask_3d'], 'last_hidden_state'),
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Deterministic values in [-0.5, 0.5) (mulberry32), so failures reproduce. */
function embeddingTable(rows: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const table = new Float32Array(rows * tinyBertHiddenSize);
  for (let index = 0; index < table.length; index += 1) table[index] = random() - 0.5;
  return table;
}

function shareVector(table: Float32Array, words: readonly string[]): void {
  const rows = words.map((word) => {
    const row = tinyBertVocabulary.indexOf(word);
    if (row < 0) throw new Error(`'${word}' is not in the tiny model's vocabulary`);
    return row;
  });
  const first = table.slice(rows[0]! * tinyBertHiddenSize, (rows[0]! + 1) * tinyBertHiddenSize);
  for (const row of rows.slice(1)) table.set(first, row * tinyBertHiddenSize);
}

/** What int8 quantisation does to weights: 255 evenly spaced levels across the range. */
function roundTo8Bits(values: Float32Array): Float32Array {
  const scale = values.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0) / 127;
  return values.map((value) => Math.round(value / scale) * scale);
}

export interface TinyCrossEncoderOptions {
  /**
   * 1: one relevance logit per pair (ms-marco style); 2: [not relevant, relevant] logits;
   * 'nli': [entailment, neutral, contradiction] logits, [shared − 2, 0, 0], so the pair's
   * entailment probability passes one half from three shared words on. Default 1.
   */
  labels?: 1 | 2 | 'nli';
  /** Groups of vocabulary words the model treats as one, as a trained reranker knows synonyms. */
  synonyms?: readonly (readonly string[])[];
  /** Also write onnx/model_quantized.onnx (the same graph); default true. */
  quantized?: boolean;
}

/**
 * A tiny BERT-shaped cross-encoder (`BertForSequenceClassification`), written like a Hub
 * repo under `dir/<modelId>/`. It reads the [CLS] query [SEP] passage [SEP] pair the
 * tokenizer makes, tells the segments apart by token_type_ids, and scores the pair by
 * how many whole vocabulary words (synonyms counted as one) the passage shares with the
 * query: the relevance logit is the dot product of the two segments' bags of words.
 * Special tokens, single letters, punctuation and subwords count for nothing, so an
 * unknown word spelled out letter by letter matches nothing. Not trained, but ordered
 * the way a test can predict: a passage using the query's words outscores one that
 * does not.
 */
export async function writeTinyCrossEncoderModel(
  dir: string,
  modelId = 'oriole-test/tiny-cross-encoder',
  options: TinyCrossEncoderOptions = {},
): Promise<void> {
  const labels = options.labels ?? 1;
  const modelDir = path.join(dir, ...modelId.split('/'));
  await mkdir(path.join(modelDir, 'onnx'), { recursive: true });
  const graph = crossEncoderBytes(wordIndicators(options.synonyms ?? []), labels);
  const id2label =
    labels === 1
      ? { 0: 'LABEL_0' }
      : labels === 2
        ? { 0: 'not_relevant', 1: 'relevant' }
        : { 0: 'entailment', 1: 'neutral', 2: 'contradiction' };
  const label2id = Object.fromEntries(Object.entries(id2label).map(([index, label]) => [label, Number(index)]));
  await Promise.all([
    writeFile(
      path.join(modelDir, 'config.json'),
      JSON.stringify(
        config({ architectures: ['BertForSequenceClassification'], num_labels: Object.keys(id2label).length, id2label, label2id }),
        null,
        2,
      ),
    ),
    writeFile(path.join(modelDir, 'tokenizer.json'), JSON.stringify(tokenizer(), null, 2)),
    writeFile(path.join(modelDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(), null, 2)),
    writeFile(path.join(modelDir, 'onnx', 'model.onnx'), graph),
    options.quantized === false ? Promise.resolve() : writeFile(path.join(modelDir, 'onnx', 'model_quantized.onnx'), graph),
  ]);
}

/** A [vocabulary, words] table: each whole word's row is one-hot at its group's column; other tokens' rows are zero. */
function wordIndicators(synonyms: readonly (readonly string[])[]): { table: Float32Array; width: number } {
  const column = new Map(words.map((word, index) => [word, index]));
  for (const group of synonyms) {
    for (const word of group) {
      if (!column.has(word)) throw new Error(`'${word}' is not in the tiny model's vocabulary`);
      column.set(word, column.get(group[0]!)!);
    }
  }
  const width = words.length;
  const table = new Float32Array(tinyBertVocabulary.length * width);
  tinyBertVocabulary.forEach((token, row) => {
    const wordColumn = column.get(token);
    if (wordColumn !== undefined) table[row * width + wordColumn] = 1;
  });
  return { table, width };
}

/**
 * input_ids, attention_mask, token_type_ids → per-segment bags of words (type 0: the
 * query, type 1: the passage) → logits [batch, labels]: the bags' dot product, or
 * [-dot/2, dot/2] for two labels, whose softmax is the sigmoid of the dot product, or
 * [dot − 2, 0, 0] for NLI's three.
 */
function crossEncoderBytes(indicators: { table: Float32Array; width: number }, labels: 1 | 2 | 'nli'): Uint8Array {
  const { TensorProto, AttributeProto, int64Input, floatTensor, int64Tensor, node } = onnxBuilders();
  const toFloat = [{ name: 'to', type: AttributeProto.AttributeType.INT, i: TensorProto.DataType.FLOAT }];
  const keepDims = (value: 0 | 1) => [{ name: 'keepdims', type: AttributeProto.AttributeType.INT, i: value }];
  const scoring =
    labels === 1
      ? [node('Identity', ['dot'], 'logits')]
      : labels === 'nli'
        ? [
            node('Sub', ['dot', 'entailment_bias'], 'entailment'),
            node('Mul', ['dot', 'zero'], 'other'),
            node('Concat', ['entailment', 'other', 'other'], 'logits', [{ name: 'axis', type: AttributeProto.AttributeType.INT, i: 1 }]),
          ]
        : [
          node('Mul', ['dot', 'half'], 'half_dot'),
          node('Neg', ['half_dot'], 'negative_half_dot'),
          node('Concat', ['negative_half_dot', 'half_dot'], 'logits', [
            { name: 'axis', type: AttributeProto.AttributeType.INT, i: 1 },
          ]),
        ];

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'oriole-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_cross_encoder',
      input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
      output: [
        {
          name: 'logits',
          type: {
            tensorType: {
              elemType: TensorProto.DataType.FLOAT,
              shape: { dim: [{ dimParam: 'batch_size' }, { dimValue: labels === 'nli' ? 3 : labels }] },
            },
          },
        },
      ],
      initializer: [
        floatTensor('word_indicators', [tinyBertVocabulary.length, indicators.width], indicators.table),
        floatTensor('half', [1], Float32Array.of(0.5)),
        floatTensor('entailment_bias', [1], Float32Array.of(2)),
        floatTensor('zero', [1], Float32Array.of(0)),
        int64Tensor('last_axis', [-1]),
        int64Tensor('sequence_axis', [1]),
      ],
      node: [
        node('Cast', ['attention_mask'], 'mask', toFloat),
        node('Cast', ['token_type_ids'], 'segment', toFloat),
        node('Mul', ['mask', 'segment'], 'passage_weight'),
        node('Sub', ['mask', 'passage_weight'], 'query_weight'),
        node('Unsqueeze', ['query_weight', 'last_axis'], 'query_weight_3d'),
        node('Unsqueeze', ['passage_weight', 'last_axis'], 'passage_weight_3d'),
        node('Gather', ['word_indicators', 'input_ids'], 'token_words'),
        node('Mul', ['token_words', 'query_weight_3d'], 'query_words'),
        node('Mul', ['token_words', 'passage_weight_3d'], 'passage_words'),
        node('ReduceSum', ['query_words', 'sequence_axis'], 'query_bag', keepDims(0)),
        node('ReduceSum', ['passage_words', 'sequence_axis'], 'passage_bag', keepDims(0)),
        node('Mul', ['query_bag', 'passage_bag'], 'shared_words'),
        node('ReduceSum', ['shared_words', 'last_axis'], 'dot', keepDims(1)),
        ...scoring,
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
