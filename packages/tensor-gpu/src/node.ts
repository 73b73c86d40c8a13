export type {
  LoadProgress,
  LoadSafetensorsFileOptions,
  SafetensorsFileReader,
  SaveSafetensorsFileOptions,
  WriteSafetensorsFileOptions,
} from './safetensorsFile.js';
export {
  loadSafetensorsFile,
  openSafetensorsFile,
  saveSafetensorsFile,
  writeSafetensorsFile,
} from './safetensorsFile.js';
export type { WriteFileAtomicOptions } from './writeFileAtomic.js';
export { writeFileAtomic } from './writeFileAtomic.js';
