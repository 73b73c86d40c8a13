/**
 * `@llmkit/tensor-gpu/onnx`: writing ONNX models and running them in onnxruntime-node. A separate
 * entry so that importing the main package never loads ONNX Runtime's native library.
 */
export type {
  OnnxAttribute,
  OnnxDataType,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpsetImport,
  OnnxTensor,
  OnnxValueInfo,
} from './onnx/onnxModel.js';
export { encodeOnnxModel, onnxDataTypeCode } from './onnx/onnxModel.js';
export type {
  OnnxArray,
  OnnxBoundRun,
  OnnxRunOptions,
  OnnxSessionOptions,
  OnnxTypedArray,
  OnnxValueMetadata,
} from './onnx/onnxSession.js';
export { OnnxSession } from './onnx/onnxSession.js';
