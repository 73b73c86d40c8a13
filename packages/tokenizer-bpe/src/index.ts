export type { BpeTokenizerInit } from './bpeTokenizer.js';
export { BpeTokenizer } from './bpeTokenizer.js';
export type { ChatFormat, ChatMessage, TruncateOptions } from './chatTokens.js';
export {
  countChatTokens,
  OPENAI_CHAT_FORMAT,
  truncateMessages,
  truncateToTokens,
} from './chatTokens.js';
export type { CountWordsOptions, WordCounter } from './countWords.js';
export { countWords } from './countWords.js';
export type { FromHuggingFaceOptions } from './huggingFaceFormat.js';
export type { BpeTokenizerJson } from './llmkitFormat.js';
export type { PatternName, PreTokenizerOptions } from './preTokenizer.js';
export { PATTERNS, PreTokenizer } from './preTokenizer.js';
export { StreamingDecoder } from './streamingDecoder.js';
export type { FromTiktokenOptions, TiktokenJson } from './tiktokenFormat.js';
export { TokenBytes } from './tokenBytes.js';
export type { EncodeOptions, Tokenizer } from './tokenizer.js';
export type { TokenizerErrorCode, TokenizerErrorInit } from './tokenizerError.js';
export { TokenizerError } from './tokenizerError.js';
export type { TrainBpeOptions } from './trainBpe.js';
export { trainBpe } from './trainBpe.js';
export type { CountProgress, TrainProgress } from './trainProgress.js';
