export type { HostileTextOptions } from './arbitraries.js';
export {
  astralText,
  combiningText,
  digitRuns,
  emojiText,
  hostileText,
  loneSurrogates,
  rtlText,
  specialTokenLookalikes,
  whitespaceRuns,
} from './arbitraries.js';
export type {
  PropertyParameters,
  TokenizerPropertiesOptions,
  TokenizerProperty,
  TokenizerPropertyName,
} from './tokenizerProperties.js';
export { checkTokenizer, tokenizerProperties } from './tokenizerProperties.js';
